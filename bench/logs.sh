#!/usr/bin/env bash
# Log throughput: one child writes BYTES in 100-byte lines (4000-byte writes) to stdout,
# captured by the supervisor to a file; the floor is the same child redirected straight
# to a file. Time: child's first instruction -> all bytes in the file(s). Lines counted.
set -u
source "$BENCH/lib/common.sh"
BYTES=$(( (QUICK ? 16 : 1024) * 1024 * 1024 ))
LINES=$(( BYTES / 100 ))
EXPECT=$(( LINES * 100 ))

logsize() { local f t=0; for f in "$@"; do t=$(( t + $(stat -c %s "$f" 2>/dev/null || echo 0) )); done; echo $t; }

one_peer() {
  local p=$1 dir=$WORK/logs-$p ts t_end files
  mkdir -p "$dir"; ts=$dir/ts
  if [[ $p == floor ]]; then
    "$BIN/child" log "$BYTES" 0 "$ts" > "$dir/c0.log" &
    local cp=$!; track $cp
    WAIT_FAST=1 wait_until 300 grep -qs '^E' "$ts"; t_end=$(awk '$1=="E"{print $3}' "$ts")   # the child's own end stamp
    kill -TERM "$cp"; wait "$cp" 2>/dev/null
    files=$dir/c0.log
  else
    peer_configure "$dir" 1 "log $BYTES {i} $ts" log
    peer_config_text "$dir" > "$RESULTS_DIR/config-logs-$p.txt" 2>&1
    peer_start "$dir"
    local limit=$(( QUICK ? 60 : 300 ))
    if ! WAIT_FAST=1 wait_until "$limit" grep -qs '^E' "$ts"; then
      record logs "$p" mib_per_s "n/a" "n/a (child not done in ${limit} s)"; peer_stop "$dir"; rm_dir "$dir"; return 0
    fi
    # the child is done writing; wait for the capture to land, or to stop growing
    local last=-1 cur stable=0
    while :; do
      cur=$(logsize $(peer_logfiles "$dir"))
      (( cur >= EXPECT )) && break
      if (( cur == last )); then (( ++stable > 150 )) && break; else stable=0; fi   # 3 s of no growth
      last=$cur; sleep 0.02
    done
    t_end=$(now_ns)
    files=$(peer_logfiles "$dir")
  fi
  local t_start; t_start=$(awk '$1=="S"{print $3; exit}' "$ts")
  local secs; secs=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN{printf "%.3f", (b-a)/1e9}')
  local lines; lines=$(cat $files | wc -l)
  local bad; bad=$(cat $files | awk 'length($0) != 99' | wc -l)
  record logs "$p" seconds "$secs"
  record logs "$p" mib_per_s "$(awk -v b=$EXPECT -v s="$secs" 'BEGIN{printf "%.0f", b/1048576/s}')"
  record logs "$p" lines_lost "$(( LINES - lines ))" "$lines of $LINES lines; $bad malformed"
  if [[ $p == arbor ]]; then
    local dropped; dropped=$(grep -c 'log_dropped\|dropped' "$dir/arbord.err" 2>/dev/null)
    record logs arbor dropped_events "${dropped:-0}"
    # arbord's CPU for the capture is part of the time above
  fi
  log "logs/$p: ${secs}s for $((BYTES >> 20)) MiB, $lines/$LINES lines"
  [[ $p != floor ]] && { peer_stop "$dir" || log "logs/$p: stop timed out"; }
  rm_dir "$dir"
}
# Warm-up, unmeasured: the first peer would otherwise also pay for the page cache making
# room for the first GiB (seen: arbor 1.38 s first, 0.95-1.03 s in five runs after).
"$BIN/child" log "$BYTES" 0 "$WORK/warmup.ts" > "$WORK/warmup.log" &   # it sleeps once done
warm=$!; track $warm
WAIT_FAST=1 wait_until 300 grep -qs '^E' "$WORK/warmup.ts"
kill -TERM "$warm"; wait "$warm" 2>/dev/null
rm -f "$WORK/warmup.log" "$WORK/warmup.ts"
for_peers logs one_peer

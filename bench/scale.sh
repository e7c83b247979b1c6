#!/usr/bin/env bash
# Scale: N sleeping children in one supervisor (or the peer's equivalent), output discarded.
# Per N: time until all N children have run their first instruction, the supervisor's
# RSS/PSS (all its processes), CPU in an idle window, `status` of all N (CLI wall time),
# and the time to stop all N (until no child is left).
set -u
source "$BENCH/lib/common.sh"
NS=${SCALE_NS:-$( ((QUICK)) && echo "100" || echo "1000 5000 10000")}
# The idle window: 10 s at N = 5,000 (where the target is set), 3 s at the other sizes,
# which keeps the full run under 15 minutes; quick mode 0.5 s.
idle_secs() { if ((QUICK)); then echo 0.5; elif (( $1 == 5000 )); then echo 10; else echo 3; fi; }
STATUS_LIMIT=10   # s6 has no multi-service status: 10,000 s6-svstat calls take ~30 s
# SCALE_LEAN=1: start, memory and stop only (no idle window, no status, no descriptor
# runs): for A/B runs of the start and PSS, several in a row.
LEAN=${SCALE_LEAN:-0}

one_n() {
  local p=$1 n=$2 dir=$WORK/scale-$p-$n ts t0 pids
  mkdir -p "$dir"; ts=$dir/ts
  if (( n > $(peer_max_n) )); then
    record scale "$p" "start_s@$n" "n/a" "$(peer_cap_reason 2>/dev/null || echo capped)"
    return 0
  fi
  peer_configure "$dir" "$n" "sleep {i} $ts" null
  (( n == ${NS%% *} )) && peer_config_text "$dir" > "$RESULTS_DIR/config-scale-$p.txt" 2>&1
  t0=$(now_ns)
  peer_start "$dir"
  local limit=$(( QUICK ? 60 : 180 ))
  if ! wait_until "$limit" have_started "$ts" "$n"; then
    local got; got=$(started_count "$ts")
    log "scale/$p/$n: only $got of $n started within ${limit}s"
    record scale "$p" "start_s@$n" "n/a" "n/a (only $got of $n running after ${limit} s)"
    peer_stop "$dir"; kill_tracked; rm_dir "$dir"; return 0
  fi
  local tmax; tmax=$(python3 "$BENCH/lib/stats.py" maxstart "$ts")
  local start_s; start_s=$(awk -v a="$tmax" -v b="$t0" 'BEGIN{printf "%.3f", (a-b)/1e9}')
  record scale "$p" "start_s@$n" "$start_s"
  sleep "$( ((QUICK)) && echo 0.1 || echo 0.5)"
  pids=$(peer_sup_pids "$dir")
  set -- $(mem_kb $pids)
  record scale "$p" "rss_mib@$n" "$(awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}')" "$(echo $pids | wc -w) process(es)"
  record scale "$p" "pss_mib@$n" "$(awk -v k="$2" 'BEGIN{printf "%.1f", k/1024}')"
  if [[ $p == arbor ]]; then
    local fds; fds=$(fd_count "$(cat "$dir/sup.pid")")
    record scale arbor "fds@$n" "$fds" "descriptors of arbord with $n children, output discarded"
  fi
  if ((LEAN)); then
    log "scale/$p/$n: start ${start_s}s, PSS $(awk -v k="$2" 'BEGIN{printf "%.1f", k/1024}') MiB (lean), load $(cut -d' ' -f1-3 /proc/loadavg)"
  else
    local c0 c1 idle; idle=$(idle_secs "$n"); c0=$(cpu_ticks $pids); sleep "$idle"; c1=$(cpu_ticks $pids)
    record scale "$p" "idle_cpu_ms@$n" "$(( (c1 - c0) * 1000 / $(getconf CLK_TCK) ))" "CPU in ${idle} idle s"
    local ms rc
    time_cmd ms run_limited "$STATUS_LIMIT" peer_status_all "$dir"; rc=$?
    if (( rc == 137 )); then
      record scale "$p" "status_all_ms@$n" "n/a" "n/a (over ${STATUS_LIMIT} s: cut)"
    elif (( rc == 0 )); then
      record scale "$p" "status_all_ms@$n" "$ms" "$(peer_status_cmd_note 2>/dev/null)"
    else
      record scale "$p" "status_all_ms@$n" "n/a" "$(peer_status_cmd_note 2>/dev/null || echo 'no status command') (failed or unavailable)"
    fi
  fi
  local s0=$EPOCHREALTIME
  peer_stop "$dir"
  wait_until 120 no_kids || log "scale/$p/$n: children left after stop"
  local s1=$EPOCHREALTIME
  record scale "$p" "stop_s@$n" "$(awk -v a="${s0/./}" -v b="${s1/./}" 'BEGIN{printf "%.3f", (b-a)/1e6}')"
  log "scale/$p/$n: start ${start_s}s, stop done"
  kill_tracked
  # The folder (up to 10,000 service directories) goes with the work dir at the end: removing
  # it here costs seconds per run.
}

# arbor only: descriptors per child with output captured (stdout+stderr "log")
arbor_fds_captured() {
  local n=$1 dir=$WORK/scale-arbor-log ts
  mkdir -p "$dir"; ts=$dir/ts
  peer_configure "$dir" "$n" "sleep {i} $ts" log
  peer_start "$dir"
  if wait_until 60 have_started "$ts" "$n"; then
    sleep 0.5
    record scale arbor "fds_captured@$n" "$(fd_count "$(cat "$dir/sup.pid")")" "descriptors of arbord with $n children, output captured"
  fi
  peer_stop "$dir"; rm_dir "$dir"
}

one_peer() {
  local p=$1 n
  for n in $NS; do one_n "$p" "$n"; done
  if [[ $p == arbor ]] && ! ((LEAN)); then
    arbor_fds_captured "${NS%% *}"
    # baseline: arbord with 1 child (descriptors that are not per child)
    local dir=$WORK/scale-arbor-1; mkdir -p "$dir"
    peer_configure "$dir" 1 "sleep {i} $dir/ts" null; peer_start "$dir"
    wait_until 20 have_started "$dir/ts" 1 && sleep 0.3 && record scale arbor "fds@1" "$(fd_count "$(cat "$dir/sup.pid")")"
    peer_configure "$dir" 1 "sleep {i} $dir/ts" null; peer_stop "$dir"; rm_dir "$dir"
  fi
}
for_peers scale one_peer

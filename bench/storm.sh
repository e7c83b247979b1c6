#!/usr/bin/env bash
# Crash storm: K children each living 100 ms then dying, for D seconds. Restarts per
# second achieved, supervisor CPU, and the latency of `status` of one child issued every
# 50 ms meanwhile (the peer's CLI; arbor: arborctl, or the socket client without it).
set -u
source "$BENCH/lib/common.sh"
K=$(( QUICK ? 20 : 500 ))
D=$(( QUICK ? 1 : 30 ))
PROBE_LIMIT=$(( QUICK ? 1 : 5 ))

one_peer() {
  local p=$1 dir=$WORK/storm-$p ts
  mkdir -p "$dir"; ts=$dir/ts
  if [[ $p == floor ]]; then :; fi
  peer_configure "$dir" "$K" "live 100 {i} $ts" null
  peer_config_text "$dir" > "$RESULTS_DIR/config-storm-$p.txt" 2>&1
  peer_start "$dir"
  if ! wait_until 120 have_started "$ts" "$K"; then
    record storm "$p" restarts_per_s "n/a" "n/a (only $(started_count "$ts") of $K started in 120 s)"
    peer_stop "$dir"; rm_dir "$dir"; return 0
  fi
  sleep "$( ((QUICK)) && echo 0.2 || echo 1)"
  local pids c0 c1 n0 n1 t0 t1 probe=$RESULTS_DIR/storm-status-$p.txt note
  pids=$(peer_sup_pids "$dir")
  : > "$probe"
  # Each probe is cut at PROBE_LIMIT s (then counted as that long): one CLI that hangs must
  # not stall the storm window, and "slower than 5 s" is all the table needs to say.
  status_probe() {
    if [[ $p == arbor ]] && ! has_ctl; then
      run_limited "$PROBE_LIMIT" "$BIN/ctlclient" "$dir/arbord.sock" c0 1 1
    else
      run_limited "$PROBE_LIMIT" peer_status_one "$dir" c0
    fi
    return 0
  }
  note="$(peer_status_cmd_note 2>/dev/null | cut -d/ -f1)"
  [[ $p == arbor ]] && ! has_ctl && note="socket client (arborctl not built)"
  n0=$(started_count "$ts"); c0=$(cpu_ticks $pids); t0=$EPOCHREALTIME
  local end=$(( ${t0/./} + D * 1000000 )) next=${t0/./} ms now timeouts=0
  while (( ${EPOCHREALTIME/./} < end )); do
    if [[ $p != floor ]]; then
      time_cmd ms status_probe   # exit status ignored: "not running" is an answer
      if (( $(awk -v m="$ms" -v l="$PROBE_LIMIT" 'BEGIN{print (m >= l*1000)}') )); then ms=$(( PROBE_LIMIT * 1000 )); ((timeouts++)); fi
      echo "$ms" >> "$probe"
    fi
    next=$(( next + 50000 )); now=${EPOCHREALTIME/./}
    (( next > now )) && sleep "$(awk -v u=$(( next - now )) 'BEGIN{printf "%.6f", u/1e6}')"
    (( next < now )) && next=$now
  done
  t1=$EPOCHREALTIME; c1=$(cpu_ticks $pids); n1=$(started_count "$ts")
  local secs; secs=$(awk -v a="${t0/./}" -v b="${t1/./}" 'BEGIN{printf "%.3f", (b-a)/1e6}')
  local rps; rps=$(awk -v n=$(( n1 - n0 )) -v s="$secs" 'BEGIN{printf "%.0f", n/s}')
  local cpu; cpu=$(awk -v t=$(( c1 - c0 )) -v s="$secs" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", 100*t/hz/s}')
  record storm "$p" restarts_per_s "$rps" "ideal: $(( K * 10 ))/s"
  record storm "$p" cpu_pct "$cpu" "% of one core, all supervisor processes"
  (( n1 > n0 )) && record storm "$p" cpu_ms_per_1k "$(awk -v t=$(( c1 - c0 )) -v n=$(( n1 - n0 )) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t*1000/hz/n*1000}')" "supervisor CPU ms per 1000 restarts"
  if [[ -s $probe ]]; then
    set -- $(python3 "$BENCH/lib/stats.py" latfile "$probe")
    record storm "$p" status_p50_ms "$2" "$note; $1 probes$( ((timeouts)) && echo ", $timeouts cut at ${PROBE_LIMIT} s")"
    record storm "$p" status_p99_ms "$3" "$note"
  fi
  set -- $(python3 "$BENCH/lib/stats.py" restart "$ts" "$RESULTS_DIR/storm-restart-$p.txt")
  record storm "$p" restart_p50_ms "$2" "death->restart during the storm, $1 samples (whole run)"
  record storm "$p" restart_p99_ms "$3"
  log "storm/$p: ${rps} restarts/s, cpu ${cpu}%, status probes $(wc -l < "$probe")"
  peer_stop "$dir" || log "storm/$p: stop timed out"
  rm_dir "$dir"
}
for_peers storm one_peer

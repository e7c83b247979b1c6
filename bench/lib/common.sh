# Shared helpers for the arbor benchmarks. Sourced by run.sh and every bench/*.sh.
# Expects: BENCH (bench/ folder), WORK (this run's temp dir), RESULTS (jsonl), BIN.

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }

now_ns() { "$BIN/now"; }

# json_str TEXT: TEXT as a JSON string (the notes here hold no control characters)
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/ }; s=${s//$'\t'/ }; printf '"%s"' "$s"; }

# record BENCH PEER METRIC VALUE [NOTE]  -> one JSON line in $RESULTS (no process: a run
# records hundreds of figures)
record() {
  local value=$4
  [[ $value =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] || value=$(json_str "$value")
  printf '{"bench": %s, "peer": %s, "metric": %s, "value": %s, "note": %s}\n' \
    "$(json_str "$1")" "$(json_str "$2")" "$(json_str "$3")" "$value" "$(json_str "${5:-}")" >> "$RESULTS"
}

# wait_until TIMEOUT_S CMD... : poll CMD until it succeeds; 1 on timeout. Every 20 ms for
# the first second, then every 200 ms: a check is often a pgrep over 20,000 processes,
# which polled fast would take a core from the supervisor being measured. WAIT_FAST=1 keeps
# 20 ms throughout, for a cheap check whose moment is measured.
wait_until() {
  local limit=$1; shift
  local start; start=$(date +%s%N)
  local end=$(( start + limit * 1000000000 )) now
  until "$@"; do
    now=$(date +%s%N)
    (( now > end )) && return 1
    if (( ${WAIT_FAST:-0} || now - start < 1000000000 )); then sleep 0.02; else sleep 0.2; fi
  done
}

# run_limited SECS CMD... : runs CMD (a function too) and kills it after SECS; the status
# is CMD's, or 137 when it was cut.
run_limited() {
  local secs=$1; shift
  "$@" &
  local pid=$!
  ( sleep "$secs"; kill -KILL "$pid" ) 2>/dev/null &
  local killer=$!
  wait "$pid"; local rc=$?
  kill "$killer" 2>/dev/null; wait "$killer" 2>/dev/null
  return $rc
}

# started_count TSFILE: number of "S" records
started_count() { local n=0; [[ -f $1 ]] && n=$(grep -c '^S' "$1"); echo "${n:-0}"; }
have_started() { (( $(started_count "$1") >= $2 )); }

# Processes of the bench child still alive (by the name it sets with prctl)
kids_alive() { pgrep -x arborbenchkid | wc -l; }
no_kids() { (( $(kids_alive) == 0 )); }

# Every descendant pid of the given pids (the pids themselves included)
descendants() { python3 "$BENCH/lib/procs.py" tree "$@"; }

# cpu_ticks PID... : utime+stime summed (clock ticks) over the given pids
cpu_ticks() { python3 "$BENCH/lib/procs.py" cpu "$@"; }

# mem_kb PID... : "RSS PSS" in KiB summed over the pids (smaps_rollup)
mem_kb() { python3 "$BENCH/lib/procs.py" mem "$@"; }

fd_count() { ls /proc/"$1"/fd 2>/dev/null | wc -l; }

# start time (clock ticks since boot) of a pid: guards against pid reuse
pid_start() { local f; f=$(cat /proc/"$1"/stat 2>/dev/null) || return 1; f=${f##*) }; set -- $f; echo "${20}"; }

# Track a pid so the EXIT trap (and the end of each peer) kills it by pid if still alive.
track() { echo "$1 $(pid_start "$1")" >> "$WORK/tracked.pids"; }

kill_tracked() {
  [[ -f $WORK/tracked.pids ]] || return 0
  local p st d
  while read -r p st; do
    [[ -n $st && $(pid_start "$p") == "$st" ]] || continue   # gone, or the pid was reused
    log "cleanup: killing leftover pid $p ($(cat /proc/$p/comm 2>/dev/null)) and its descendants"
    for d in $(descendants "$p" | sort -rn); do kill -KILL "$d" 2>/dev/null; done
  done < <(tac "$WORK/tracked.pids")
  : > "$WORK/tracked.pids"
  # children orphaned by a killed supervisor: any process still running a bench binary.
  # One find over /proc, not a readlink process per pid (10,000 forks took seconds).
  local orphans
  orphans=$(find /proc/[0-9]*/exe -maxdepth 0 -lname "$BIN/*" 2>/dev/null | cut -d/ -f3)
  [[ -n $orphans ]] && kill -KILL $orphans 2>/dev/null
  return 0
}

# time_cmd OUTVAR CMD... : wall time of CMD in ms (EPOCHREALTIME: no fork), output discarded
time_cmd() {
  local __v=$1; shift
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>&1; local rc=$?
  local t1=$EPOCHREALTIME
  printf -v "$__v" '%.2f' "$(( (${t1/./} - ${t0/./}) ))e-3"
  return $rc
}

# for_peers BENCHNAME FUNC : run FUNC PEER for every peer in $PEERS, each in a subshell
# with that peer's adapter sourced; a failing peer is logged and the others go on.
for_peers() {
  local bench=$1 fn=$2 p
  for p in $PEERS; do
    ( source "$BENCH/peers/$p.sh"
      if ! peer_available; then record "$bench" "$p" skipped "n/a (not installed/built)"; exit 0; fi
      "$fn" "$p" ) || log "$bench/$p failed (rc $?)"
    kill_tracked
  done
}

# stop_sup_pid DIR: SIGTERM the supervisor whose pid is in DIR/sup.pid, wait until it is gone
stop_sup_pid() {
  local pid; pid=$(cat "$1/sup.pid")
  kill -TERM "$pid" 2>/dev/null
  wait_until 300 bash -c "! kill -0 $pid 2>/dev/null"
}

# rm_dir DIR: a supervisor that is still exiting (PM2's daemon) may write one last file
# into DIR while rm runs; try again once it has settled.
rm_dir() { rm -rf "$1" 2>/dev/null || { sleep 1; rm -rf "$1"; }; }

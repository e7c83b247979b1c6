#!/usr/bin/env bash
# The stop of a worker whose cgroup holds 100 processes (issue 13: <= 50 ms after its grace).
# arbor only. The worker is a shell that ignores SIGTERM (so does what it starts: an ignored
# signal stays ignored across exec) and starts 100 `sleep`s, each in a session of its own
# (setsid: out of the worker's process group, so only the cgroup finds them). A stop sends
# SIGTERM, waits the grace (`shutdown`, GRACE_MS), then kills the cgroup and reports
# `exited` once cgroup.events says it is empty.
# Per round: arborctl's wall time for `stop c0` and, from arbord's log, the time from the
# `command` line of the stop to the `exited` line (ms stamps); both minus the grace.
# Usage: bench/cgstop.sh [ARBORD [ARBORCTL]]   env: ROUNDS (10), GRACE_MS (200), KIDS (100)
set -u
ARBORD=${1:-${ARBORD:-build/rel/daemon/arbord}}
ARBORCTL=${2:-${ARBORCTL:-build/rel/ctl/arborctl}}
ROUNDS=${ROUNDS:-10}
GRACE_MS=${GRACE_MS:-200}
KIDS=${KIDS:-100}
DIR=$(mktemp -d /tmp/arbor-cgstop.XXXXXX)
PID=
cleanup() {
  [[ -n $PID ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
[[ ${KEEP:-0} == 1 ]] && trap "kill -TERM \$PID; echo kept $DIR" EXIT

python3 - "$DIR" "$GRACE_MS" "$KIDS" <<'PY'
import json, sys
d, grace, kids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
script = ("trap '' TERM; i=0; while [ $i -lt %d ]; do setsid sleep 1000 & i=$((i+1)); done; wait" % kids)
cfg = {"socket": f"{d}/arbord.sock", "log_dir": f"{d}/logs", "cgroups": "required",
       "root": {"strategy": "one_for_one", "children": [
           {"id": "c0", "command": ["/bin/sh", "-c", script], "shutdown": grace,
            "stdout": "null", "stderr": "null"}]}}
json.dump(cfg, open(f"{d}/arbor.json", "w"))
PY
mkdir -p "$DIR/logs"
"$ARBORD" --config "$DIR/arbor.json" 2>"$DIR/arbord.err" &
PID=$!
ctl() { "$ARBORCTL" --socket "$DIR/arbord.sock" "$@"; }
# bounded wait: CMD until it succeeds, every 20 ms, up to LIMIT s
wait_for() {
  local limit=$1 i; shift
  for ((i = 0; i < limit * 50; i++)); do "$@" && return 0; sleep 0.02; done
  return 1
}
cg_of() { ctl --json status c0 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("pid") or "")'; }
full() {
  local pid; pid=$(cg_of); [[ -n $pid ]] || return 1
  local cg; cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup" 2>/dev/null) || return 1
  local mnt; mnt=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
  (( $(wc -l < "$mnt$cg/cgroup.procs") >= KIDS + 1 ))
}
stamp_ms() {  # "2026-12-03T07:59:01.123 ..." -> ms of the day
  local t=${1:11:12}
  echo $(( (10#${t:0:2} * 3600 + 10#${t:3:2} * 60 + 10#${t:6:2}) * 1000 + 10#${t:9:3} ))
}
wait_for 20 ctl status c0 >/dev/null 2>&1 || { echo "arbord did not come up:"; cat "$DIR/arbord.err"; exit 1; }
echo "load: $(cat /proc/loadavg)"
echo "grace ${GRACE_MS} ms, ${KIDS} processes in the worker's cgroup besides its shell"
walls=(); logs=()
for ((r = 1; r <= ROUNDS; r++)); do
  wait_for 30 full || { echo "round $r: the cgroup never held $((KIDS + 1)) processes"; exit 1; }
  lines=$(wc -l < "$DIR/arbord.err")
  t0=$EPOCHREALTIME
  ctl stop c0 >/dev/null || { echo "stop failed"; exit 1; }
  t1=$EPOCHREALTIME
  wall=$(( (${t1/./} - ${t0/./}) / 1000 - GRACE_MS ))
  new=$(tail -n +$((lines + 1)) "$DIR/arbord.err")
  c=$(grep -m1 'c0: command stop' <<<"$new")
  e=$(grep -m1 'c0: exited' <<<"$new")
  if [[ -n $c && -n $e ]]; then
    logs+=($(( $(stamp_ms "$e") - $(stamp_ms "$c") - GRACE_MS )))
  else
    logs+=(n/a)
  fi
  walls+=("$wall")
  echo "round $r: arborctl stop ${wall} ms after the grace; log command -> exited ${logs[-1]} ms after the grace"
  ctl start c0 >/dev/null || { echo "start failed"; exit 1; }
done
summary() { printf '%s\n' "$@" | grep -v n/a | sort -n | awk '{a[NR]=$1} END {if (NR) printf "p50 %s max %s (n=%d)", a[int((NR+1)/2)], a[NR], NR}'; }
echo "after the grace, arborctl wall: $(summary "${walls[@]}") ms; log stamps: $(summary "${logs[@]}") ms"
echo "load: $(cat /proc/loadavg)"

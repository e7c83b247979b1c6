#!/usr/bin/env bash
# reexec at scale (issue 15): N workers (each with its output captured, so a pipe and a
# pidfd each are handed over), then `arborctl reexec`; reports the time from the request
# to the new program's answer to `status`, the reexec reply alone, the state's size in
# bytes, and how many workers were restarted (their pid changed; the target is 0).
# Target: <= 300 ms at N = 5,000.
#
#   bench/reexec.sh [ARBORD] [ARBORCTL]   (default build/bench, else build/dev)
#   N=5000 ROUNDS=3 bench/reexec.sh
#   CGROUPS=auto bench/reexec.sh          (default off: each worker in a cgroup of its own)
# Not part of run.sh (no peer replaces its program in place).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$( [ -x build/bench/daemon/arbord ] && echo build/bench || echo build/dev)
ARBORD=$(realpath "${1:-$dir/daemon/arbord}") ARBORCTL=$(realpath "${2:-$dir/ctl/arborctl}")
N=${N:-5000} ROUNDS=${ROUNDS:-3}
work=$(mktemp -d /tmp/arbor-reexec-bench.XXXXXX)
trap 'kill "${arbord_pid:-}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
python3 - "$work" "$N" "${CGROUPS:-off}" <<'PY'
import json, sys
work, n, cgroups = sys.argv[1], int(sys.argv[2]), sys.argv[3]
children = [{"id": f"w{i}", "command": ["/bin/sleep", "infinity"]} for i in range(n)]
json.dump({"socket": f"{work}/arbord.sock", "log_dir": f"{work}/logs", "cgroups": cgroups,
           "root": {"max_restarts": 0, "children": children}}, open(f"{work}/arbor.json", "w"))
PY
ctl() { "$ARBORCTL" --socket "$work/arbord.sock" "$@"; }
"$ARBORD" --config "$work/arbor.json" 2>"$work/arbord.log" &
arbord_pid=$!
for _ in $(seq 600); do grep -q "tree started" "$work/arbord.log" && break; sleep 0.1; done
grep -q "tree started" "$work/arbord.log" || { echo "the tree did not start" >&2; exit 1; }
pids() { ctl --json status | python3 -c '
import json, sys
def walk(n):
    if n["type"] == "worker": yield n["path"], n["pid"], n["restarts"]
    for c in n.get("children", []): yield from walk(c)
print("\n".join(f"{p} {pid} {r}" for p, pid, r in sorted(walk(json.load(sys.stdin)))))'; }
pids > "$work/before"
ms() { echo $(( ($2 - $1) / 1000000 )).$(printf '%03d' $(( ($2 - $1) / 1000 % 1000 ))); }
echo "arbord: $ARBORD, N=$N, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  t0=$(date +%s%N)
  ctl reexec > /dev/null
  t1=$(date +%s%N)
  ctl status > /dev/null
  t2=$(date +%s%N)
  [ "$(cut -d' ' -f5 /proc/$arbord_pid/stat)" ] || true
  bytes=$(grep -o 'reexec: [0-9]* bytes of state' "$work/arbord.log" | tail -1 | tr -dc 0-9)
  # The phases from arbord's log (ms): state taken and written; the new binary's check;
  # the exec and the adoption.
  phases=$(grep -E 'reexec: ([0-9]+ bytes of state|handing|arbord .* took over)' "$work/arbord.log" | tail -3 |
           awk '{split($1, t, "T"); split(t[2], h, ":"); print (h[1] * 3600 + h[2] * 60 + h[3]) * 1000}' |
           paste -sd' ')
  set -- $phases
  echo "round $round: request -> status answered by the new program $(ms "$t0" "$t2") ms" \
       "(reexec reply $(ms "$t0" "$t1") ms; check $(( ${2%.*} - ${1%.*} )) ms, exec + adoption" \
       "$(( ${3%.*} - ${2%.*} )) ms), state $bytes bytes"
done
pids > "$work/after"
restarted=$(diff "$work/before" "$work/after" | grep -c '^>' || true)
echo "workers restarted: $restarted of $N; arbord pid $arbord_pid $( [ -d /proc/$arbord_pid ] && echo kept)"
ctl shutdown > /dev/null || true
wait "$arbord_pid" 2>/dev/null || true

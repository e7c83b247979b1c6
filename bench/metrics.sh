#!/usr/bin/env bash
# Metrics at scale (issue 16): N sleeping workers with "metrics": {"listen"}. Measures
#   - `metrics` of N workers: GET /metrics wall time (curl, render + transfer) and
#     `arborctl metrics` wall time (a process start, the request, the reply's JSON), SAMPLES
#     each, p50 and max;
#   - the cost of a scrape every second: arbord's CPU time (/proc/PID/stat utime + stime)
#     over DURATION s of one GET /metrics a second, minus its CPU over DURATION idle s,
#     as a percent of one core.
# Targets: `metrics` of 5,000 workers <= 50 ms; a scrape a second <= 5 % of a core.
#
#   bench/metrics.sh [BUILD] (default build/bench if it has arbord, else build/dev)
#   N=5000 SAMPLES=20 DURATION=60 PORT=19100 CGROUPS=auto bench/metrics.sh
# CGROUPS=off: no cgroup files read (the render alone); with cgroups each worker's cpu.stat
# (and memory.current with the memory controller) is read per scrape, except below a
# supervisor whose usage did not change since the last scrape (CgroupTree::cpu_usage).
# WORKLOAD=sleep (default): `sleep infinity` workers, idle, so a scrape reads one cpu.stat;
# WORKLOAD=tick: each worker wakes every TICK_MS (default 1000) ms, so between two
# scrapes some of them ran and every cpu.stat is read (the worst case).
# Not part of run.sh (no peer exports Prometheus metrics to compare with).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-$( [ -x build/bench/daemon/arbord ] && echo build/bench || echo build/dev)}
N=${N:-5000} SAMPLES=${SAMPLES:-20} DURATION=${DURATION:-60} PORT=${PORT:-19100} CGROUPS=${CGROUPS:-auto}
WORKLOAD=${WORKLOAD:-sleep} TICK_MS=${TICK_MS:-1000}
ARBORD=$BUILD/daemon/arbord ARBORCTL=$BUILD/ctl/arborctl
work=$(mktemp -d /tmp/arbor-metrics-bench.XXXXXX)
trap 'kill "${arbord_pid:-}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

command='["sleep", "infinity"]'
if [ "$WORKLOAD" = tick ]; then
  gcc -O2 -o "$work/child" bench/src/child.c
  command="[\"$work/child\", \"tick\", \"$TICK_MS\"]"
fi
python3 - "$work/arbor.json" "$N" "$PORT" "$work" "$CGROUPS" "$command" <<'PY'
import json, sys
path, n, port, work, cgroups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
command = json.loads(sys.argv[6])
children = [{"id": f"w{i}", "command": command, "stdout": "null", "stderr": "null"}
            for i in range(n)]
json.dump({"socket": f"{work}/arbord.sock", "log_dir": work, "metrics": {"listen": f"127.0.0.1:{port}"},
           "cgroups": cgroups,
           "root": {"max_restarts": 0, "children": children}}, open(path, "w"))
PY
"$ARBORD" --config "$work/arbor.json" --log-level warn 2>"$work/arbord.log" &
arbord_pid=$!
ctl() { "$ARBORCTL" --socket "$work/arbord.sock" "$@"; }
for _ in $(seq 1200); do
  active=$(ctl --json count / 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["active"])' 2>/dev/null || echo 0)
  [ "$active" = "$N" ] && break
  sleep 0.25
done
[ "$active" = "$N" ] || { echo "only $active of $N workers running"; exit 1; }
sleep 2  # let the boot's garbage go (malloc_trim at READY)
ticks() { awk '{print $14 + $15}' "/proc/$arbord_pid/stat"; }
url="http://127.0.0.1:$PORT/metrics"
bytes=$(curl -s "$url" | wc -c)
lines=$(curl -s "$url" | grep -vc '^#')
stats() { sort -n | awk '{a[NR]=$1} END{printf "p50=%.1f max=%.1f", a[int((NR+1)/2)], a[NR]}'; }
http_ms=$(for _ in $(seq "$SAMPLES"); do curl -s -o /dev/null -w '%{time_total}\n' "$url"; done |
  awk '{print $1 * 1000}' | stats)
ctl_ms=$(for _ in $(seq "$SAMPLES"); do
  s=$(date +%s%N); ctl metrics >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 ))
done | awk '{print $1 / 1000}' | stats)
hz=$(getconf CLK_TCK)
c0=$(ticks); t0=$(date +%s.%N); sleep "$DURATION"; c1=$(ticks); t1=$(date +%s.%N)
idle=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$hz" 'BEGIN{printf "%.3f", 100 * (b - a) / hz / (e - s)}')
c0=$(ticks); t0=$(date +%s.%N)
end=$(( $(date +%s) + DURATION ))
scrapes=0
while (( $(date +%s) < end )); do
  next=$(date +%s.%N)
  curl -s -o /dev/null "$url" && scrapes=$((scrapes + 1))
  sleep "$(awk -v n="$next" -v now="$(date +%s.%N)" 'BEGIN{d = 1 - (now - n); print (d > 0 ? d : 0)}')"
done
c1=$(ticks); t1=$(date +%s.%N)
busy=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$hz" 'BEGIN{printf "%.3f", 100 * (b - a) / hz / (e - s)}')
kill -TERM "$arbord_pid"; wait "$arbord_pid" || true
echo "build=$BUILD workers=$N cgroups=$CGROUPS workload=$WORKLOAD text_bytes=$bytes samples=$lines load=$(cut -d' ' -f1-3 /proc/loadavg)"
echo "GET /metrics ms: $http_ms; arborctl metrics ms: $ctl_ms (n=$SAMPLES)"
echo "arbord cpu: idle ${idle}% of a core, ${scrapes} scrapes in ${DURATION}s ${busy}%," \
  "scrape cost $(awk -v a="$busy" -v b="$idle" 'BEGIN{printf "%.3f", a - b}')% of a core"

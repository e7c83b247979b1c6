#!/usr/bin/env bash
# Health checks at scale (issue 14): N workers, each with a tcp health check every
# INTERVAL ms against a port of its own (one Python process listens on all N ports and
# records when each is probed). Reports arbord's CPU over DURATION seconds (percent of
# one core) and the largest gap between two probes of one port: a probe is late by
# (gap - INTERVAL). Targets: CPU below 5 %, no gap above 2 x INTERVAL. Then, against the
# same listener and for the same window, the floor (bench/src/probe_floor.c): the least any
# prober can do, a bare non-blocking connect and reset close per probe on the same schedule,
# so arbord's CPU is shown next to what the kernel's loopback handshakes alone cost.
#
#   bench/health.sh [ARBORD] (default build/bench/daemon/arbord, else build/dev)
#   N=1000 INTERVAL=1000 DURATION=30 BASE_PORT=20000 bench/health.sh
# Not part of run.sh (no peer has probes to compare with). Run as a user whose
# `ulimit -n` allows N + a few hundred descriptors for the listener.
set -euo pipefail
cd "$(dirname "$0")/.."
ARBORD=${1:-$( [ -x build/bench/daemon/arbord ] && echo build/bench/daemon/arbord || echo build/dev/daemon/arbord)}
N=${N:-1000} INTERVAL=${INTERVAL:-1000} DURATION=${DURATION:-30} BASE_PORT=${BASE_PORT:-20000}
work=$(mktemp -d /tmp/arbor-health-bench.XXXXXX)
trap 'kill "${arbord_pid:-}" "${listener_pid:-}" 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

python3 bench/lib/probe_listener.py "$BASE_PORT" "$N" "$work/listening" "$work/probes.json" &
listener_pid=$!
for _ in $(seq 100); do [ -e "$work/listening" ] && break; sleep 0.1; done
python3 - "$work/arbor.json" "$N" "$INTERVAL" "$BASE_PORT" "$work" <<'PY'
import json, sys
path, n, interval, base, work = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
children = [{"id": f"w{i}", "command": ["sleep", "infinity"], "stdout": "null", "stderr": "null",
             "health": {"tcp": f"127.0.0.1:{base + i}", "interval": interval, "timeout": 1000}}
            for i in range(n)]
json.dump({"socket": f"{work}/arbord.sock", "log_dir": work,
           "root": {"max_restarts": 0, "children": children}}, open(path, "w"))
PY
"$ARBORD" --config "$work/arbor.json" --log-level warn 2>"$work/arbord.log" &
arbord_pid=$!
ticks() { awk '{print $14 + $15}' "/proc/$arbord_pid/stat"; }
split() { awk '{print "utime=" $14 " stime=" $15}' "/proc/$arbord_pid/stat"; }
wakeups() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$arbord_pid/status"; }
# Started: every worker is up once the first probes arrive; give the schedule one interval.
sleep "$(awk -v i="$INTERVAL" 'BEGIN{print 2 + 2 * i / 1000}')"
c0=$(ticks); w0=$(wakeups); t0=$(date +%s.%N)
sleep "$DURATION"
c1=$(ticks); w1=$(wakeups); t1=$(date +%s.%N)
echo "arbord $(split) (clock ticks, since its start); wakeups (voluntary context switches) a second: $(( (w1 - w0) / DURATION ))"
[ -n "${PERF:-}" ] && perf record -F 999 -g -p "$arbord_pid" -o "$PERF" -- sleep 5 >/dev/null 2>&1
kill -TERM "$arbord_pid"; wait "$arbord_pid" || true
kill -TERM "$listener_pid"; wait "$listener_pid" || true
# The floor, against a listener of its own (so the gaps above are arbord's alone).
gcc -O2 -o "$work/probe_floor" bench/src/probe_floor.c
python3 bench/lib/probe_listener.py "$BASE_PORT" "$N" "$work/floor-listening" "$work/floor-probes.json" &
listener_pid=$!
for _ in $(seq 100); do [ -e "$work/floor-listening" ] && break; sleep 0.1; done
floor=$("$work/probe_floor" "$BASE_PORT" "$N" "$INTERVAL" "$DURATION")
kill -TERM "$listener_pid"; wait "$listener_pid" || true
hz=$(getconf CLK_TCK)
cpu=$(awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$hz" 'BEGIN{printf "%.2f", 100 * (b - a) / hz / (e - s)}')
echo "workers=$N interval_ms=$INTERVAL window_s=$DURATION arbord_cpu_percent=$cpu probes=$(cat "$work/probes.json")"
echo "floor (bare connect + reset close, same schedule): $floor listener=$(cat "$work/floor-probes.json")"
grep -c unhealthy "$work/arbord.log" | sed 's/^/unhealthy_events=/' || true

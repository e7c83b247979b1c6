#!/usr/bin/env bash
# Soak: arbord under ASan+UBSan runs a mixed tree for SECONDS (default 600) while crash
# loops run under every strategy, workers fail their health checks (an exec probe and a
# tcp probe to a closed port) and are restarted for it, and an operator loop stops,
# starts, restarts, adds and removes children (a dynamic supervisor's, and one added with
# --spec to a supervisor), reloads, and status and watch clients
# connect and drop. It prints
# arbord's open descriptors and RSS after the first minute (or a sixth of the run, if
# shorter) and at the end, and fails if
#   - the descriptor count grew by more than 6 (captured logs are reopened lazily, watch
#     clients come and go), or RSS grew by more than 10% + 4 MiB (ASan's allocator
#     settles slowly; a leak of one allocation per restart grows far past that). ASan's
#     quarantine of freed memory is cut to 16 MiB: at its default 256 MiB it fills for
#     minutes and RSS grows by that much with no leak at all (CI once failed on it);
#   - arbord died, answered a status with an error, or exited non-zero at its SIGTERM
#     (ASan's leak check runs at that exit);
#   - any process a worker started is left once arbord has exited.
# Every 25th round it runs `arborctl reexec` (cgroups per SOAK_CGROUPS, default auto; a
# `busy` refusal while a step is under way is counted as such).
# Usage: scripts/soak.sh [SECONDS]. ARBOR_BUILD: the build tree (default build/test-sanitize,
# which scripts/test.sh builds; built here if it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-600}
build=${ARBOR_BUILD:-build/test-sanitize}
if [ ! -x "$build/daemon/arbord" ] || [ ! -x "$build/ctl/arborctl" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DARBOR_SANITIZE=ON \
    -DARBOR_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target arbord arborctl >/dev/null
fi
arbord=$PWD/$build/daemon/arbord
work=$(mktemp -d /tmp/arbor-soak.XXXXXX)
sock=$work/arbord.sock
token=arbor-soak-$$-$RANDOM  # in every worker's environment: how leftovers are found
ctl() { "$PWD/$build/ctl/arborctl" --socket "$sock" "$@"; }
fail() { echo "soak FAILED: $*" >&2; exit 1; }
pid=
watchers=()  # watch clients in flight
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  for w in "${watchers[@]}"; do kill "$w" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

crash() { printf '{"id": "%s", "command": ["/bin/sh", "-c", "sleep %s; exit 1"], "shutdown": 1000}' "$1" "$2"; }
steady() { printf '{"id": "%s", "command": ["/bin/sleep", "100000"], "shutdown": 1000}' "$1"; }
chatty() {  # writes lines fast: rotation and the capture path stay busy
  printf '{"id": "%s", "command": ["/bin/sh", "-c", "while :; do echo %s; done"], "shutdown": 1000}' "$1" \
    "line-of-captured-output-from-a-busy-worker"
}
sick() {  # fails its health check ($2: the probe) twice, 200 ms apart: killed and restarted
  printf '{"id": "%s", "command": ["/bin/sleep", "100000"], "shutdown": 1000, "health": {%s, "interval": 200, "timeout": 500, "failures": 2}}' "$1" "$2"
}
tree() {  # $1: the reload generation, changing one worker's spec so reload has work
  cat <<EOF
{
  "socket": "$sock", "log_dir": "$work/logs", "logs": {"max_bytes": 1048576, "keep": 2},
  "cgroups": "${SOAK_CGROUPS:-auto}",
  "root": {"strategy": "one_for_one", "max_restarts": 100000, "max_seconds": 1, "children": [
    {"id": "ofo", "type": "supervisor", "strategy": "one_for_one", "max_restarts": 1000, "max_seconds": 1,
     "children": [$(crash c1 0.05), $(crash c2 0.2), $(steady s1), $(chatty chat),
       $(sick exec '"exec": ["/bin/false"]'), $(sick tcp '"tcp": "127.0.0.1:1"')]},
    {"id": "ofa", "type": "supervisor", "strategy": "one_for_all", "max_restarts": 1000, "max_seconds": 1,
     "children": [$(steady a), $(crash b 0.3), $(steady c)]},
    {"id": "rfo", "type": "supervisor", "strategy": "rest_for_one", "max_restarts": 1000, "max_seconds": 1,
     "children": [$(steady a), $(crash b 0.25), $(steady c)]},
    {"id": "jobs", "type": "dynamic_supervisor", "max_children": 50, "max_restarts": 1000, "max_seconds": 1,
     "template": {"command": ["/bin/sh", "-c", "sleep \$0; exit \$1"], "restart": "transient"}},
    {"id": "gen", "command": ["/bin/sh", "-c", "sleep 1000; echo $1"], "shutdown": 500}
  ]}
}
EOF
}
tree 0 >"$work/tree.json"
mkdir -p "$work/logs"
ARBOR_SOAK_TOKEN=$token ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=16 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$arbord" --config "$work/tree.json" 2>"$work/arbord.err" &
pid=$!
for _ in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl status >/dev/null || fail "arbord did not come up: $(tail -5 "$work/arbord.err")"

# Measured right after the dynamic supervisor's reset, with no watch client connected.
wait_watchers() {
  for w in "${watchers[@]}"; do wait "$w" 2>/dev/null || true; done
  watchers=()
}
measure() { echo "$(ls /proc/"$pid"/fd | wc -l) $(awk '/^VmRSS/ {print $2}' /proc/"$pid"/status)"; }
operator_round() {  # one round of everything an operator and a script would do
  local n=$1
  ctl stop ofo/s1 >/dev/null && ctl start ofo/s1 >/dev/null
  ctl restart rfo/a >/dev/null
  # A third of the jobs crash-loop (transient, exit 1) until the stop of the whole
  # dynamic supervisor every 20th round; the others end normally and are removed.
  ctl add jobs -- 0.$((n % 9 + 1)) $((n % 3 == 0)) >/dev/null || true  # full at 50: refused, fine
  ctl status --json >/dev/null || fail "status failed in round $n"
  timeout 0.3 "$PWD/$build/ctl/arborctl" --socket "$sock" watch --json >/dev/null 2>&1 &
  watchers+=($!)
  if ((n % 20 == 0)); then ctl stop jobs >/dev/null && ctl start jobs >/dev/null; fi
  if ((n % 10 == 0)); then
    tree "$n" >"$work/tree.json"
    ctl reload >/dev/null || fail "reload failed in round $n"
  fi
  if ((n % 7 == 0)); then ctl signal ofa/a KILL >/dev/null 2>&1 || true; fi
  if ((n % 15 == 0)); then  # a child added at run time, then removed
    ctl add ofo --spec "$(steady "tmp$n")" >/dev/null || fail "add --spec failed in round $n"
    ctl stop "ofo/tmp$n" >/dev/null && ctl remove "ofo/tmp$n" >/dev/null || fail "remove failed in round $n"
  fi
  ctl logs ofo/chat --lines 5 >/dev/null || true
  # arbord execs itself in place (cgroups on or off); refused (busy) while a restart, a
  # command or a cgroup's emptying is under way.
  if ((n % 25 == 0)); then
    local out
    if out=$(ctl --json reexec 2>&1); then
      reexecs=$((reexecs + 1))
    else
      grep -q '"busy"' <<<"$out" || fail "reexec failed in round $n: $out"
    fi
    kill -0 "$pid" 2>/dev/null || fail "arbord died at reexec in round $n: $(tail -5 "$work/arbord.err")"
  fi
}
reexecs=0
first=$((duration < 360 ? duration / 6 : 60))
start=$SECONDS
n=0
baseline=
while ((SECONDS - start < duration)); do
  n=$((n + 1))
  kill -0 "$pid" 2>/dev/null || fail "arbord died in round $n: $(tail -5 "$work/arbord.err")"
  operator_round "$n"
  if [ -z "$baseline" ] && ((SECONDS - start >= first)) && ((n % 20 == 0)); then
    wait_watchers
    baseline=$(measure)
    echo "soak: after ${first}s: fds ${baseline% *}, RSS ${baseline#* } KiB ($n operator rounds)"
  fi
done
while ((n % 20 != 0)); do n=$((n + 1)); operator_round "$n"; done
wait_watchers
[ -n "$baseline" ] || baseline=$(measure)
final=$(measure)
restarts=$(ctl status --json | python3 -c 'import json,sys
def walk(n): return n.get("restarts", 0) + sum(walk(c) for c in n.get("children", []))
print(walk(json.load(sys.stdin)))')
echo "soak: after ${duration}s: fds ${final% *}, RSS ${final#* } KiB ($n operator rounds, $restarts restarts," \
  "$reexecs reexecs)"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
left=$(grep -l "ARBOR_SOAK_TOKEN=$token" /proc/[0-9]*/environ 2>/dev/null || true)
[ "$status" -eq 0 ] || fail "arbord exited $status at SIGTERM: $(grep -m5 -E 'ERROR|runtime error' "$work/arbord.err")"
[ -z "$left" ] || fail "processes left after arbord's exit: $left"
# A few descriptors come and go with the crash loops' restarts in flight (a pipe pair, a
# pidfd, a notify socket each): a leak of one per restart or per client is far more.
((${final% *} <= ${baseline% *} + 6)) || fail "descriptors grew: ${baseline% *} -> ${final% *}"
limit=$((${baseline#* } * 110 / 100 + 4096))
((${final#* } <= limit)) || fail "RSS grew: ${baseline#* } -> ${final#* } KiB (limit $limit)"
echo "soak: ok"

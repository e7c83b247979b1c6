#!/usr/bin/env bash
# The history's memory (SPEC §10, issue 16): arbord's PSS just after boot, and again once
# more than 10,000 events have been published (the ring is full: every kept slot holds an
# event with its cause), a worker restarting in a loop to make them. Needs a build with
# arbor_events_total (`metrics`).
# Usage: bench/events.sh [ARBORD [ARBORCTL]]   (default build/bench, else build/dev)
# Prints: pss_boot_kib pss_full_kib delta_kib (smaps_rollup's Pss).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/build/bench; [[ -x $B/daemon/arbord ]] || B=$ROOT/build/dev
ARBORD=${1:-$B/daemon/arbord}
ARBORCTL=${2:-$B/ctl/arborctl}
DIR=$(mktemp -d /tmp/arbor-events.XXXXXX)
trap '[[ -n ${PID:-} ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT
cat > "$DIR/tree.json" <<JSON
{"socket": "$DIR/arbord.sock", "log_dir": "$DIR/logs",
 "root": {"max_restarts": 1000000, "max_seconds": 1, "children": [
   {"id": "idle", "command": ["/bin/sleep", "1000"]},
   {"id": "loop", "command": ["/bin/true"]}]}}
JSON
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
"$ARBORD" --config "$DIR/tree.json" --log-level error > "$DIR/arbord.log" 2>&1 &
PID=$!
for _ in $(seq 100); do [[ -S $DIR/arbord.sock ]] && break; sleep 0.1; done
export ARBOR_SOCKET=$DIR/arbord.sock
"$ARBORCTL" stop loop > /dev/null   # boot's PSS with the loop stopped: the same code paths ran
sleep 0.5
PSS0=$(pss "$PID")
"$ARBORCTL" start loop > /dev/null || true
# Full once more than 10,000 events were published (the sum of arbor_events_total). Not
# `watch --since 0` as before: each of its replays of up to 10,000 events was buffered in
# arbord and left the heap's high-water mark in the figure (~0.5-1 MiB of noise).
published() { "$ARBORCTL" metrics | awk '/^arbor_events_total/ {n += $2} END {print n + 0}'; }
for _ in $(seq 600); do
  out=$(published)
  (( out > 10000 )) && break
  sleep 0.5
done
out="$out events published"
"$ARBORCTL" stop loop > /dev/null || true
sleep 0.5
PSS1=$(pss "$PID")
echo "pss_boot_kib=$PSS0 pss_full_kib=$PSS1 delta_kib=$((PSS1 - PSS0)) ($out)"

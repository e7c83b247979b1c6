#!/usr/bin/env bash
# Held listening sockets under crashes (docs/CONFIG.md "listen"): a small HTTP server
# (src/httpd.c) is SIGKILLed every 100 ms while wrk drives it at a steady rate, under
#   arbor        "listen": arbord holds the socket, the server takes fd 3 (LISTEN_FDS)
#   arbor-own    no "listen": the server binds its own port (SO_REUSEADDR), as most do
#   supervisord  the same own-port server under supervisord (autorestart, startsecs=0)
# and reports requests answered, connection errors (refused: the goal with arbor is 0),
# errors on open connections, non-2xx answers and p50/p99 latency.
#
# Each request is its own connection ("Connection: close"): a kill then costs only the
# requests the dying instance had accepted and not yet answered, and a connection opened
# while no instance runs either waits in the held backlog (arbor) or is refused.
#
# Run by run.sh (--only sockets), or alone: sudo bench/sockets.sh [--quick]. Alone, it uses
# $ARBOR_BUILD (default build/bench, else build/dev) and writes bench/results/sockets/.
set -u
BENCH=${BENCH:-$(cd "$(dirname "$0")" && pwd)}
ROOT=${ROOT:-$(cd "$BENCH/.." && pwd)}
STANDALONE=0
if [[ -z ${WORK:-} ]]; then
  STANDALONE=1
  QUICK=0; [[ ${1:-} == --quick ]] && QUICK=1
  WORK=$(mktemp -d /tmp/arbor-bench.XXXXXX); BIN=$WORK/bin; RESULTS_DIR=$WORK/results
  RESULTS=$RESULTS_DIR/results.jsonl; PEERS="arbor supervisord"
  mkdir -p "$BIN" "$RESULTS_DIR"
  export BENCH ROOT QUICK WORK BIN RESULTS_DIR RESULTS PEERS
fi
source "$BENCH/lib/common.sh"
if ((STANDALONE)); then
  trap 'kill_tracked; [[ ${KEEP_WORK:-0} == 0 ]] && rm -rf "$WORK"' EXIT
  gcc -O2 -static -o "$BIN/now" "$BENCH/src/now.c" || die "gcc now"
fi
DURATION=30; ((QUICK)) && DURATION=5
KILL_EVERY=0.1
CONNS=16; DELAY_MS=8   # at most CONNS * 1000 / DELAY_MS = 2,000 requests/s, whatever the server does

# wrk and supervisord are Debian packages, installed as run.sh installs the peers
need=()
for pkg in wrk supervisor gcc libc6-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  log "apt-get install ${need[*]}"
  SUDO=; ((EUID)) && SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" \
    >"$WORK/apt-sockets.log" 2>&1 || die "apt-get failed, see $WORK/apt-sockets.log"
fi
gcc -O2 -static -o "$BIN/httpd" "$BENCH/src/httpd.c" || die "gcc httpd"

ARBOR_BUILD=${ARBOR_BUILD:-$ROOT/build/bench}
[[ -x $ARBOR_BUILD/daemon/arbord ]] || ARBOR_BUILD=$ROOT/build/dev
ARBORD=$ARBOR_BUILD/daemon/arbord
[[ -x $ARBORD ]] || die "no arbord in $ARBOR_BUILD (build it, or set ARBOR_BUILD)"

# A port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
answers() { python3 - "$1" <<'EOF' >/dev/null 2>&1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
sys.exit(0 if s.recv(100).startswith(b"HTTP/1.1 200") else 1)
EOF
}

# wrk's Lua: a steady rate per connection (delay), one connection per request, and a JSON
# summary of the figures (wrk's own counters and latency histogram, in µs).
cat > "$WORK/steady.lua" <<EOF
wrk.headers["Connection"] = "close"
function delay() return $DELAY_MS end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"status": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "duration_us": %d}\n', summary.requests,
    e.connect, e.read, e.write, e.timeout, e.status, latency:percentile(50), latency:percentile(99),
    latency.max, summary.duration))
end
EOF

configure_arbor() {  # DIR PORT HELD
  local dir=$1 port=$2 held=$3 listen="" cmd="[\"$BIN/httpd\", \"127.0.0.1:$port\"]"
  ((held)) && { listen=", \"listen\": [{\"tcp\": \"127.0.0.1:$port\"}]"; cmd="[\"$BIN/httpd\"]"; }
  cat > "$dir/arbor.json" <<EOF
{"socket": "$dir/arbord.sock", "log_dir": "$dir/logs",
 "root": {"max_restarts": 1000000, "max_seconds": 1, "children": [
   {"id": "web", "command": $cmd, "stdout": "null", "stderr": "null", "shutdown": 1000$listen}]}}
EOF
}

configure_supervisord() {  # DIR PORT
  local dir=$1 port=$2
  cat > "$dir/supervisord.conf" <<EOF
[unix_http_server]
file=$dir/supervisor.sock
[supervisord]
nodaemon=true
logfile=$dir/supervisord.log
pidfile=$dir/supervisord.pid
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[program:web]
command=$BIN/httpd 127.0.0.1:$port
autostart=true
autorestart=true
startsecs=0
startretries=1000000
stdout_logfile=NONE
stderr_logfile=NONE
EOF
}

# run_case NAME: starts the supervisor, waits for an answer, kills the server every 100 ms
# while wrk runs, records the figures, stops the supervisor.
run_case() {
  local name=$1 dir=$WORK/sockets-$1 port sup
  mkdir -p "$dir/logs"
  port=$(free_port)
  case $name in
    arbor) configure_arbor "$dir" "$port" 1; "$ARBORD" --config "$dir/arbor.json" 2>"$dir/arbord.log" & ;;
    arbor-own) configure_arbor "$dir" "$port" 0; "$ARBORD" --config "$dir/arbor.json" 2>"$dir/arbord.log" & ;;
    supervisord) configure_supervisord "$dir" "$port"; supervisord -c "$dir/supervisord.conf" >/dev/null 2>&1 & ;;
  esac
  sup=$!; track "$sup"
  cp "$dir"/*.json "$dir"/*.conf "$RESULTS_DIR/" 2>/dev/null
  for f in "$dir"/arbor.json "$dir"/supervisord.conf; do
    [[ -f $f ]] && cp "$f" "$RESULTS_DIR/config-sockets-$name.txt"
  done
  if ! wait_until 20 answers "$port"; then
    record sockets "$name" requests "n/a (no answer on port $port)"; kill -TERM "$sup"; wait "$sup"; return
  fi
  # The killer: every 100 ms, SIGKILL every process running this run's httpd binary.
  ( n=0; end=$(( $(date +%s) + DURATION ))
    while (( $(date +%s) < end )); do
      for p in $(pgrep -f "^$BIN/httpd"); do kill -KILL "$p" 2>/dev/null && n=$((n + 1)); done
      sleep "$KILL_EVERY"
    done; echo "$n" > "$dir/kills" ) &
  local killer=$!; track "$killer"
  wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$WORK/steady.lua" "http://127.0.0.1:$port/" \
    > "$dir/wrk.out" 2>&1
  wait "$killer"
  local json kills; json=$(grep '^{"requests"' "$dir/wrk.out" | tail -1); kills=$(cat "$dir/kills" 2>/dev/null || echo 0)
  if [[ -z $json ]]; then
    record sockets "$name" requests "n/a (wrk failed: $(tail -1 "$dir/wrk.out"))"
  else
    python3 - "$json" "$name" "$kills" "$DURATION" <<'EOF' >> "$RESULTS"
import json, sys
r, peer, kills, duration = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
note = f"{duration} s, SIGKILL every 100 ms"
def rec(metric, value):
    print(json.dumps({"bench": "sockets", "peer": peer, "metric": metric, "value": value, "note": note}))
for m in ("requests", "connect", "read", "write", "timeout", "status"):
    rec(m, r[m])
rec("kills", kills)
rec("p50_ms", r["p50_us"] / 1000); rec("p99_ms", r["p99_us"] / 1000); rec("max_ms", r["max_us"] / 1000)
EOF
    log "sockets/$name: $json, $kills kills"
  fi
  kill -TERM "$sup" 2>/dev/null
  wait_until 30 bash -c "! kill -0 $sup 2>/dev/null" || kill -KILL "$sup"
  wait "$sup" 2>/dev/null
}

for c in arbor arbor-own supervisord; do
  [[ $c == supervisord ]] && ! command -v supervisord >/dev/null && continue
  run_case "$c"
  kill_tracked
done

if ((STANDALONE)); then
  OUT=$BENCH/results/sockets; mkdir -p "$OUT"
  cp "$RESULTS" "$OUT/results.jsonl"; cp "$RESULTS_DIR"/config-sockets-*.txt "$OUT/" 2>/dev/null
  { echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"; echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "arbord=$ARBORD"; echo "wrk=$(wrk -v 2>&1 | head -1)"; } > "$OUT/meta.txt"
  python3 "$BENCH/lib/sockets_table.py" "$OUT/results.jsonl" | tee "$OUT/SOCKETS.md"
fi

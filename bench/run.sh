#!/usr/bin/env bash
# arbor benchmarks against supervisord, runit, s6, daemontools, PM2 and the physical floor.
# Usage: bench/run.sh [--quick] [--peers "arbor floor ..."] [--only "restart scale sockets ..."]
#                     [--no-install] [--no-build]
# Full mode writes docs/BENCHMARKS.md and bench/results/full/; --quick writes
# bench/results/quick/ (BENCHMARKS.md there). Run as root (apt-get) on Debian 12.
set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
QUICK=0; INSTALL=1; BUILD=1
PEERS="arbor floor supervisord runit s6 daemontools pm2"
ONLY="restart-immediate restart-lived scale storm logs control sockets"
while (($#)); do
  case $1 in
    --quick) QUICK=1;;
    --peers) PEERS=$2; shift;;
    --only) ONLY=$2; shift;;
    --no-install) INSTALL=0;;
    --no-build) BUILD=0;;
    *) echo "usage: $0 [--quick] [--peers LIST] [--only LIST] [--no-install] [--no-build]" >&2; exit 2;;
  esac
  shift
done
WORK=$(mktemp -d /tmp/arbor-bench.XXXXXX)
BIN=$WORK/bin
RESULTS_DIR=$WORK/results
RESULTS=$RESULTS_DIR/results.jsonl
mkdir -p "$BIN" "$RESULTS_DIR"
export BENCH ROOT QUICK WORK BIN RESULTS_DIR RESULTS PEERS
source "$BENCH/lib/common.sh"
T_BEGIN=$(date +%s)

cleanup() {
  kill_tracked
  if [[ ${KEEP_WORK:-0} == 0 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

ulimit -n "$(ulimit -Hn)" || die "cannot raise the descriptor limit"
log "work dir $WORK, open files limit $(ulimit -n), mode $( ((QUICK)) && echo quick || echo full)"

# 1. peers: Debian packages and PM2 from npm into bench/node (never global)
if ((INSTALL)); then
  need=()
  for pkg in supervisor runit s6 daemontools gnuplot-nox gcc libc6-dev python3; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
  done
  if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    SUDO=; ((EUID)) && SUDO=sudo
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >"$WORK/apt.log" 2>&1 ||
      { $SUDO apt-get update >/dev/null 2>&1; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >"$WORK/apt.log" 2>&1; } ||
      die "apt-get failed, see $WORK/apt.log"
  fi
  if [[ ! -x $BENCH/node/node_modules/.bin/pm2 ]]; then
    command -v npm >/dev/null || { SUDO=; ((EUID)) && SUDO=sudo; $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y npm >"$WORK/apt-npm.log" 2>&1; }
    log "npm install pm2 into bench/node"
    mkdir -p "$BENCH/node"
    (cd "$BENCH/node" && npm install --no-audit --no-fund --prefix "$BENCH/node" pm2@5 >"$WORK/npm.log" 2>&1) || log "npm install pm2 failed: PM2 rows will be n/a"
  fi
fi
# the Debian packages do not start anything here (no systemd in containers); make sure
# no system-wide instance of a peer is running, so counts by name stay ours
for d in runsvdir s6-svscan svscan supervisord; do
  pgrep -x "$d" >/dev/null && log "warning: a $d not started by this run is running: $(pgrep -ax "$d" | head -3)"
done

# 2. arbor in Release (-O2, warnings are errors as in every build)
if ((BUILD)); then
  log "building arbor (Release)"
  { cmake -S "$ROOT" -B "$ROOT/build/bench" -DCMAKE_BUILD_TYPE=Release -DARBOR_TESTS=OFF &&
    cmake --build "$ROOT/build/bench" -j2; } >"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; die "arbor build failed"; }
  if cmake --build "$ROOT/build/bench" --target arborctl >>"$WORK/build.log" 2>&1; then :; fi
fi
[[ -x $ROOT/build/bench/ctl/arborctl ]] || log "arborctl not built: CLI rows for arbor are skipped (socket client used instead)"

# 3. the bench programs
for p in child now floor; do gcc -O2 -static -o "$BIN/$p" "$BENCH/src/$p.c" || die "gcc $p"; done
gcc -O2 -static -pthread -o "$BIN/ctlclient" "$BENCH/src/ctlclient.c" || die "gcc ctlclient"

# 4. machine and versions
{
  echo "machine=$(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode=$( ((QUICK)) && echo quick || echo full)"
  for p in $PEERS; do ( source "$BENCH/peers/$p.sh"; peer_available && echo "version_$p=$(peer_version)" || echo "version_$p=not available" ); done
  echo "gcc=$(gcc --version | head -1)"
} > "$RESULTS_DIR/meta.txt"
cat "$RESULTS_DIR/meta.txt" >&2

# 5. the benchmarks
T_BENCH=$(date +%s)
for b in $ONLY; do
  log "=== $b"
  case $b in
    restart-immediate) "$BENCH/restart.sh" immediate;;
    restart-lived) "$BENCH/restart.sh" lived;;
    scale) "$BENCH/scale.sh";;
    storm) "$BENCH/storm.sh";;
    logs) "$BENCH/logs.sh";;
    control) "$BENCH/control.sh";;
    sockets) "$BENCH/sockets.sh";;
    *) die "unknown benchmark $b";;
  esac
  kill_tracked
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS_DIR/meta.txt"
echo "elapsed_s=$(( $(date +%s) - T_BEGIN ))" >> "$RESULTS_DIR/meta.txt"
echo "bench_s=$(( $(date +%s) - T_BENCH ))" >> "$RESULTS_DIR/meta.txt"

# 6. nothing left behind
kill_tracked
sleep 0.5
left=$(pgrep -x arborbenchkid)
for p in $(pgrep -f "$WORK"); do [[ $p != $$ ]] && left+=" $p"; done
for p in /proc/[0-9]*; do [[ $(readlink "$p/exe" 2>/dev/null) == "$BIN"/* ]] && left+=" ${p#/proc/}"; done
left=$(echo $left | tr ' ' '\n' | sort -u | while read -r p; do [[ -n $p && $p != $$ && $p != $BASHPID ]] && kill -0 "$p" 2>/dev/null && echo "$p"; done)
if [[ -n $left ]]; then
  log "LEFTOVER PROCESSES:"; ps -o pid,ppid,comm,args -p $(echo $left | tr ' ' ',') >&2
  for p in $left; do kill -KILL "$p" 2>/dev/null; done
  echo "leftovers=$(echo $left | wc -w) (killed)" >> "$RESULTS_DIR/meta.txt"
  FAIL=1
else
  log "no process left behind"
  echo "leftovers=0" >> "$RESULTS_DIR/meta.txt"
  FAIL=0
fi

# 7. the report
MODE=$( ((QUICK)) && echo quick || echo full)
OUT=$BENCH/results/$MODE
rm -rf "$OUT"; mkdir -p "$OUT"; cp -r "$RESULTS_DIR"/. "$OUT/"
DOC=$OUT/BENCHMARKS.md; ((QUICK)) || DOC=$ROOT/docs/BENCHMARKS.md
python3 "$BENCH/report.py" "$OUT" "$DOC" || die "report failed"
log "wrote $DOC (raw data and charts in ${OUT#$ROOT/}), $(( $(date +%s) - T_BEGIN )) s"
((FAIL)) && die "processes were left behind (listed above)"
exit 0

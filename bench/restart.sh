#!/usr/bin/env bash
# Restart latency: child death (timestamp by the child just before it exits) to the
# replacement's first instruction (timestamp by the child at start), CLOCK_MONOTONIC.
# Usage: restart.sh immediate|lived   (env from run.sh)
set -u
source "$BENCH/lib/common.sh"
MODE=$1
TARGET=$(( QUICK ? 20 : 500 ))

one_peer() {
  local p=$1 dir=$WORK/restart-$MODE-$p ts k tmpl limit
  mkdir -p "$dir"; ts=$dir/ts
  if [[ $MODE == immediate ]]; then
    tmpl="die {i} $ts"
    # peers with an enforced 1 s delay: several children in parallel so >= TARGET samples
    # come in bounded time (each child's own death->restart pairs are measured)
    case $p in runit|s6|daemontools|supervisord) k=$(( QUICK ? 20 : 100 ));; *) k=1;; esac
    limit=$(( QUICK ? 15 : 40 ))
  else
    k=$(( QUICK ? 20 : 100 ))   # quick: one lifetime gives the 20 samples
    tmpl="live 1100+3 {i} $ts"   # child i lives 1100 + 3*i ms: > 1 s, deaths spread out
    limit=$(( QUICK ? 20 : 40 ))
  fi
  peer_configure "$dir" "$k" "$tmpl" null
  peer_config_text "$dir" > "$RESULTS_DIR/config-restart-$MODE-$p.txt" 2>&1
  peer_start "$dir"
  if ! wait_until "$limit" have_started "$ts" $(( TARGET + k )); then
    log "restart/$MODE/$p: only $(started_count "$ts") starts in ${limit}s"
  fi
  peer_stop "$dir" || log "restart/$MODE/$p: stop timed out"
  [[ -f $ts ]] || : > "$ts"
  local r; r=$(python3 "$BENCH/lib/stats.py" restart "$ts" "$RESULTS_DIR/restart-$MODE-$p.txt")
  set -- $r
  if [[ $1 == 0 ]]; then record "restart-$MODE" "$p" n "n/a" "n/a (no restart observed in ${limit} s)"; rm_dir "$dir"; return 0; fi
  log "restart/$MODE/$p: n=$1 p50=$2 p99=$3 max=$4 ms (children: $k)"
  record "restart-$MODE" "$p" n "$1" "children in parallel: $k"
  record "restart-$MODE" "$p" p50_ms "$2"
  record "restart-$MODE" "$p" p99_ms "$3"
  record "restart-$MODE" "$p" max_ms "$4"
  record "restart-$MODE" "$p" delay_note "$(peer_delay_note)"
  rm_dir "$dir"
}
for_peers "restart-$MODE" one_peer

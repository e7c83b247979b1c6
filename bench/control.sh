#!/usr/bin/env bash
# Control round-trip: `status c0` over arbord's socket from bench/src/ctlclient.c
# (persistent connections), 1 client and 50 concurrent clients; plus arborctl wall time.
set -u
source "$BENCH/lib/common.sh"
R1=$(( QUICK ? 1000 : 5000 )); R50=$(( QUICK ? 40 : 200 ))
source "$BENCH/peers/arbor.sh"
peer_available || { record control arbor skipped "n/a (arbord not built)"; exit 0; }
dir=$WORK/control; mkdir -p "$dir"
peer_configure "$dir" 1 "sleep {i} $dir/ts" null
peer_start "$dir"
wait_until 20 have_started "$dir/ts" 1 && wait_until 10 test -S "$dir/arbord.sock" || die "control: arbord did not start"
for c in 1 50; do
  r=$R1; (( c == 50 )) && r=$R50
  if "$BIN/ctlclient" "$dir/arbord.sock" c0 "$c" "$r" > "$RESULTS_DIR/control-$c.txt" 2>"$dir/ctl.err"; then
    set -- $(python3 "$BENCH/lib/stats.py" latfile "$RESULTS_DIR/control-$c.txt" 1000000)
    record control arbor "p50_ms@$c" "$2" "$1 requests, $c client(s)"
    record control arbor "p99_ms@$c" "$3"
    record control arbor "max_ms@$c" "$4"
    log "control/$c clients: p50 $2 ms p99 $3 ms"
  else
    record control arbor "p50_ms@$c" "n/a" "n/a ($(head -c 200 "$dir/ctl.err"))"
  fi
done
if has_ctl; then
  : > "$dir/cli.txt"
  for i in $(seq 200); do time_cmd ms peer_status_one "$dir" c0 && echo "$ms" >> "$dir/cli.txt"; done
  if [[ -s $dir/cli.txt ]]; then
    set -- $(python3 "$BENCH/lib/stats.py" latfile "$dir/cli.txt")
    record control arbor "cli_p50_ms" "$2" "arborctl status c0 wall time, $1 runs"
    record control arbor "cli_p99_ms" "$3"
  else
    record control arbor "cli_p50_ms" "n/a" "n/a (arborctl status failed)"
  fi
else
  record control arbor "cli_p50_ms" "n/a" "n/a (arborctl not built yet)"
fi
peer_stop "$dir"; rm_dir "$dir"

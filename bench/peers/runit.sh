# runit: runsvdir + one runsv per service. runsvdir handles at most 1000 services
# (MAXSERVICES in runsvdir.c), so N services are split into groups of 1000, one runsvdir each.
# ./run is a symlink to the bench child, which reads its arguments from ./bench-args.
peer_name() { echo runit; }
peer_available() { command -v runsvdir >/dev/null; }
peer_version() { echo "runit $(dpkg-query -W -f='${Version}' runit)"; }
peer_max_n() { echo 1000000; }
peer_delay_note() { echo "runsv waits 1 s before restarting a service that ran less than 1 s"; }
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4
  mkdir -p "$dir/sv"
  python3 "$BENCH/lib/mkservices.py" "$dir/sv" "$n" "$tmpl" "$BIN/child" 1000
  if [[ $out == log ]]; then   # service c0 only (the log benchmark has one child)
    mkdir -p "$dir/sv/g0/c0/log" "$dir/logs/c0"
    printf '#!/bin/sh\nexec svlogd %s\n' "$dir/logs/c0" > "$dir/sv/g0/c0/log/run"; chmod +x "$dir/sv/g0/c0/log/run"
    echo s0 > "$dir/logs/c0/config"     # s0: no rotation; no timestamps
  fi
}
peer_config_text() {
  local s=$1/sv/g0/c0
  echo "$s/run -> $(readlink "$s/run")"; echo "$s/bench-args: $(cat "$s/bench-args")"
  [[ -f $s/log/run ]] && { echo "$s/log/run:"; cat "$s/log/run"; echo "config: $(cat "$1/logs/c0/config")"; }
  echo "started as: runsvdir -P $1/sv/gK for each group of 1000 services (stdin/stdout/stderr /dev/null)"
}
peer_start() {
  local g
  : > "$1/sup.pid"
  for g in "$1"/sv/g*; do
    runsvdir -P "$g" </dev/null >/dev/null 2>&1 &
    echo $! >> "$1/sup.pid"; track $!
  done
}
peer_sup_pids() { descendants $(cat "$1/sup.pid") --comm 'runs.*'; }
peer_status_one() { sv status "$1/sv/g0/$2"; }
peer_status_all() { sv status "$1"/sv/g*/*; }
peer_status_cmd_note() { echo "sv status DIR/c0 / sv status DIR/*"; }
peer_stop() {
  local pid pids; pids=$(cat "$1/sup.pid")
  for pid in $pids; do kill -HUP "$pid" 2>/dev/null; done   # runsvdir: TERM to every runsv (which stops its service), then exit
  wait_until 300 bash -c "for p in $(echo $pids); do kill -0 \$p 2>/dev/null && exit 1; done; ! pgrep -x runsv >/dev/null && ! pgrep -x arborbenchkid >/dev/null"
}
peer_logfiles() { ls "$1"/logs/c0/current "$1"/logs/c0/@* 2>/dev/null; }

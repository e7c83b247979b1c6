# daemontools: svscan + one supervise per service. svscan handles at most 1000 services
# (SERVICES in svscan.c), so N services are split into groups of 1000, one svscan each.
peer_name() { echo daemontools; }
peer_available() { command -v svscan >/dev/null && command -v supervise >/dev/null; }
peer_version() { echo "daemontools $(dpkg-query -W -f='${Version}' daemontools)"; }
peer_max_n() { echo 1000000; }
peer_delay_note() { echo "supervise sleeps 1 s after every start, so a service is started at most once per second"; }
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4
  mkdir -p "$dir/sv"
  python3 "$BENCH/lib/mkservices.py" "$dir/sv" "$n" "$tmpl" "$BIN/child" 1000
  if [[ $out == log ]]; then
    mkdir -p "$dir/sv/g0/c0/log" "$dir/logs"
    printf '#!/bin/sh
exec multilog s16777215 n100 %s
' "$dir/logs/c0" > "$dir/sv/g0/c0/log/run"; chmod +x "$dir/sv/g0/c0/log/run"
  fi
}
peer_config_text() {
  local s=$1/sv/g0/c0
  echo "$s/run -> $(readlink "$s/run")"; echo "$s/bench-args: $(cat "$s/bench-args")"
  [[ -f $s/log/run ]] && { echo "$s/log/run:"; cat "$s/log/run"; }
  echo "started as: svscan $1/sv/gK for each group of 1000 services (stdin/stdout/stderr /dev/null)"
}
peer_start() {
  local g
  : > "$1/sup.pid"
  for g in "$1"/sv/g*; do
    ( cd "$g" && exec svscan "$g" ) </dev/null >/dev/null 2>&1 &
    echo $! >> "$1/sup.pid"; track $!
  done
}
peer_sup_pids() { descendants $(cat "$1/sup.pid") --comm 'svscan|supervise'; }
peer_status_one() { svstat "$1/sv/g0/$2"; }
peer_status_all() { svstat "$1"/sv/g*/*; }
peer_status_cmd_note() { echo "svstat DIR/c0 / svstat DIR/*"; }
peer_stop() {
  local p
  for p in $(cat "$1/sup.pid"); do kill -TERM "$p" 2>/dev/null; done   # svscan first, or it respawns supervise
  svc -dx "$1"/sv/g*/* "$1"/sv/g*/*/log 2>/dev/null
  wait_until 300 bash -c "! pgrep -x supervise >/dev/null && ! pgrep -x arborbenchkid >/dev/null"
}
peer_logfiles() { ls "$1"/logs/c0/current "$1"/logs/c0/@* 2>/dev/null; }

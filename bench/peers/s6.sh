# s6: s6-svscan over a directory of N services, one s6-supervise per service.
peer_name() { echo s6; }
peer_available() { command -v s6-svscan >/dev/null; }
peer_version() { echo "s6 $(dpkg-query -W -f='${Version}' s6)"; }
peer_max_n() { echo 1000000; }
peer_delay_note() { echo "s6-supervise keeps at least 1 s between two spawns of a service (observed here: also after 1.1 s of uptime)"; }
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4
  mkdir -p "$dir/sv"; echo "$n" > "$dir/n"
  python3 "$BENCH/lib/mkservices.py" "$dir/sv" "$n" "$tmpl" "$BIN/child"
  if [[ $out == log ]]; then
    mkdir -p "$dir/sv/c0/log" "$dir/logs"
    printf '#!/bin/sh
exec s6-log n100 s16777215 %s
' "$dir/logs/c0" > "$dir/sv/c0/log/run"; chmod +x "$dir/sv/c0/log/run"
  fi
}
peer_config_text() {
  local s=$1/sv/c0
  echo "$s/run -> $(readlink "$s/run")"; echo "$s/bench-args: $(cat "$s/bench-args")"
  [[ -f $s/log/run ]] && { echo "$s/log/run:"; cat "$s/log/run"; }
  echo "started as: s6-svscan -c $(( $(cat "$1/n") * 2 + 10 )) $1/sv  (stdin/stdout/stderr /dev/null)"
}
peer_start() {
  s6-svscan -c $(( $(cat "$1/n") * 2 + 10 )) "$1/sv" </dev/null >/dev/null 2>&1 &
  echo $! > "$1/sup.pid"; track $!
}
peer_sup_pids() { descendants "$(cat "$1/sup.pid")" --comm 's6-sv.*|s6-supervise'; }
peer_status_one() { s6-svstat "$1/sv/$2"; }
peer_status_all() { local d; for d in "$1"/sv/*; do s6-svstat "$d" || return 1; done; }
peer_status_cmd_note() { echo "s6-svstat DIR/c0 / one s6-svstat per service (no multi-service form)"; }
peer_stop() {
  local pid; pid=$(cat "$1/sup.pid")
  s6-svscanctl -t "$1/sv" 2>/dev/null || kill -TERM "$pid"
  wait_until 300 bash -c "! kill -0 $pid 2>/dev/null && ! pgrep -x arborbenchkid >/dev/null && ! pgrep -x s6-supervise -P $pid >/dev/null"
}
peer_logfiles() { ls "$1"/logs/c0/current "$1"/logs/c0/@* 2>/dev/null; }

# supervisord: one [program:c] with numprocs=N (processes c:c0 ... c:cN-1).
peer_name() { echo supervisord; }
peer_available() { command -v supervisord >/dev/null; }
peer_version() { echo "supervisor $(supervisord --version)"; }
peer_max_n() { echo "${SUPERVISORD_MAX_N:-1000}"; }
peer_cap_reason() { echo "n/a (capped at $(peer_max_n): supervisord started about 50 children/s here (500 took 10 s), so 5,000 would take minutes)"; }
peer_delay_note() { echo "startsecs=0 (the default 1 s would make each quick exit a failed start with a growing backoff, then FATAL after startretries); no configured delay, the rest is supervisord's own loop"; }
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4 cmd
  cmd="$BIN/child ${tmpl//\{i\}/%(process_num)d}"
  mkdir -p "$dir/logs"
  {
    echo "[unix_http_server]"; echo "file=$dir/supervisor.sock"
    echo "[supervisord]"; echo "nodaemon=true"; echo "logfile=$dir/supervisord.log"
    echo "pidfile=$dir/supervisord.pid"; echo "minfds=20000"; echo "minprocs=200"
    echo "[rpcinterface:supervisor]"
    echo "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface"
    echo "[supervisorctl]"; echo "serverurl=unix://$dir/supervisor.sock"
    echo "[program:c]"; echo "command=$cmd"; echo "numprocs=$n"
    echo "process_name=c%(process_num)d"
    echo "autostart=true"; echo "autorestart=true"; echo "startsecs=0"; echo "startretries=1000000"
    echo "stopsignal=TERM"; echo "stopwaitsecs=5"
    if [[ $out == log ]]; then
      echo "stdout_logfile=$dir/logs/c0.log"; echo "stdout_logfile_maxbytes=0"; echo "stderr_logfile=NONE"
    else
      echo "stdout_logfile=NONE"; echo "stderr_logfile=NONE"
    fi
  } > "$dir/supervisord.conf"
}
peer_config_text() { cat "$1/supervisord.conf"; }
peer_start() {
  supervisord -c "$1/supervisord.conf" </dev/null >/dev/null 2>&1 &
  echo $! > "$1/sup.pid"; track $!
}
peer_sup_pids() { cat "$1/sup.pid"; }
peer_status_one() { supervisorctl -c "$1/supervisord.conf" status "c:$2"; }
peer_status_all() { supervisorctl -c "$1/supervisord.conf" status; }
peer_status_cmd_note() { echo "supervisorctl status c:c0 / supervisorctl status"; }
peer_stop() { stop_sup_pid "$1"; }
peer_logfiles() { ls "$1"/logs/c0.log* 2>/dev/null; }

# PM2 (from npm, installed under bench/node): one app per child, interpreter none, fork mode.
PM2=$BENCH/node/node_modules/.bin/pm2
peer_name() { echo pm2; }
peer_available() { [[ -x $PM2 ]]; }
peer_version() { echo "pm2 $(node -p 'require(process.argv[1]).version' "$BENCH/node/node_modules/pm2/package.json"), node $(node --version)"; }
peer_max_n() { if ((QUICK)); then echo 200; else echo "${PM2_MAX_N:-1000}"; fi; }
peer_cap_reason() { echo "n/a (PM2 starts apps one by one over its RPC socket; capped at $(peer_max_n) to keep the run bounded)"; }
peer_delay_note() { echo "restart_delay=0 and max_restarts raised (defaults: 0 ms, but 16 unstable restarts within min_uptime 1 s stop the app)"; }
pm2c() { PM2_HOME=$1/pm2home "$PM2" "${@:2}"; }
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4
  mkdir -p "$dir/logs" "$dir/pm2home"
  python3 - "$dir" "$n" "$tmpl" "$out" "$BIN/child" <<'PY'
import json, sys
d, n, tmpl, out, child = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
apps = []
for i in range(n):
    a = tmpl.replace("{i}", str(i)).split()
    apps.append({"name": f"c{i}", "script": child, "args": a, "interpreter": "none",
                 "exec_mode": "fork", "autorestart": True, "restart_delay": 0,
                 "max_restarts": 1000000000, "min_uptime": 0,
                 "out_file": f"{d}/logs/c{i}.log" if out == "log" else "/dev/null",
                 "error_file": "/dev/null", "merge_logs": True})
json.dump({"apps": apps}, open(f"{d}/ecosystem.json", "w"), indent=1)
PY
}
peer_config_text() {
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["apps"]=c["apps"][:1]+["... one per child"]; print(json.dumps(c, indent=1))' "$1/ecosystem.json"
  echo "started as: PM2_HOME=DIR/pm2home pm2 start DIR/ecosystem.json"
}
peer_start() {
  pm2c "$1" start "$1/ecosystem.json" </dev/null >"$1/pm2-start.out" 2>&1 &
  echo $! > "$1/start.pid"; track $!
  wait_until 30 test -s "$1/pm2home/pm2.pid" && cp "$1/pm2home/pm2.pid" "$1/sup.pid" && track "$(cat "$1/sup.pid")"
}
peer_sup_pids() { cat "$1/pm2home/pm2.pid" 2>/dev/null; }
peer_status_one() { pm2c "$1" describe "$2"; }
peer_status_all() { pm2c "$1" ls; }
peer_status_cmd_note() { echo "pm2 describe c0 / pm2 ls"; }
peer_stop() {
  local pid; pid=$(cat "$1/pm2home/pm2.pid" 2>/dev/null)
  timeout 300 env PM2_HOME="$1/pm2home" "$PM2" kill >/dev/null 2>&1
  [[ -n $pid ]] && wait_until 60 bash -c "! kill -0 $pid 2>/dev/null"
}
peer_logfiles() { ls "$1"/logs/c0.log* 2>/dev/null; }

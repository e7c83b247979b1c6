# arbor adapter: one arbord, one root one_for_one supervisor with N workers.
ARBORD=${ARBORD:-$BENCH/../build/bench/daemon/arbord}
ARBORCTL=${ARBORCTL:-$BENCH/../build/bench/ctl/arborctl}
peer_name() { echo arbor; }
peer_available() { [[ -x $ARBORD ]]; }
peer_version() { echo "arbor $(git -C "$BENCH/.." describe --always --dirty 2>/dev/null) (Release)"; }
peer_max_n() { echo 1000000; }
peer_delay_note() { echo "none (OTP immediate restart; backoff is off by default)"; }
has_ctl() { [[ -x $ARBORCTL ]]; }

# peer_configure DIR N TEMPLATE OUTPUT   (OUTPUT: null, or log = capture to log_dir)
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4
  mkdir -p "$dir/logs"
  python3 - "$dir" "$n" "$tmpl" "$out" "$BIN/child" <<'PY'
import json, sys
d, n, tmpl, out, child = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
kids = []
for i in range(n):
    c = {"id": f"c{i}", "command": [child] + tmpl.replace("{i}", str(i)).split()}
    if out == "null":
        c["stdout"] = "null"; c["stderr"] = "null"
    kids.append(c)
cfg = {"socket": f"{d}/arbord.sock", "log_dir": f"{d}/logs",
       "logs": {"max_bytes": 1 << 40, "keep": 1},
       "root": {"strategy": "one_for_one", "max_restarts": 1000000000, "max_seconds": 1,
                "children": kids}}
json.dump(cfg, open(f"{d}/arbor.json", "w"), indent=1)
PY
}
peer_config_text() {
  python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["root"]["children"]=c["root"]["children"][:1]+["... one per child"]; print(json.dumps(c, indent=1))' "$1/arbor.json"
}
peer_start() {
  local dir=$1
  "$ARBORD" --config "$dir/arbor.json" 2>"$dir/arbord.err" &
  echo $! > "$dir/sup.pid"; track $!
}
peer_sup_pids() { cat "$1/sup.pid"; }
peer_status_one() { "$ARBORCTL" --socket "$1/arbord.sock" status "$2"; }
peer_status_all() { "$ARBORCTL" --socket "$1/arbord.sock" status; }
peer_status_cmd_note() { echo "arborctl --socket S status [c0]"; }
peer_stop() { stop_sup_pid "$1"; }
peer_logfiles() { ls "$1"/logs/c0.log* 2>/dev/null; }

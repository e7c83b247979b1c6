# The physical floor: a minimal C program that posix_spawns, waits for and respawns.
peer_name() { echo floor; }
peer_available() { [[ -x $BIN/floor ]]; }
peer_version() { echo "bench/src/floor.c (gcc -O2 -static)"; }
peer_max_n() { echo 1000000; }
peer_delay_note() { echo "none"; }
peer_configure() {
  local dir=$1 n=$2 tmpl=$3 out=$4
  echo "$n $BIN/child $tmpl" > "$dir/floor.args"
}
peer_config_text() { echo "floor $(cat "$1/floor.args")   # stdin/stdout/stderr inherited from the harness: /dev/null"; }
peer_start() {
  local dir=$1
  "$BIN/floor" $(cat "$dir/floor.args") </dev/null >/dev/null 2>&1 &
  echo $! > "$dir/sup.pid"; track $!
}
peer_sup_pids() { cat "$1/sup.pid"; }
peer_status_one() { return 1; }
peer_status_all() { return 1; }
peer_stop() { stop_sup_pid "$1"; }

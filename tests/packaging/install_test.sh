#!/usr/bin/env bash
# Install test of the Debian package (run as root; scripts/test.sh runs it last).
#
#  1. builds the .deb (packaging/build-deb.sh, Release; its build tree is reused, and
#     scripts/test.sh points it at the tree the suite just ran on);
#  2. inspects it: file list, conffiles, control fields, Depends;
#  3. installs it with dpkg -i (apt-get install -f for missing Depends), with systemd
#     simulated: /run/systemd/system present and stub systemctl / deb-systemd-invoke
#     first on PATH that only record their calls, so the maintainer scripts' systemd
#     logic is checked whether or not systemd is PID 1 (nothing real is started);
#  4. runs the installed arbord: --check on the default config, then by hand on it with a
#     temporary socket and a NOTIFY_SOCKET listener (READY=1 expected), and
#     `arborctl status` when arborctl is in the package;
#  5. builds the same tree as version X.Y.Z.1 and installs it over the running arbord (an
#     upgrade): the scripts must neither stop nor restart it but `arborctl reexec` it, so
#     the same arbord pid runs the new binary, `arborctl version` shows the new version and
#     every worker keeps its pid; a local edit of the conffile must survive.
#  6. stops arbord with SIGTERM (exit 0, STOPPING=1, the worker gone);
#  7. removes (stop requested) and purges the package: nothing of it may be left.
# Everything it starts or installs is undone on exit, failure included (trap).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

step() { printf '== install test: %s\n' "$*"; }
fail() { printf 'install test FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (scripts/test.sh runs it through sudo -n)"
command -v dpkg >/dev/null || fail "dpkg not found"
if dpkg-query -W -f='${Status}' arbor 2>/dev/null | grep -qv "not-installed"; then
  # Never purge an operator's real installation (and its /etc/arbor) to run a test.
  echo "== install test: SKIPPED: package arbor is already installed on this machine"
  exit 0
fi

tmp=$(mktemp -d /tmp/arbor-pkg.XXXXXX)
chmod 755 "$tmp"
arbord_pid=""
worker_pid=""
listener_pid=""
made_systemd_dir=0
cleanup() {
  local rc=$?
  set +e
  if [ -n "$arbord_pid" ]; then
    # An orderly stop first: a SIGKILLed arbord would leave its worker running.
    kill -TERM "$arbord_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$arbord_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$arbord_pid" 2>/dev/null
    wait "$arbord_pid" 2>/dev/null
  fi
  [ -n "$worker_pid" ] && kill -KILL "$worker_pid" 2>/dev/null
  [ -n "$listener_pid" ] && kill "$listener_pid" 2>/dev/null && wait "$listener_pid" 2>/dev/null
  if dpkg-query -W -f='${Status}' arbor 2>/dev/null | grep -qv "not-installed"; then
    PATH="$tmp/stubs:$PATH" dpkg --purge arbor >/dev/null 2>&1
  fi
  [ "$made_systemd_dir" != 0 ] && rmdir /run/systemd/system 2>/dev/null
  [ "$made_systemd_dir" = 2 ] && rmdir /run/systemd 2>/dev/null
  if [ "$rc" -ne 0 ] && [ -f "$tmp/arbord.err" ]; then
    echo "--- arbord's stderr:" >&2
    cat "$tmp/arbord.err" >&2
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# --- 1. build --------------------------------------------------------------------------
step "building the .deb (packaging/build-deb.sh)"
deb=$(packaging/build-deb.sh | tail -n 1)
[ -f "$deb" ] || fail "no .deb built"
echo "   $deb"
version=$(sed -n 's/^project(arbor VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)

# --- 2. inspect ------------------------------------------------------------------------
step "inspecting it (dpkg-deb -c / -I)"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
expected=(
  /usr/sbin/arbord
  /etc/arbor/arbor.json
  /lib/systemd/system/arbord.service
  /usr/share/man/man8/arbord.8.gz
  /usr/share/man/man5/arbor.json.5.gz
  /usr/share/doc/arbor/copyright
  /usr/share/doc/arbor/changelog.gz
  /usr/share/doc/arbor/examples/web-stack.json
)
has_ctl=0
if grep -qx /usr/bin/arborctl "$tmp/files"; then
  has_ctl=1
  expected+=(/usr/share/man/man1/arborctl.1.gz /usr/share/bash-completion/completions/arborctl)
else
  echo "   NOTE: arborctl is not in the package (ctl/ has no arborctl target yet): its checks are skipped"
fi
for f in "${expected[@]}"; do
  grep -qx "$f" "$tmp/files" || fail "$f missing from the package"
done
# Nothing outside the places this package may use.
allowed='^/$|^/(etc|lib|lib/systemd|usr|usr/bin|usr/sbin|usr/share)/$|^/etc/arbor/|^/lib/systemd/system/'
allowed+='|^/usr/s?bin/arbor(d|ctl)$|^/usr/share/(man|doc|bash-completion)/'
if grep -vE "$allowed" "$tmp/files" >"$tmp/odd"; then
  fail "unexpected paths in the package: $(tr '\n' ' ' <"$tmp/odd")"
fi
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = arbor ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), project version $version"
[ "$(field Section)" = admin ] || fail "Section: $(field Section)"
[ -n "$(field Maintainer)" ] || fail "no Maintainer"
depends=$(field Depends)
for lib in libc6 libuv1; do
  grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
echo "   Depends: $depends"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$tmp/conffiles"
[ "$(cat "$tmp/conffiles")" = /etc/arbor/arbor.json ] || fail "conffiles: $(cat "$tmp/conffiles")"
for s in postinst prerm postrm; do
  dpkg-deb --ctrl-tarfile "$deb" | tar -tv | grep -q -- "-rwxr-xr-x .* ./$s$" || fail "$s missing or not 0755"
done

# --- 3. install, with systemd simulated --------------------------------------------------
mkdir "$tmp/stubs"
# The stubs record each call. deb-systemd-helper runs `systemctl --root=/ preset` to
# enable a unit on first install; that works without a running systemd, so it is passed
# to the real systemctl. Nothing else reaches systemd.
cat >"$tmp/stubs/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*" >>$tmp/systemd-calls
case " \$* " in
  *" --root="*) for s in /usr/bin/systemctl /bin/systemctl; do [ -x "\$s" ] && exec "\$s" "\$@"; done ;;
esac
exit 0
EOF
cat >"$tmp/stubs/deb-systemd-invoke" <<EOF
#!/bin/sh
echo "deb-systemd-invoke \$*" >>$tmp/systemd-calls
exit 0
EOF
chmod 755 "$tmp/stubs/systemctl" "$tmp/stubs/deb-systemd-invoke"
if [ ! -d /run/systemd/system ]; then
  [ -d /run/systemd ] || made_systemd_dir=2
  mkdir -p /run/systemd/system
  [ "$made_systemd_dir" = 2 ] || made_systemd_dir=1
fi
calls() { cat "$tmp/systemd-calls" 2>/dev/null; : >"$tmp/systemd-calls"; }
dpkg_stubbed() { PATH="$tmp/stubs:$PATH" DEBIAN_FRONTEND=noninteractive "$@"; }

step "dpkg -i (first install)"
if ! dpkg_stubbed dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
  echo "   dpkg -i failed (missing dependencies?); apt-get install -f"
  dpkg_stubbed apt-get install -f -y -qq >>"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "install"; }
fi
dpkg-query -W -f='${Status}' arbor | grep -q "install ok installed" || fail "arbor not installed"
c=$(calls)
[[ $c == *"systemctl --system daemon-reload"* ]] || fail "postinst did not daemon-reload: $c"
[[ $c == *"deb-systemd-invoke start arbord.service"* ]] || fail "postinst did not start arbord on install: $c"
[ -L /etc/systemd/system/multi-user.target.wants/arbord.service ] || fail "the unit was not enabled"
for f in "${expected[@]}"; do [ -e "$f" ] || fail "$f not installed"; done
[ "$has_ctl" = 0 ] || [ -x /usr/bin/arborctl ] || fail "/usr/bin/arborctl not installed"
echo "   installed; postinst: daemon-reload, enable, start (stubbed)"

# The installed unit must still verify (issue 13: Delegate= for the cgroup subtree, issue 14:
# WatchdogSec=). systemd-analyze exits 0 on an unknown key or a bad value and only says so,
# so anything it prints is a failure. It needs no running systemd, only the unit's binaries.
step "systemd-analyze verify /lib/systemd/system/arbord.service"
unit=/lib/systemd/system/arbord.service
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify --man=no "$unit" 2>&1) || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify found problems in the unit: $out"
  echo "   the unit verifies"
else
  echo "   skipped: systemd-analyze is not installed (the systemd package)"
fi
for key in Delegate=yes WatchdogSec= NotifyAccess=; do
  grep -q "^$key" "$unit" || fail "the unit lost $key"
done

# --- 4. run the installed arbord ---------------------------------------------------------
step "arbord --check --config /etc/arbor/arbor.json"
out=$(/usr/sbin/arbord --check --config /etc/arbor/arbor.json) || fail "--check: $out"
[ "$out" = ok ] || fail "--check printed: $out"
echo "   $out"

step "starting /usr/sbin/arbord on the default config (socket $tmp/arbord.sock)"
# sd_notify listener: a datagram socket; each message becomes a line of $tmp/notify.
perl -MSocket -e '
  my ($path, $out) = @ARGV;
  socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
  bind($s, pack_sockaddr_un($path)) or die "bind: $!";
  open(my $f, ">>", $out) or die; $f->autoflush(1);
  while (defined recv($s, my $m, 4096, 0)) { $m =~ s/\n/ /g; print $f "$m\n"; }' \
  "$tmp/notify.sock" "$tmp/notify" &
listener_pid=$!
wait_for 5 test -S "$tmp/notify.sock" || fail "notify listener did not start"
NOTIFY_SOCKET=$tmp/notify.sock /usr/sbin/arbord --config /etc/arbor/arbor.json --socket "$tmp/arbord.sock" \
  2>"$tmp/arbord.err" &
arbord_pid=$!
wait_for 10 grep -q "READY=1" "$tmp/notify" || fail "no READY=1 on NOTIFY_SOCKET (Type=notify needs it)"
echo "   READY=1 received: $(grep -m1 READY=1 "$tmp/notify")"
worker_pid=$(pgrep -P "$arbord_pid" -u nobody | head -n 1) || true
[ -n "$worker_pid" ] || fail "the default tree's worker is not running as nobody"
wait_for 5 grep -q "arbor default tree" /var/log/arbor/placeholder.log ||
  fail "no output captured in /var/log/arbor/placeholder.log"
echo "   worker placeholder: pid $worker_pid, user nobody, output in /var/log/arbor/placeholder.log"
if [ "$has_ctl" = 1 ]; then
  status=$(/usr/bin/arborctl --socket "$tmp/arbord.sock" status) || fail "arborctl status failed"
  grep -q placeholder <<<"$status" || fail "arborctl status does not show the worker: $status"
  /usr/bin/arborctl --socket "$tmp/arbord.sock" --json status | grep -q '"running"' ||
    fail "arborctl --json status shows nothing running"
  echo "   arborctl status:"
  sed 's/^/     /' <<<"$status"
else
  echo "   arborctl status: SKIPPED (arborctl not in the package yet)"
fi

# --- 5. upgrade over the running daemon --------------------------------------------------
# A later version of the same tree: only the files that print the version are compiled
# again (packaging/arbor_version.h.in), the rest comes from ccache.
next="$version.1"  # after $version in dpkg's order
step "building arbor $next and upgrading the running arbord to it"
deb_next=$(ARBOR_PACKAGE_BUILD_DIR=build/package-next ARBOR_PACKAGE_TESTS=OFF ARBOR_PACKAGE_WERROR=ON \
  ARBOR_PACKAGE_VERSION="$next" packaging/build-deb.sh | tail -n 1)
[ -f "$deb_next" ] || fail "no .deb of $next built"
dpkg --compare-versions "$(dpkg-deb -f "$deb_next" Version)" gt "$version" || fail "$deb_next is not later"
printf '\n' >>/etc/arbor/arbor.json   # a local edit (still valid JSON)
sum_before=$(md5sum </etc/arbor/arbor.json)
# postinst finds the running arbord on this socket and runs `arborctl reexec`.
ARBOR_SOCKET=$tmp/arbord.sock dpkg_stubbed dpkg -i "$deb_next" >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log"; fail "dpkg -i (upgrade)"; }
c=$(calls)
if grep -E "deb-systemd-invoke (stop|start|restart|try-restart)|systemctl .*(stop|start|restart)" <<<"$c"; then
  fail "the upgrade stopped, started or restarted arbord: $c"
fi
kill -0 "$arbord_pid" 2>/dev/null || fail "arbord died during the upgrade"
kill -0 "$worker_pid" 2>/dev/null || fail "the worker died during the upgrade"
[ "$(md5sum </etc/arbor/arbor.json)" = "$sum_before" ] || fail "the local edit of the conffile was lost"
echo "   no stop/start/restart requested (calls: $(tr '\n' ';' <<<"$c")); same pids; conffile edit kept"
if [ "$has_ctl" = 1 ]; then
  # The new program is in charge: arbord (same pid) runs the file dpkg installed, not the
  # deleted one it was started from, and says so; every worker kept its pid.
  grep -q "arbor: arbord .* took over the tree" "$tmp/dpkg.log" || { cat "$tmp/dpkg.log"; fail "postinst did not reexec"; }
  grep -q "reexec: arbord $next took over the tree and" "$tmp/arbord.err" || fail "arbord $next did not log the reexec"
  exe=$(readlink "/proc/$arbord_pid/exe")
  [ "$exe" = /usr/sbin/arbord ] || fail "arbord still runs the old program: $exe"
  [ "$(pgrep -P "$arbord_pid" -u nobody | head -n 1)" = "$worker_pid" ] || fail "the worker's pid changed"
  v=$(/usr/bin/arborctl --socket "$tmp/arbord.sock" --json version) || fail "arborctl version after the upgrade"
  grep -q "\"arbord\": \"$next\"" <<<"$v" || fail "arborctl version after the upgrade: $v (expected $next)"
  echo "   postinst ran arborctl reexec: arbord $arbord_pid ($version) now runs the new /usr/sbin/arbord ($next)," \
    "worker $worker_pid untouched"
fi

# --- 6. stop -----------------------------------------------------------------------------
step "SIGTERM to arbord"
kill -TERM "$arbord_pid"
rc=0
wait "$arbord_pid" || rc=$?
arbord_pid=""
[ "$rc" -eq 0 ] || fail "arbord exited $rc after SIGTERM, expected 0"
kill -0 "$worker_pid" 2>/dev/null && fail "worker $worker_pid survived arbord's stop"
# The datagram was sent before arbord exited; the listener may not have written it down yet.
wait_for 5 grep -q "STOPPING=1" "$tmp/notify" || fail "no STOPPING=1 on NOTIFY_SOCKET"
[ ! -e "$tmp/arbord.sock" ] || echo "   note: the socket file was left behind (a new arbord replaces it)"
echo "   exit 0, STOPPING=1 sent, worker gone"

# --- 7. remove and purge ----------------------------------------------------------------
step "dpkg -r, then dpkg --purge"
dpkg_stubbed dpkg -r arbor >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -r"; }
c=$(calls)
[[ $c == *"deb-systemd-invoke stop arbord.service"* ]] || fail "prerm did not stop arbord on removal: $c"
[ -f /etc/arbor/arbor.json ] || fail "remove (not purge) deleted the conffile"
dpkg_stubbed dpkg --purge arbor >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge"; }
left=()
for f in /usr/sbin/arbord /usr/bin/arborctl /etc/arbor /var/log/arbor /lib/systemd/system/arbord.service \
         /etc/systemd/system/multi-user.target.wants/arbord.service /usr/share/doc/arbor \
         /usr/share/man/man8/arbord.8.gz /usr/share/bash-completion/completions/arborctl \
         /var/lib/systemd/deb-systemd-helper-enabled/arbord.service.dsh-also \
         /var/lib/systemd/deb-systemd-helper-masked/arbord.service; do
  [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
[ ${#left[@]} -eq 0 ] || fail "left after purge: ${left[*]}"
dpkg-query -W -f='${Status}' arbor 2>/dev/null | grep -q "ok not-installed" ||
  [ -z "$(dpkg-query -W -f='${Status}' arbor 2>/dev/null)" ] || fail "dpkg still knows arbor"
echo "   prerm asked to stop arbord; purge left nothing (binaries, /etc/arbor, /var/log/arbor, unit, symlinks)"
step "PASSED"

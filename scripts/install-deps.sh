#!/usr/bin/env bash
# Installs the Debian 12 packages arbor builds and tests with (as root, or through sudo).
set -euo pipefail
pkgs=(build-essential cmake pkg-config libuv1-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
      libgtest-dev libgmock-dev libcli11-dev
      file procps   # file: CPack's dpkg-shlibdeps step; procps: pgrep in the install test
      clang libclang-rt-14-dev   # scripts/fuzz.sh: libFuzzer
      clang-format clang-tidy    # scripts/lint.sh
      ccache                     # scripts/test.sh: rebuilds only what changed
      systemd python3            # real sd_notify clients in the tests (systemd-notify, python)
      util-linux iproute2 curl   # tests/integration/init: unshare, setpriv, nsenter; ip, curl
      libsystemd-dev             # a real sd_listen_fds() client in the tests
      nginx-light                # tests/integration/init runs examples/container's tree for real
      redis-server               # tests/integration/daemon runs examples/health-stack.json for real
      prometheus)                # promtool check metrics, and a real scrape of GET /metrics
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Packages are installed, not started: nginx-light would otherwise start a system nginx on
# port 80, redis-server one on 6379, prometheus a server on 9090 (and node_exporter on 9100). policy-rc.d answering 101 ("action not allowed") is Debian's way to say so; an
# existing one is left as it is.
guard=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  guard=1
fi
status=0
$SUDO apt-get install -y -qq "${missing[@]}" || status=$?
[ -z "$guard" ] || $SUDO rm -f /usr/sbin/policy-rc.d
exit $status

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
      libsystemd-dev)            # a real sd_listen_fds() client in the tests
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"

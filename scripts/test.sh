#!/usr/bin/env bash
# Installs what is needed, builds arbor twice (the package's Release build, then with
# ASan+UBSan) and runs the whole test suite on each build. This is the README's test
# command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == lint: layout, 110 columns, 400 lines a file (scripts/lint.sh)"
scripts/lint.sh
jobs=$(nproc)
run_suite() {
  echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == $1 build: running the test suite"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$2" --output-on-failure -j "$jobs" --timeout 300
}
# The plain build is the package's own build (Release, Debian's hardening flags, -Werror):
# the suite tests the binaries that ship, and the install test below packages this tree.
export ARBOR_PACKAGE_BUILD_DIR=build/test-plain ARBOR_PACKAGE_TESTS=ON
echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == plain build: Release with Debian's hardening flags (packaging/build-deb.sh)"
packaging/build-deb.sh >/dev/null
run_suite plain build/test-plain

# ASan+UBSan at -O1 with line tables only (-g1): enough for symbolized reports, and about
# 40% less compile time than -O2 -g. Debug build type, so assert()s are checked too.
launcher=()
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}  # paths relative to the tree: clones share the cache
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B build/test-sanitize -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -g1" -DARBOR_WERROR=ON -DARBOR_SANITIZE=ON "${launcher[@]}" >/dev/null
cmake --build build/test-sanitize -j "$jobs"
run_suite sanitize build/test-sanitize

# A one-minute soak on the sanitized arbord (scripts/soak.sh; ten minutes by hand).
echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == soak: 60 s under ASan+UBSan (scripts/soak.sh)"
ARBOR_BUILD=build/test-sanitize scripts/soak.sh 60

# Fuzzing, a short bounded run of each libFuzzer target (scripts/fuzz.sh; longer runs by hand).
echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == fuzz: each target for 20 s"
scripts/fuzz.sh 20

# Install test of the Debian package: build the .deb, install, run, upgrade, purge
# (tests/packaging/install_test.sh). It needs root (or sudo without a password) and dpkg.
if command -v dpkg >/dev/null && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
  echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == packaging: install test of the .deb (tests/packaging/install_test.sh)"
  if [ "$(id -u)" -eq 0 ]; then tests/packaging/install_test.sh; else sudo -n tests/packaging/install_test.sh; fi
else
  echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == packaging: install test SKIPPED (needs root or passwordless sudo, and dpkg)"
fi
echo "[$((SECONDS / 60))m$((SECONDS % 60))s] == all passed"

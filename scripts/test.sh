#!/usr/bin/env bash
# Installs what is needed, builds arbor twice (plain, then with ASan+UBSan) and runs the
# whole test suite on each build. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
echo "== lint: layout, 110 columns, 400 lines a file (scripts/lint.sh)"
scripts/lint.sh
jobs=$(nproc)
launcher=()
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}  # paths relative to the tree: clones share the cache
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
for variant in plain sanitize; do
  dir=build/test-$variant
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DARBOR_WERROR=ON "${launcher[@]}")
  [ "$variant" = sanitize ] && flags+=(-DARBOR_SANITIZE=ON)
  cmake -S . -B "$dir" "${flags[@]}" >/dev/null
  cmake --build "$dir" -j "$jobs"
  echo "== $variant build: running the test suite"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 300
done

# Fuzzing, a short bounded run of each libFuzzer target (scripts/fuzz.sh; longer runs by hand).
echo "== fuzz: each target for 20 s"
scripts/fuzz.sh 20

# Install test of the Debian package: build the .deb, install, run, upgrade, purge
# (tests/packaging/install_test.sh). It needs root (or sudo without a password) and dpkg.
if command -v dpkg >/dev/null && { [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; }; then
  echo "== packaging: install test of the .deb (tests/packaging/install_test.sh)"
  if [ "$(id -u)" -eq 0 ]; then tests/packaging/install_test.sh; else sudo -n tests/packaging/install_test.sh; fi
else
  echo "== packaging: install test SKIPPED (needs root or passwordless sudo, and dpkg)"
fi

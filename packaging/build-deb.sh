#!/usr/bin/env bash
# Builds the Debian package of arbor from this tree: a Release build in build/package
# (reused when it exists), then CPack's DEB generator. Prints the path of the .deb.
#
#   packaging/build-deb.sh            -> build/package/arbor_<version>_<arch>.deb
#
# Compiler and linker flags: Debian's hardening flags from dpkg-buildflags (stack
# protector, _FORTIFY_SOURCE, format security, full RELRO with BIND_NOW, PIE), on top of
# the project's Release flags (-O2 -DNDEBUG: CMakeLists.txt turns CMake's -O3 into -O2, as
# Debian builds packages; dpkg-buildflags' own -g and -O2 are filtered out below so
# they are not given twice). ARBOR_WERROR=OFF: a package build must not fail
# on a new compiler's warnings (Debian builds never use -Werror); scripts/test.sh builds
# with -Werror and catches them.
#
# ARBOR_PACKAGE_BUILD_DIR: the build tree (default build/package). ARBOR_PACKAGE_TESTS=ON
# builds the test suite in the same tree, with -Werror: scripts/test.sh runs the suite on
# exactly the binaries it packages, so CI compiles the Release build once, not twice.
# ARBOR_PACKAGE_VERSION: another version than the project's (the install test builds a
# later one to upgrade to); ARBOR_PACKAGE_WERROR: -Werror (default: as ARBOR_PACKAGE_TESTS),
# ON to share ccache's objects with the tested build.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${ARBOR_PACKAGE_BUILD_DIR:-build/package}
tests=${ARBOR_PACKAGE_TESTS:-OFF}
werror=${ARBOR_PACKAGE_WERROR:-$tests}
version=()
[ -z "${ARBOR_PACKAGE_VERSION:-}" ] || version=(-DARBOR_PACKAGE_VERSION="$ARBOR_PACKAGE_VERSION")
flags() {
  DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1" |
    tr ' ' '\n' | grep -vxE -- '-g|-O2' | tr '\n' ' ' | sed 's/ $//'
}
cxxflags="$(flags CPPFLAGS) $(flags CXXFLAGS)"
cflags="$(flags CPPFLAGS) $(flags CFLAGS)"
ldflags=$(flags LDFLAGS)
launcher=()
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DARBOR_TESTS="$tests" -DARBOR_WERROR="$werror" \
  "${version[@]}" "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
(cd "$dir" && rm -f ./*.deb && cpack -G DEB >/dev/null)
ls "$PWD/$dir"/*.deb

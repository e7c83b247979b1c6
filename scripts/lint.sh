#!/usr/bin/env bash
# The tree's layout rules (docs/DESIGN.md, "Code style"), checked in seconds:
#   - every C/C++ source is as clang-format (.clang-format) would write it;
#   - no source line over 110 characters, no source file over 400 lines.
# With --tidy it also runs clang-tidy (.clang-tidy) over every translation unit of a
# build tree's compile_commands.json (slow: minutes; run by hand before a review).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
mapfile -t sources < <(git ls-files '*.cpp' '*.h' '*.c')
if command -v clang-format >/dev/null; then
  unformatted=$(for f in "${sources[@]}"; do clang-format --dry-run "$f" 2>&1 | grep -q . && echo "$f"; done || true)
  if [ -n "$unformatted" ]; then
    echo "lint: not as clang-format writes them (run clang-format -i on them):"; echo "$unformatted"; status=1
  fi
else
  echo "lint: clang-format not installed: layout not checked (scripts/install-deps.sh installs it)"
fi
long=$(LC_ALL=C.UTF-8 awk 'length > 110 {print FILENAME ":" FNR}' "${sources[@]}")
[ -z "$long" ] || { echo "lint: lines over 110 characters:"; echo "$long"; status=1; }
big=$(wc -l "${sources[@]}" | awk '$2 != "total" && $1 > 400 {print $2 " (" $1 " lines)"}')
[ -z "$big" ] || { echo "lint: files over 400 lines:"; echo "$big"; status=1; }
if [ "${1:-}" = "--tidy" ]; then
  build=${2:-build/dev}
  [ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json (configure first)"; exit 2; }
  mapfile -t units < <(git ls-files '*.cpp' | grep -v '^tests/fuzz/')
  run-clang-tidy -quiet -extra-arg=-Wno-unknown-warning-option -p "$build" -j "${TIDY_JOBS:-$(nproc)}" \
    "${units[@]/#/$PWD/}" >/tmp/arbor-tidy.log 2>&1 || true
  if grep -E '(warning|error):' /tmp/arbor-tidy.log | grep -v '^Suppressed' >/dev/null; then
    grep -E '(warning|error):' /tmp/arbor-tidy.log | sort -u | head -50; status=1
  fi
fi
[ $status -eq 0 ] && echo "lint: ok (${#sources[@]} sources)"
exit $status

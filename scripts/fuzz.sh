#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 20) on a
# corpus seeded from the tests. Usage: scripts/fuzz.sh [SECONDS]. A crash, leak, hang
# (-timeout) or memory blow-up (-rss_limit_mb) fails the run and leaves the input in
# build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
scripts/install-deps.sh
command -v clang++ >/dev/null || { sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo; $sudo_cmd apt-get install -y -qq clang; }
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DARBOR_FUZZ=ON -DARBOR_TESTS=OFF -DARBOR_WERROR=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target config_fuzz line_reader_fuzz
mkdir -p build/fuzz/artifacts build/fuzz/corpus/config build/fuzz/corpus/line_reader
cp tests/golden/config/*.json examples/*.json build/fuzz/corpus/config/
printf '\x08{"id":1,"cmd":"status"}\n{"id":2}\r\npartial' > build/fuzz/corpus/line_reader/seed1
printf '\x01\n\n\nxx\nyyyy\n' > build/fuzz/corpus/line_reader/seed2
for target in config_fuzz line_reader_fuzz; do
  corpus=build/fuzz/corpus/${target%_fuzz}
  echo "== fuzz: $target for ${seconds}s"
  build/fuzz/tests/fuzz/$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1100000 \
    -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 "$corpus" 2>&1 | tail -n 12
done

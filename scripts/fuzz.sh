#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 20) on a
# corpus seeded from the tests. Usage: scripts/fuzz.sh [SECONDS]. A crash, leak, hang
# (-timeout) or memory blow-up (-rss_limit_mb) fails the run and leaves the input in
# build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
scripts/install-deps.sh
launcher=()
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DARBOR_FUZZ=ON -DARBOR_TESTS=OFF -DARBOR_WERROR=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" "${launcher[@]}" >/dev/null
cmake --build build/fuzz -j "$(nproc)" --target config_fuzz line_reader_fuzz dispatcher_fuzz http_status_fuzz \
  http_request_fuzz state_file_fuzz reexec_state_fuzz
mkdir -p build/fuzz/artifacts build/fuzz/corpus/config build/fuzz/corpus/line_reader build/fuzz/corpus/dispatcher \
  build/fuzz/corpus/http_status build/fuzz/corpus/http_request build/fuzz/corpus/state_file \
  build/fuzz/corpus/reexec_state
cp tests/fuzz/state_file_seeds/* build/fuzz/corpus/state_file/
cp tests/golden/config/*.json examples/*.json build/fuzz/corpus/config/
printf '\x08{"id":1,"cmd":"status"}\n{"id":2}\r\npartial' > build/fuzz/corpus/line_reader/seed1
printf '\x01\n\n\nxx\nyyyy\n' > build/fuzz/corpus/line_reader/seed2
cat > build/fuzz/corpus/dispatcher/seed1 <<'SEED'
{"id":1,"cmd":"status","args":{"path":"/"}}
{"id":2,"cmd":"stop","args":{"path":"web/api"}}
{"id":3,"cmd":"add","args":{"path":"jobs","args":["7"]}}
{"id":4,"cmd":"add","args":{"path":"web","spec":{"id":"x","command":["/bin/sh"]}}}
{"id":5,"cmd":"watch"}
{"id":6,"cmd":"wait","args":{"path":"db","state":"stopped","timeout_ms":5}}
{"id":7,"cmd":"signal","args":{"path":"db","signal":"TERM"}}
{"id":8,"cmd":"count","args":{"path":"web"}}
{"id":9,"cmd":"spec","args":{"path":"web"}}
{"id":10,"cmd":"restart","args":{"path":"db"}}
{"id":11,"cmd":"remove","args":{"path":"web/api"}}
{"id":12,"cmd":"reload","args":{"dry_run":true}}
{"id":13,"cmd":"version"}
{"id":14,"cmd":"logs","args":{"path":"db","lines":3}}
{"id":15,"cmd":"metrics"}
{"id":16,"cmd":"shutdown"}
SEED
printf '\x07HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' > build/fuzz/corpus/http_status/seed1
printf '\x03HTTP/1.0 503 Service Unavailable\n' > build/fuzz/corpus/http_status/seed2
printf '\x00SSH-2.0-OpenSSH_9.2\r\n' > build/fuzz/corpus/http_status/seed3
printf '\x40GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nAccept: text/plain\r\n\r\n' \
  > build/fuzz/corpus/http_request/seed1
printf '\xffPOST /x?y HTTP/1.0\nContent-Length: 3\n\nabc' > build/fuzz/corpus/http_request/seed2
# Real states (tests/fuzz/reexec_state_v3.seed, format 3; reexec_state.seed, format 2, now
# refused by its version: a tree with a dynamic supervisor, a restart,
# a readiness wait and its events), written by arbord with ARBOR_REEXEC_DUMP.
cp tests/fuzz/reexec_state.seed tests/fuzz/reexec_state_v3.seed build/fuzz/corpus/reexec_state/
for target in config_fuzz line_reader_fuzz dispatcher_fuzz http_status_fuzz http_request_fuzz state_file_fuzz \
  reexec_state_fuzz; do
  corpus=build/fuzz/corpus/${target%_fuzz}
  echo "== fuzz: $target for ${seconds}s"
  build/fuzz/tests/fuzz/$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1100000 \
    -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 "$corpus" 2>&1 | tail -n 12
done

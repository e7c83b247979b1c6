#!/usr/bin/env bash
# Installs what is needed, builds arbor, and runs arbord in the foreground on the bundled
# example tree (examples/demo.json). No root needed for the run itself: the control
# socket and the logs go under examples/run/. Stop it with Ctrl-C (SIGINT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DARBOR_TESTS=OFF >/dev/null
cmake --build build/demo -j "$(nproc)"
mkdir -p examples/run
echo "arbord: logs of the workers in examples/run/logs/, arbord's own log below (Ctrl-C stops the tree)"
exec build/demo/daemon/arbord --config examples/demo.json "$@"

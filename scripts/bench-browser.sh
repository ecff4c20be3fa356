#!/usr/bin/env bash
# The dashboard's ingest in headless Chromium (the release wasm build in dist/)
# against a plain-JavaScript peer measured in the same page and run: msgs/s and
# mean/p99/max frame ms for both. Called by scripts/bench.sh (`make bench`).
# Never fails on a time: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f dist/index.html ]]; then
    echo "no dist/: building the release app first"
    trunk build --release --offline
fi
QOSCOPE_BROWSER_BENCH=1 cargo bench --bench browser
# The flood end to end: Mosquitto → WebSocket → session → views, 20k msg/s.
QOSCOPE_BROWSER_BENCH=1 cargo bench --bench flood

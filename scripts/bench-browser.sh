#!/usr/bin/env bash
# The dashboard's ingest in headless Chromium against a plain-JavaScript peer
# measured in the same page and run: msgs/s and mean/p99/max frame ms for both.
# Called by scripts/bench.sh (`make bench`). Never fails on a time: it prints figures.
#
# The benches run against a release build with the `bench` feature, which exports
# `dashboard_bench` to the page; the product in dist/ leaves it out. That build
# goes to its own dist, rebuilt every run so the figures are of the current code.
set -euo pipefail
cd "$(dirname "$0")/.."

bench_dist="target/bench-dist"
echo "building the release app with the bench export into $bench_dist/"
trunk build --release --offline --features bench --dist "$bench_dist"
export QOSCOPE_DIST="$PWD/$bench_dist"
QOSCOPE_BROWSER_BENCH=1 cargo bench --bench browser
# The flood end to end: Mosquitto → WebSocket → session → views, 20k msg/s
# (the same build: the bench export costs nothing while it is not called).
QOSCOPE_BROWSER_BENCH=1 cargo bench --bench flood

#!/usr/bin/env bash
# The browser benchmarks, each against a peer measured in the same page and run:
# the dashboard's ingest against a plain-JavaScript peer (msgs/s, frame ms), the
# flood end to end, and the client's publish bursts against MQTT.js. Called by scripts/bench.sh (`make bench`). Never fails on a time: it prints figures.
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
# QoScope's client against MQTT.js (from npm, the version benches/mqttjs/package-lock.json
# pins; a dev tool of the bench only, never part of make test).
mqttjs_version="$(sed -n 's/.*"mqtt": "\(.*\)".*/\1/p' benches/mqttjs/package.json)"
if [[ ! -f benches/mqttjs/node_modules/mqtt/dist/mqtt.min.js ]] \
    || ! grep -q "\"version\": \"$mqttjs_version\"" benches/mqttjs/node_modules/mqtt/package.json; then
    echo "installing MQTT.js for the bench (npm ci, into benches/mqttjs)"
    npm ci --prefix benches/mqttjs --no-audit --no-fund --loglevel=error
fi
QOSCOPE_BROWSER_BENCH=1 cargo bench --bench mqttjs

#!/usr/bin/env bash
# `make test`: every test tier, cheapest first, stopping at the first that fails.
#
#   scripts/test.sh          all tiers
#   scripts/test.sh 4 7      only tiers 4 and 7 (tools must already be installed)
#
# Builds share one target dir (./target, or $CARGO_TARGET_DIR) and compile each
# profile once: tier 4 builds what tier 7 runs, tier 6 builds the dist/ that
# tier 7 serves.
set -euo pipefail

cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

TIERS=(
    "format:cargo fmt --all -- --check"
    "clippy, native:cargo clippy --all-targets -- -D warnings"
    "clippy, wasm32:cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings"
    "native tests:cargo test"
    "browser tests (wasm-bindgen-test, headless Chromium):cargo test --target wasm32-unknown-unknown"
    "release build:trunk build --release --offline"
    "end-to-end (dist/ + Chromium + Mosquitto):cargo test --test e2e --test e2e_dashboard --test e2e_visualiser -- --ignored --test-threads=1"
)

selected=("$@")
if ((${#selected[@]} == 0)); then
    scripts/setup.sh test
    selected=($(seq 1 ${#TIERS[@]}))
fi

started=$SECONDS
for n in "${selected[@]}"; do
    tier="${TIERS[$((n - 1))]}"
    name="${tier%%:*}"
    command="${tier#*:}"
    echo "== tier $n/${#TIERS[@]}: $name =="
    echo "\$ $command"
    tier_started=$SECONDS
    if ! eval "$command"; then
        echo "FAILED: tier $n/${#TIERS[@]} ($name): $command" >&2
        exit 1
    fi
    echo "-- tier $n/${#TIERS[@]} passed in $((SECONDS - tier_started)) s"
done
echo "== all ${#selected[@]} tiers passed in $((SECONDS - started)) s =="

#!/usr/bin/env bash
# `make test`: every test tier, cheapest first, stopping at the first that fails.
#
#   scripts/test.sh          set-up, then all tiers
#   scripts/test.sh 5 8      only tiers 5 and 8 (tools must already be installed)
#
# Builds share one target dir (./target, or $CARGO_TARGET_DIR) and compile each
# profile once: tier 5 builds what tier 8 runs, tier 7 builds the dist/ that
# tier 8 serves.

# shellcheck source=scripts/lib/steps.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# The run's own temp dir, removed when it ends. wasm-bindgen-test-runner starts Chromium through
# chromedriver on a fresh profile in the temp dir (org.chromium.Chromium.scoped_dir.*, about
# 80 MB) for each wasm test binary, and leaves it there: repeated runs once filled the disk and
# failed CI with "No space left on device".
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/qoscope-test.XXXXXX")
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR="$run_tmp"

TIERS=(
    "set-up probes, shellcheck, loopback-only broker:tests/scripts/run_all.sh"
    "format:cargo fmt --all -- --check"
    "clippy, native:cargo clippy --all-targets -- -D warnings"
    "clippy, wasm32:cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings"
    "native tests:cargo test"
    "browser tests (wasm-bindgen-test, headless Chromium, a Mosquitto of their own):scripts/with-broker.sh cargo test --target wasm32-unknown-unknown"
    "release build:trunk build --release --offline"
    "end-to-end (dist/ + Chromium + Mosquitto):cargo test --test e2e --test e2e_dashboard --test e2e_visualiser --test e2e_lab --test e2e_i18n --test e2e_chaos -- --ignored --test-threads=1"
)

selected=("$@")
if ((${#selected[@]} == 0)); then
    step "set-up (scripts/setup.sh test)" "see the failed step above"
    scripts/setup.sh test
    mapfile -t selected < <(seq 1 ${#TIERS[@]})
fi

started=$SECONDS
for n in "${selected[@]}"; do
    if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > ${#TIERS[@]})); then
        die "no tier '$n': tiers are 1 to ${#TIERS[@]}"
    fi
    tier="${TIERS[$((n - 1))]}"
    name="${tier%%:*}"
    command="${tier#*:}"
    echo "== tier $n/${#TIERS[@]}: $name =="
    echo "\$ $command"
    tier_started=$SECONDS
    # A failing tier is reported here, with its own output above; not by the ERR trap.
    if ! eval "$command"; then
        echo "FAILED: tier $n/${#TIERS[@]} ($name): $command" >&2
        echo "  again, alone: scripts/test.sh $n" >&2
        exit 1
    fi
    echo "-- tier $n/${#TIERS[@]} passed in $((SECONDS - tier_started)) s"
done
echo "== all ${#selected[@]} tiers passed in $((SECONDS - started)) s =="

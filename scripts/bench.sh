#!/usr/bin/env bash
# `make bench`: benchmarks are separate from tests and never fail on a time.
# 1. `cargo bench` for the benches in benches/ (native, the protocol core).
# 2. The browser benchmark (QoScope against a peer in the same run), when
#    scripts/bench-browser.sh exists: the hook for it.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh test
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin"

if compgen -G "benches/*.rs" >/dev/null; then
    echo "== cargo bench =="
    cargo bench --benches
else
    echo "no benches/*.rs yet: skipping cargo bench"
fi

if [[ -x scripts/bench-browser.sh ]]; then
    echo "== browser benchmark =="
    scripts/bench-browser.sh
else
    echo "no scripts/bench-browser.sh yet: skipping the browser benchmark"
fi

#!/usr/bin/env bash
# `make bench`: benchmarks are separate from tests and never fail on a time.
# 1. `cargo bench` for the benches in benches/ (native, the protocol core).
# 2. The browser benchmark (QoScope against a peer in the same run), when
#    scripts/bench-browser.sh exists: the hook for it.

# shellcheck source=scripts/lib/steps.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step "set-up" "see the failed step above"
scripts/setup.sh test
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin"

if compgen -G "benches/*.rs" >/dev/null; then
    step "cargo bench" "see cargo's message above"
    echo "== cargo bench =="
    cargo bench --benches
else
    echo "no benches/*.rs yet: skipping cargo bench"
fi

if [[ -x scripts/bench-browser.sh ]]; then
    step "browser benchmark" "see its message above"
    echo "== browser benchmark =="
    scripts/bench-browser.sh
else
    echo "no scripts/bench-browser.sh yet: skipping the browser benchmark"
fi

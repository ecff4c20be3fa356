#!/usr/bin/env bash
# scripts/setup.sh on a machine in the state a fresh one is in. It must report every missing
# package and tool as missing and install it, and never die on a probe's "no". That is how it
# broke once: `dpkg-query` exits 1 for a package dpkg has never heard of, and under
# `set -euo pipefail` the probe ended the whole script in silence.
#
#   tests/scripts/setup_probes.sh [SETUP_SCRIPT]   (default: scripts/setup.sh of this checkout)
#
# Nothing here installs anything: the fresh machine is a PATH of stubs that record what set-up
# asked them to do, and the probes are asked about names that exist nowhere.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=tests/scripts/lib.sh
source "$here/lib.sh"
setup_script="$(realpath "${1:-$repo/scripts/setup.sh}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A fresh Debian machine with only Rust, Node and Python: dpkg knows no package, rustup has only
# the host target, cargo has no rustfmt or clippy and no trunk or wasm-bindgen on PATH, and the
# repository has no .tools/. Installers only record their arguments in $work/calls.
make_fresh_machine() {
    local bin="$work/bin"
    mkdir -p "$bin" "$work/home" "$work/repo/scripts/lib"
    stub() { printf '#!/bin/sh\n%s\n' "$2" >"$bin/$1" && chmod +x "$bin/$1"; }
    stub dpkg-query 'exit 1'
    stub dpkg 'exit 1'
    stub apt-get "echo \"apt-get \$*\" >>'$work/calls'
        [ \"\$1\" != install ] || exit \${FAKE_APT_EXIT:-0}"
    stub sudo 'exec "$@"'
    stub rustup "case \"\$1 \$2\" in
        'target list') echo x86_64-unknown-linux-gnu ;;
        *) echo \"rustup \$*\" >>'$work/calls' ;;
        esac"
    stub cargo "case \"\$1\" in
        install | fetch) echo \"cargo \$*\" >>'$work/calls' ;;
        *) echo \"error: no such command: \$1\" >&2; exit 101 ;;
        esac"
    stub npm "echo \"npm \$*\" >>'$work/calls'"
    cp "$setup_script" "$work/repo/scripts/setup.sh"
    if [[ -d "$(dirname "$setup_script")/lib" ]]; then
        cp "$(dirname "$setup_script")"/lib/*.sh "$work/repo/scripts/lib/"
    fi
    cp "$repo/Cargo.lock" "$repo/Trunk.toml" "$work/repo/"
}

# on_fresh_machine ARGS...: runs the copied set-up there; sets $out, $status and $calls.
on_fresh_machine() {
    : >"$work/calls"
    out="$(env -i HOME="$work/home" PATH="$work/bin:/usr/bin:/bin" TERM=dumb \
        FAKE_APT_EXIT="${FAKE_APT_EXIT:-0}" bash "$work/repo/scripts/setup.sh" "$@" 2>&1)"
    status=$?
    calls="$(cat "$work/calls")"
}

make_fresh_machine
lock_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$repo/Cargo.lock")"

echo "-- a fresh machine: scripts/setup.sh test"
on_fresh_machine test
expect_status "set-up finishes" 0 "$status" "$out"
expect_contains "reports mosquitto as missing" "$out" "missing mosquitto"
expect_contains "installs the wasm32 target" "$calls" "rustup target add wasm32-unknown-unknown"
expect_contains "installs rustfmt" "$calls" "rustup component add rustfmt"
expect_contains "installs clippy" "$calls" "rustup component add clippy"
expect_contains "installs trunk, pinned" "$calls" "cargo install trunk --version 0.21.14 --locked"
expect_contains "installs wasm-bindgen-cli at Cargo.lock's version" "$calls" \
    "cargo install wasm-bindgen-cli --version $lock_version"
expect_contains "installs binaryen 132 from npm" "$calls" "binaryen@132"
expect_contains "installs the second broker (aedes) from its npm lock file" "$calls" \
    "npm ci --prefix $work/repo/tests/brokers/aedes"
expect_contains "updates apt's lists before installing" "$calls" "apt-get update"
expect_contains "installs every Debian package in one apt-get call" "$calls" \
    "apt-get install -y -qq --no-install-recommends mosquitto mosquitto-clients chromium chromium-driver fonts-wqy-microhei shellcheck iproute2"
expect_contains "fetches the crates for the offline builds" "$calls" "cargo fetch"
apt_line="$(grep -n 'apt-get install' <<<"$calls" | head -n 1 | cut -d: -f1)"
compile_line="$(grep -n 'cargo install' <<<"$calls" | head -n 1 | cut -d: -f1)"
if [[ -n $apt_line && -n $compile_line ]] && ((apt_line < compile_line)); then
    pass "asks apt (which may need root) before the minutes-long compiles"
else
    fail "apt-get install should come before any cargo install" "$calls"
fi

echo "-- a fresh machine: scripts/setup.sh run"
on_fresh_machine run
expect_status "set-up for make run finishes" 0 "$status" "$out"
expect_contains "installs the broker" "$calls" "--no-install-recommends mosquitto mosquitto-clients"
expect_lacks "installs no browser for make run" "$calls" "chromium"
expect_lacks "nor the second broker" "$calls" "npm ci"

echo "-- a fresh machine: scripts/setup.sh --dry-run test"
on_fresh_machine --dry-run test
expect_status "the dry run finishes" 0 "$status" "$out"
expect_contains "says what it would install" "$out" \
    "would install mosquitto mosquitto-clients chromium chromium-driver fonts-wqy-microhei"
expect_status "and installs nothing" "" "$calls"

echo "-- a fresh machine where apt-get fails"
FAKE_APT_EXIT=100 on_fresh_machine run
expect_status "set-up stops with apt-get's status" 100 "$status" "$out"
expect_contains "names the step that failed" "$out" "FAILED at step: apt-get install mosquitto mosquitto-clients"
expect_contains "shows the command" "$out" "command: env DEBIAN_FRONTEND=noninteractive apt-get install"
expect_contains "says what to do next" "$out" "next: "

echo "-- the probes, asked about names that exist nowhere (real dpkg-query, rustup and npm)"
probe() { # runs probe functions from the set-up script, sourced, in a subshell
    out="$(
        export PATH="$HOME/.cargo/bin:$PATH" SETUP_DRY_RUN=1
        # shellcheck source=scripts/setup.sh
        source "$setup_script" && "$@" 2>&1
    )"
    status=$?
}
probe apt_installed_version qoscope-absent-package
expect_status "dpkg's 'no such package' is an answer" 0 "$status" "$out"
expect_status "  that reads as not installed" "" "$out"
probe apt_packages qoscope-absent-package
expect_status "an absent Debian package is no reason to stop" 0 "$status" "$out"
expect_contains "  it is reported missing" "$out" "missing qoscope-absent-package"
expect_contains "  and would be installed" "$out" "would install qoscope-absent-package (apt)"
probe cargo_tool qoscope-absent-crate 0.0.1 qoscope-absent-tool "qoscope-absent-tool 0.0.1"
expect_status "an absent cargo tool is no reason to stop" 0 "$status" "$out"
expect_contains "  and would be installed" "$out" "cargo install qoscope-absent-crate --version 0.0.1"
probe npm_tool qoscope-absent-npm 0.0.1 qoscope-absent-tool "version 0.0.1" "$work/no-tools"
expect_status "an absent npm tool is no reason to stop" 0 "$status" "$out"
expect_contains "  and would be installed" "$out" "qoscope-absent-npm@0.0.1"
probe rust_target qoscope-absent-target
expect_status "an absent rust target is no reason to stop" 0 "$status" "$out"
expect_contains "  and would be installed" "$out" "rustup target add qoscope-absent-target"

summary "set-up probes"

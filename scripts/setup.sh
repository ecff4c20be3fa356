#!/usr/bin/env bash
# Installs what `make run` / `make test` need, and nothing that is already there.
#
#   scripts/setup.sh run    rust wasm target, trunk, wasm-bindgen CLI, wasm-opt, mosquitto
#   scripts/setup.sh test   the same plus rustfmt, clippy, chromium and chromedriver
#
# Every tool is checked with `tool --version` first and reported on one line
# ("ok trunk 0.21.14" or "installing trunk 0.21.14"), so a second run installs
# nothing. Versions are pinned for the traps in /work/shared/TOOLCHAIN.md:
# trunk 0.21.14 (0.22 needs a newer rustc), the wasm-bindgen CLI equal to the
# wasm-bindgen crate in Cargo.lock, and binaryen 132 from npm (Debian's 108
# builds a wasm that dies at load).
set -euo pipefail

cd "$(dirname "$0")/.."
MODE="${1:-test}"
case "$MODE" in run | test) ;; *)
    echo "usage: scripts/setup.sh run|test" >&2
    exit 2
    ;;
esac

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
TOOLS_DIR="$PWD/.tools"
export PATH="$TOOLS_DIR/node_modules/.bin:$HOME/.cargo/bin:$PATH"

ok() { echo "ok $*"; }
installing() { echo "installing $*"; }
die() {
    echo "setup: $*" >&2
    exit 1
}

# The version of the wasm-bindgen crate that Cargo.lock resolved; the CLI must match it exactly.
locked_wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

rust_target() {
    if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        ok "rust target wasm32-unknown-unknown"
    else
        installing "rust target wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi
}

rust_component() { # $1: component, $2: cargo subcommand that it provides
    if cargo "$2" --version >/dev/null 2>&1; then
        ok "$1 $(cargo "$2" --version | awk '{print $2}')"
    else
        installing "$1"
        rustup component add "$1"
    fi
}

trunk_cli() {
    if [[ "$(trunk --version 2>/dev/null)" == "trunk $TRUNK_VERSION" ]]; then
        ok "trunk $TRUNK_VERSION"
    else
        installing "trunk $TRUNK_VERSION (about 8 minutes on 2 cores)"
        cargo install trunk --version "$TRUNK_VERSION" --locked
    fi
}

wasm_bindgen_cli() {
    local want
    want="$(locked_wasm_bindgen_version)"
    [[ -n $want ]] || die "no wasm-bindgen in Cargo.lock"
    grep -q "wasm_bindgen = \"$want\"" Trunk.toml ||
        die "Trunk.toml [tools] wasm_bindgen must equal Cargo.lock's wasm-bindgen $want"
    if [[ "$(wasm-bindgen --version 2>/dev/null)" == "wasm-bindgen $want" ]] &&
        [[ "$(wasm-bindgen-test-runner --version 2>/dev/null)" == *" $want" ]]; then
        ok "wasm-bindgen-cli $want"
    else
        installing "wasm-bindgen-cli $want (about 2 minutes)"
        # No --locked: the CLI's own lock file names a crate version the registry lacks.
        cargo install wasm-bindgen-cli --version "$want" --force
    fi
}

wasm_opt() {
    if [[ "$("$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null)" == *"version $BINARYEN_VERSION "* ]]; then
        ok "wasm-opt $BINARYEN_VERSION (.tools/)"
    else
        installing "wasm-opt $BINARYEN_VERSION (npm binaryen@$BINARYEN_VERSION into .tools/)"
        npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
    fi
}

apt_installed_version() { # prints the installed version of a Debian package, or nothing
    dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null |
        awk '$1 == "install" && $3 == "installed" { print $4 }'
}

apt_packages() {
    local missing=() pkg version sudo=()
    for pkg in "$@"; do
        version="$(apt_installed_version "$pkg")"
        if [[ -n $version ]]; then ok "$pkg $version"; else missing+=("$pkg"); fi
    done
    ((${#missing[@]})) || return 0
    installing "${missing[*]} (apt)"
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "need root (or sudo) to apt-get install ${missing[*]}"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

rust_target
if [[ $MODE == test ]]; then
    rust_component rustfmt fmt
    rust_component clippy clippy
fi
trunk_cli
wasm_bindgen_cli
wasm_opt
if [[ $MODE == test ]]; then
    apt_packages mosquitto mosquitto-clients chromium chromium-driver
else
    apt_packages mosquitto mosquitto-clients
fi
# `trunk --offline` makes cargo offline too: fetch the crates while the network is there.
cargo fetch --quiet
ok "crates fetched"

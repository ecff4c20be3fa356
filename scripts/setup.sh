#!/usr/bin/env bash
# Installs what `make run` / `make test` need, and nothing that is already there.
#
#   scripts/setup.sh run              rust wasm target, trunk, wasm-bindgen CLI, wasm-opt, mosquitto
#   scripts/setup.sh test             the same plus rustfmt, clippy, chromium, chromedriver, a CJK
#                                     font for screenshots, shellcheck, and the npm packages of the
#                                     second end-to-end broker (aedes, tests/brokers/aedes)
#   scripts/setup.sh --dry-run test   only says what is there and what it would install
#
# Every tool is probed first and reported on one line ("ok trunk 0.21.14", "missing mosquitto"),
# so a second run installs nothing. A probe answers "missing" for anything the machine has never
# heard of: on a fresh machine that is the normal answer, never a reason to stop
# (tests/scripts/setup_probes.sh checks it). Why each version is pinned: docs/toolchain.md.
#
# Sourcing this file (as that test does) defines the probes and runs nothing.

# shellcheck source=scripts/lib/steps.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
# Debian packages, by what needs them.
APT_RUN=(mosquitto mosquitto-clients)
# chromium + chromium-driver: browser and end-to-end tiers; fonts-wqy-microhei: Chinese in the
# headless screenshots (Chromium draws boxes without a CJK font); shellcheck: tier 1;
# iproute2: `ss`, for the broker's loopback check.
APT_TEST=(chromium chromium-driver fonts-wqy-microhei shellcheck iproute2)
SETUP_DRY_RUN="${SETUP_DRY_RUN:-0}"

ok() { echo "ok $*"; }
missing() { echo "missing $*"; }

# run_install DESCRIPTION COMMAND...: runs the command, or under --dry-run says it would.
run_install() {
    local what="$1"
    shift
    if ((SETUP_DRY_RUN)); then
        echo "would install $what: $*"
    else
        echo "installing $what"
        STEP_COMMAND="$*"
        "$@"
        STEP_COMMAND=""
    fi
}

# The version of the wasm-bindgen crate that Cargo.lock resolved; the CLI must match it exactly.
locked_wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# rust_target TARGET
rust_target() {
    step "rust target $1" "rustup must reach its download server; try: rustup target add $1"
    local installed
    installed="$(rustup target list --installed 2>/dev/null || true)"
    if grep -qx -- "$1" <<<"$installed"; then
        ok "rust target $1"
    else
        missing "rust target $1"
        run_install "rust target $1" rustup target add "$1"
    fi
}

# rust_component COMPONENT CARGO_SUBCOMMAND (the subcommand the component provides)
rust_component() {
    step "rust component $1" "try: rustup component add $1"
    local version
    version="$(cargo "$2" --version 2>/dev/null || true)"
    if [[ -n $version ]]; then
        ok "$1 $(awk '{print $2}' <<<"$version")"
    else
        missing "$1"
        run_install "$1" rustup component add "$1"
    fi
}

# tool_version PROGRAM: what `PROGRAM --version` prints, or nothing when it is not there.
tool_version() {
    "$1" --version 2>/dev/null || true
}

# cargo_tool CRATE VERSION PROGRAM EXPECTED [CARGO INSTALL FLAGS...]
#   installs CRATE at VERSION unless `PROGRAM --version` prints exactly EXPECTED.
cargo_tool() {
    local crate="$1" version="$2" program="$3" expected="$4"
    shift 4
    step "$crate $version" "cargo must reach crates.io; see docs/toolchain.md for why $version"
    if [[ "$(tool_version "$program")" == "$expected" ]]; then
        ok "$crate $version"
    else
        missing "$crate $version"
        run_install "$crate $version (compiles from source: minutes on 2 cores)" \
            cargo install "$crate" --version "$version" "$@"
    fi
}

trunk_cli() {
    cargo_tool trunk "$TRUNK_VERSION" trunk "trunk $TRUNK_VERSION" --locked
}

wasm_bindgen_cli() {
    step "wasm-bindgen-cli" "Trunk.toml [tools] wasm_bindgen and the =version in Cargo.toml must equal Cargo.lock's wasm-bindgen"
    local want
    want="$(locked_wasm_bindgen_version)"
    [[ -n $want ]] || die "Cargo.lock names no wasm-bindgen crate"
    grep -q "wasm_bindgen = \"$want\"" Trunk.toml ||
        die "Trunk.toml [tools] wasm_bindgen is not Cargo.lock's wasm-bindgen $want"
    step "wasm-bindgen-cli $want" "cargo must reach crates.io; see docs/toolchain.md for why $want"
    # The test runner comes with the CLI: both must be there, at the locked version.
    if [[ "$(tool_version wasm-bindgen)" == "wasm-bindgen $want" ]] &&
        [[ "$(tool_version wasm-bindgen-test-runner)" == *" $want" ]]; then
        ok "wasm-bindgen-cli $want"
    else
        missing "wasm-bindgen-cli $want"
        # No --locked: the CLI's own lock file names a crate version the registry lacks.
        run_install "wasm-bindgen-cli $want (compiles from source: minutes on 2 cores)" \
            cargo install wasm-bindgen-cli --version "$want" --force
    fi
}

# npm_tool PACKAGE VERSION PROGRAM EXPECTED_SUBSTRING DIR
#   installs PACKAGE@VERSION into DIR/node_modules unless `DIR/node_modules/.bin/PROGRAM
#   --version` contains EXPECTED_SUBSTRING.
npm_tool() {
    local package="$1" version="$2" program="$3" expected="$4" dir="$5"
    step "$package $version (npm)" "npm must reach the npm registry; try: npm install --prefix $dir $package@$version"
    if [[ "$(tool_version "$dir/node_modules/.bin/$program")" == *"$expected"* ]]; then
        ok "$package $version ($dir)"
    else
        missing "$package $version"
        run_install "$package $version (npm, into $dir)" \
            npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$package@$version"
    fi
}

wasm_opt() {
    # binaryen from npm, never Debian's 108, which builds a wasm that dies at load.
    npm_tool binaryen "$BINARYEN_VERSION" wasm-opt "version $BINARYEN_VERSION " "$PWD/.tools"
}

# npm_lock_installed DIR: prints "AEDES_VERSION PACKAGE_COUNT" and succeeds when DIR/node_modules
# holds exactly the packages DIR/package-lock.json pins: npm ci records what it installed in
# node_modules/.package-lock.json, and every package there must have the lock's version and
# integrity. Fails, printing nothing, when anything differs or is not there.
npm_lock_installed() {
    node -e '
        const fs = require("fs"), dir = process.argv[1]
        const read = (file) => JSON.parse(fs.readFileSync(dir + "/" + file, "utf8")).packages
        const want = read("package-lock.json"), have = read("node_modules/.package-lock.json")
        delete want[""]
        const names = Object.keys(want)
        const same = names.length === Object.keys(have).length && names.every((name) =>
            have[name] && have[name].version === want[name].version &&
            have[name].integrity === want[name].integrity && fs.existsSync(dir + "/" + name))
        if (!same) process.exit(1)
        console.log(want["node_modules/aedes"].version, names.length)
    ' "$1" 2>/dev/null || return 1
}

# The second broker of the end-to-end tests: aedes (MQTT over TCP and WebSocket), run by node
# from tests/brokers/aedes/broker.mjs, with the npm packages its package-lock.json pins.
aedes_broker() {
    local dir="$PWD/tests/brokers/aedes" installed version count
    step "aedes broker (npm)" "npm must reach the npm registry; try: npm ci --prefix tests/brokers/aedes"
    if installed="$(npm_lock_installed "$dir")"; then
        read -r version count <<<"$installed"
        ok "aedes $version (tests/brokers/aedes, $count npm packages)"
    else
        missing "aedes broker (tests/brokers/aedes/node_modules does not match its package-lock.json)"
        run_install "the aedes broker's npm packages (npm ci, into tests/brokers/aedes)" \
            npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    fi
}

# apt_installed_version PACKAGE: the installed version, or nothing. dpkg-query exits 1 for a
# package it has never heard of, which on a fresh machine is the usual answer.
apt_installed_version() {
    local status
    status="$(dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null || true)"
    awk '$1 == "install" && $3 == "installed" { print $4 }' <<<"$status"
}

# apt_packages PACKAGE...: installs those that are not installed, in one apt-get call.
apt_packages() {
    step "Debian packages" "apt-get needs root (or sudo) and Debian's mirrors; try: apt-get update, then make setup"
    local missing_packages=() package version sudo=()
    for package in "$@"; do
        version="$(apt_installed_version "$package")"
        if [[ -n $version ]]; then
            ok "$package $version"
        else
            missing "$package"
            missing_packages+=("$package")
        fi
    done
    ((${#missing_packages[@]})) || return 0
    if ((EUID != 0)); then
        command -v sudo >/dev/null ||
            die "apt-get install ${missing_packages[*]} needs root, and there is no sudo"
        sudo=(sudo)
    fi
    step "apt-get update" "check that Debian's mirrors are reachable, then run make setup again"
    run_install "the package lists (apt-get update)" "${sudo[@]}" apt-get update -qq
    step "apt-get install ${missing_packages[*]}" "see apt-get's message above; then run make setup again"
    run_install "${missing_packages[*]} (apt)" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
}

fetch_crates() {
    step "cargo fetch" "cargo must reach crates.io once; later builds are offline"
    # `trunk --offline` makes cargo offline too: fetch the crates while the network is there.
    if ((SETUP_DRY_RUN)); then
        echo "would run: cargo fetch"
    else
        cargo fetch --quiet
        ok "crates fetched"
    fi
}

main() {
    if [[ ${1:-} == --dry-run ]]; then
        SETUP_DRY_RUN=1
        shift
    fi
    local mode="${1:-test}"
    case "$mode" in run | test) ;; *)
        echo "usage: scripts/setup.sh [--dry-run] run|test" >&2
        exit 2
        ;;
    esac
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

    # Quick steps, and those most likely to need the user (apt wants root), before the
    # minutes-long compiles: a fresh machine learns what is wrong at once, not after them.
    if [[ $mode == test ]]; then
        apt_packages "${APT_RUN[@]}" "${APT_TEST[@]}"
    else
        apt_packages "${APT_RUN[@]}"
    fi
    rust_target wasm32-unknown-unknown
    if [[ $mode == test ]]; then
        rust_component rustfmt fmt
        rust_component clippy clippy
    fi
    wasm_opt
    if [[ $mode == test ]]; then
        aedes_broker
    fi
    trunk_cli
    wasm_bindgen_cli
    fetch_crates
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi

#!/usr/bin/env bash
# Runs a command beside a Mosquitto of its own: a WebSocket listener on a free loopback port,
# named in QOSCOPE_TEST_BROKER_WS, stopped when the command ends.
#
#   scripts/with-broker.sh cargo test --target wasm32-unknown-unknown
#
# The browser tests read QOSCOPE_TEST_BROKER_WS when they are compiled (tests/web_net.rs);
# without it their broker tests pass without testing anything, so `make test` runs its
# browser tier under this script.
set -euo pipefail

dir=$(mktemp -d "${TMPDIR:-/tmp}/qoscope-broker.XXXXXX")
mosquitto_pid=
stop() {
    if [[ -n $mosquitto_pid ]]; then
        kill "$mosquitto_pid" 2>/dev/null || true
        wait "$mosquitto_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap stop EXIT

# shellcheck source=scripts/lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"
read -r port tcp_port <<<"$(free_ports 2)"
{
    echo "per_listener_settings false"
    echo "allow_anonymous true"
    # Mosquitto 2.0.11 with a WebSocket listener alone exits: "Unable to start any listening
    # sockets". A TCP listener beside it, which no test uses, keeps it up.
    echo "listener $tcp_port 127.0.0.1"
    echo "protocol mqtt"
    echo "listener $port 127.0.0.1"
    echo "protocol websockets"
    # Mosquitto 2.0.11 binds a WebSocket listener to 127.0.0.1 only when it is IPv4-only.
    echo "socket_domain ipv4"
    echo "persistence false"
    # The tests' bursts must not meet the default cap of 1000 queued messages.
    echo "max_queued_messages 1000000"
    # As root, stay root: the user mosquitto could not read this temp dir.
    if ((EUID == 0)); then echo "user root"; fi
} >"$dir/mosquitto.conf"

mosquitto -c "$dir/mosquitto.conf" >"$dir/mosquitto.log" 2>&1 &
mosquitto_pid=$!
deadline=$((SECONDS + 10))
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$mosquitto_pid" 2>/dev/null || ((SECONDS > deadline)); then
        cat "$dir/mosquitto.log" >&2
        echo "error: Mosquitto did not start listening on 127.0.0.1:$port; its log is above" >&2
        exit 1
    fi
    sleep 0.1
done

echo "Mosquitto (pid $mosquitto_pid) on ws://127.0.0.1:$port for: $*"
QOSCOPE_TEST_BROKER_WS="ws://127.0.0.1:$port" "$@"

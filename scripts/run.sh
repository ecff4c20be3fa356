#!/usr/bin/env bash
# `make run`: a local Mosquitto (MQTT 127.0.0.1:1883, WebSocket 127.0.0.1:9001) and
# `trunk serve` on http://127.0.0.1:8080. Ctrl-C stops both.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh run
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin"

RUN_DIR=.run
MQTT_PORT=1883
WS_PORT=9001
mosquitto_pid=""

listening() { # $1: port; true when something accepts TCP connections on 127.0.0.1:$1
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_mosquitto() {
    if [[ -n $mosquitto_pid ]] && kill -0 "$mosquitto_pid" 2>/dev/null; then
        echo "stopping Mosquitto (pid $mosquitto_pid)"
        kill "$mosquitto_pid" 2>/dev/null || true
        wait "$mosquitto_pid" 2>/dev/null || true
    fi
    mosquitto_pid=""
}
trap stop_mosquitto EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The broker config: mosquitto/mosquitto.conf, minus the TCP listener when port 1883 is
# taken (Debian's own mosquitto service listens there after `apt-get install mosquitto`).
broker_config() {
    if listening "$MQTT_PORT"; then
        echo "note: something already listens on 127.0.0.1:$MQTT_PORT; starting the WebSocket listener only" >&2
        awk -v port="$MQTT_PORT" '
            $1 == "listener" { skip = ($2 == port) }
            !skip' mosquitto/mosquitto.conf >"$RUN_DIR/mosquitto.conf"
        echo "$RUN_DIR/mosquitto.conf"
    else
        echo mosquitto/mosquitto.conf
    fi
}

start_mosquitto() {
    local config deadline
    mkdir -p "$RUN_DIR/mosquitto"
    config="$(broker_config)"
    # Started directly (no subshell) so that $! is mosquitto's own pid, the one we stop.
    mosquitto -c "$config" >"$RUN_DIR/mosquitto.log" 2>&1 &
    mosquitto_pid=$!
    deadline=$((SECONDS + 10))
    until listening "$WS_PORT"; do
        if ! kill -0 "$mosquitto_pid" 2>/dev/null || ((SECONDS > deadline)); then
            echo "Mosquitto did not start; its log ($RUN_DIR/mosquitto.log):" >&2
            tail -n 20 "$RUN_DIR/mosquitto.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "Mosquitto (pid $mosquitto_pid) on mqtt://127.0.0.1:$MQTT_PORT and ws://127.0.0.1:$WS_PORT; log in $RUN_DIR/mosquitto.log"
}

mkdir -p "$RUN_DIR" # trunk's [watch] ignore list names it, so it must exist
if listening "$WS_PORT"; then
    echo "note: something already listens on 127.0.0.1:$WS_PORT; using it as the broker (not starting Mosquitto)"
else
    start_mosquitto
fi

echo "QoScope on http://127.0.0.1:8080 (Ctrl-C stops it)"
# Not exec: the EXIT trap must still stop the broker when trunk ends.
trunk serve --offline

#!/usr/bin/env bash
# `make run`: a local Mosquitto (MQTT 127.0.0.1:1883, WebSocket 127.0.0.1:9001) and the app,
# built as users get it (release), on http://127.0.0.1:8080. Ctrl-C stops both.
#
#   scripts/run.sh          the release build (what `make run` runs)
#   scripts/run.sh dev      a debug build: quicker to rebuild, about 10x slower in use
#   scripts/run.sh broker   the broker alone, in the foreground (for a dist/ served by any
#                           static server: see the README)
#
# Environment: QOSCOPE_MQTT_PORT (1883), QOSCOPE_WS_PORT (9001), QOSCOPE_APP_PORT (8080);
# QOSCOPE_SETUP=0 skips scripts/setup.sh; QOSCOPE_RUN_DIR (.run) holds the broker's config and
# log, QOSCOPE_STATE_DIR its persistence (the tests set all of these).

# shellcheck source=scripts/lib/steps.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/steps.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MODE="${1:-release}"
case "$MODE" in release | dev | broker) ;; *)
    echo "usage: scripts/run.sh [release|dev|broker]" >&2
    exit 2
    ;;
esac

if [[ ${QOSCOPE_SETUP:-1} != 0 ]]; then
    step "set-up" "see the failed step above"
    scripts/setup.sh run
fi
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH:/usr/sbin"

RUN_DIR="${QOSCOPE_RUN_DIR:-$PWD/.run}"
MQTT_PORT="${QOSCOPE_MQTT_PORT:-1883}"
WS_PORT="${QOSCOPE_WS_PORT:-9001}"
APP_PORT="${QOSCOPE_APP_PORT:-8080}"
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

# Where the broker keeps retained messages and sessions. As root, Mosquitto drops to Debian's
# `mosquitto` user, which cannot write into a clone under /root: its state goes to
# /var/lib/mosquitto, Debian's directory for it.
state_dir() {
    if [[ -n ${QOSCOPE_STATE_DIR:-} ]]; then
        echo "$QOSCOPE_STATE_DIR"
    elif ((EUID == 0)) && id mosquitto >/dev/null 2>&1; then
        echo /var/lib/mosquitto/qoscope
    else
        echo "$RUN_DIR/mosquitto"
    fi
}

# The broker config: mosquitto/mosquitto.conf with this run's ports and state directory, and
# without the TCP listener when its port is taken (Debian's own mosquitto service listens on
# 1883 after `apt-get install mosquitto`).
write_broker_config() { # $1: state dir, $2: the file to write
    local keep_tcp=1
    if listening "$MQTT_PORT"; then
        echo "note: something already listens on 127.0.0.1:$MQTT_PORT; starting the WebSocket listener only" >&2
        keep_tcp=0
    fi
    awk -v tcp="$MQTT_PORT" -v ws="$WS_PORT" -v keep_tcp="$keep_tcp" -v state="$1/" '
        $1 == "listener" && $2 == 1883 { skip = !keep_tcp; $2 = tcp }
        $1 == "listener" && $2 == 9001 { skip = 0; $2 = ws }
        $1 == "persistence_location" { $2 = state }
        !skip' mosquitto/mosquitto.conf >"$2"
}

start_mosquitto() {
    local config="$RUN_DIR/mosquitto.conf" state deadline
    step "start Mosquitto" "see $RUN_DIR/mosquitto.log; is port $WS_PORT or $MQTT_PORT taken?"
    state="$(state_dir)"
    mkdir -p "$state"
    if ((EUID == 0)) && [[ $state != "$RUN_DIR"/* ]]; then chown mosquitto: "$state"; fi
    write_broker_config "$state" "$config"
    # Started directly (no subshell) so that $! is mosquitto's own pid, the one we stop.
    mosquitto -c "$config" >"$RUN_DIR/mosquitto.log" 2>&1 &
    mosquitto_pid=$!
    deadline=$((SECONDS + 10))
    until listening "$WS_PORT"; do
        if ! kill -0 "$mosquitto_pid" 2>/dev/null || ((SECONDS > deadline)); then
            tail -n 20 "$RUN_DIR/mosquitto.log" >&2
            die "Mosquitto did not start listening on 127.0.0.1:$WS_PORT; its log is above"
        fi
        sleep 0.1
    done
    echo "Mosquitto (pid $mosquitto_pid) on mqtt://127.0.0.1:$MQTT_PORT and ws://127.0.0.1:$WS_PORT, loopback only; state in $state, log in $RUN_DIR/mosquitto.log"
}

trap stop_mosquitto EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$RUN_DIR" # trunk's [watch] ignore list names it, so it must exist

if listening "$WS_PORT"; then
    [[ $MODE != broker ]] || die "something already listens on 127.0.0.1:$WS_PORT"
    echo "note: something already listens on 127.0.0.1:$WS_PORT; using it as the broker (not starting Mosquitto)"
else
    start_mosquitto
fi

if [[ $MODE == broker ]]; then
    step "Mosquitto" "see $RUN_DIR/mosquitto.log"
    echo "Ctrl-C stops it"
    wait "$mosquitto_pid" || die "Mosquitto stopped; see $RUN_DIR/mosquitto.log"
    exit 0
fi

trunk_flags=(--offline --port "$APP_PORT")
if [[ $MODE == release ]]; then
    trunk_flags+=(--release)
    echo "building the release app (the first build takes minutes; later ones seconds)"
fi
step "trunk serve" "see trunk's message above; a debug build for development: make run-dev"
echo "QoScope on http://127.0.0.1:$APP_PORT (Ctrl-C stops it)"
# Not exec: the EXIT trap must still stop the broker when trunk ends.
trunk serve "${trunk_flags[@]}"

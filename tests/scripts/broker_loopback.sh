#!/usr/bin/env bash
# The broker that `make run` starts (scripts/run.sh broker, the same config and code path)
# listens on loopback only, does not run as root, and speaks MQTT over its WebSocket.
# It allows anonymous clients: that is only safe while nothing off this machine can reach it.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=tests/scripts/lib.sh
source "$here/lib.sh"
export PATH="$PATH:/usr/sbin"

work="$(mktemp -d)"
chmod 755 "$work" # as root, the broker runs as `mosquitto` and must reach its state dir
runner=""
cleanup() {
    if [[ -n $runner ]]; then
        kill "$runner" 2>/dev/null
        wait "$runner" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/lib/ports.sh
source "$repo/scripts/lib/ports.sh"
read -r tcp_port ws_port <<<"$(free_ports 2)"

QOSCOPE_SETUP=0 QOSCOPE_MQTT_PORT="$tcp_port" QOSCOPE_WS_PORT="$ws_port" \
    QOSCOPE_RUN_DIR="$work/run" QOSCOPE_STATE_DIR="$work/state" \
    "$repo/scripts/run.sh" broker >"$work/run.out" 2>&1 &
runner=$!

# Waits on the condition (both ports listening), bounded, never on a fixed sleep.
listeners=""
for _ in $(seq 1 100); do
    listeners="$(ss -ltnpH "( sport = :$tcp_port or sport = :$ws_port )" 2>/dev/null)"
    if grep -q ":$tcp_port " <<<"$listeners" && grep -q ":$ws_port " <<<"$listeners"; then break; fi
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.1
done
expect_contains "the MQTT listener is up" "$listeners" ":$tcp_port "
expect_contains "the WebSocket listener is up" "$listeners" ":$ws_port "
broker_pid="$(grep -o 'pid=[0-9]*' <<<"$listeners" | head -n 1 | cut -d= -f2)"

if [[ -n $broker_pid ]]; then
    every_socket="$(ss -ltnpH | grep "pid=$broker_pid,")"
    outside="$(awk '$4 !~ /^(127\.0\.0\.1|\[::1\]|\[::ffff:127\.0\.0\.1\]):/' <<<"$every_socket")"
    if [[ -z $outside ]]; then
        pass "every listening socket of the broker is on loopback"
    else
        fail "the broker listens beyond loopback" "$outside"
    fi
    user="$(ps -o user= -p "$broker_pid" | tr -d ' ')"
    if ((EUID == 0)); then
        expect_status "started as root, it runs as Debian's mosquitto user" mosquitto "$user"
    else
        expect_status "it runs as the user who started it" "$(id -un)" "$user"
    fi
else
    fail "found no broker process" "$(cat "$work/run.out")"
fi

# A real MQTT client over the WebSocket: the upgrade with subprotocol mqtt, then CONNECT, CONNACK.
connack="$(python3 - "$ws_port" <<'PY' 2>&1
import base64, os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
           f"Sec-WebSocket-Protocol: mqtt\r\n\r\n").encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
print(head.split(b"\r\n")[0].decode())
connect = bytes([0x10, 17, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 10, 0, 5]) + b"probe"
mask = os.urandom(4)
s.sendall(bytes([0x82, 0x80 | len(connect)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(connect)))
frame = s.recv(64)
print("CONNACK" if frame[2:4] == bytes([0x20, 2]) and frame[5] == 0 else f"unexpected {frame!r}")
PY
)"
expect_contains "the WebSocket upgrade is accepted" "$connack" "101 Switching Protocols"
expect_contains "an anonymous MQTT client gets its CONNACK over it" "$connack" "CONNACK"

kill "$runner" 2>/dev/null
wait "$runner" 2>/dev/null
runner=""
if [[ -n $broker_pid ]] && kill -0 "$broker_pid" 2>/dev/null; then
    fail "stopping scripts/run.sh stops its broker (pid $broker_pid is still there)"
    kill "$broker_pid"
else
    pass "stopping scripts/run.sh stops its broker"
fi

summary "loopback-only broker"

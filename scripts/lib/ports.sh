# shellcheck shell=bash
# Sourced: free loopback ports for a broker's listeners.

# free_ports N: N different free loopback ports, each held until all are chosen (asked one at a
# time, the OS may hand out the same port twice).
free_ports() {
    python3 -c 'import socket, sys
held = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in held:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))' "$1"
}

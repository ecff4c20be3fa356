# shellcheck shell=bash
# Assertions for the shell tests in tests/scripts/: each prints "ok ..." or "FAIL ...", and
# `summary` ends the file with the plain "N passed, N failed" line and its exit status.
passed=0
failed=0

pass() {
    echo "ok   $1"
    passed=$((passed + 1))
}

fail() { # $1: what was expected, $2: what was seen
    echo "FAIL $1"
    local line
    if [[ -n ${2:-} ]]; then
        while IFS= read -r line; do echo "     | $line"; done <<<"$2"
    fi
    failed=$((failed + 1))
}

# expect_contains DESCRIPTION HAYSTACK NEEDLE
expect_contains() {
    if [[ $2 == *"$3"* ]]; then pass "$1"; else fail "$1: no '$3' in" "$2"; fi
}

# expect_lacks DESCRIPTION HAYSTACK NEEDLE
expect_lacks() {
    if [[ $2 != *"$3"* ]]; then pass "$1"; else fail "$1: '$3' should not be in" "$2"; fi
}

# expect_status DESCRIPTION WANT GOT [OUTPUT]
expect_status() {
    if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1: exit status $3, not $2" "${4:-}"; fi
}

summary() { # $1: the name of this group of checks
    echo "$1: $passed passed, $failed failed"
    ((failed == 0))
}

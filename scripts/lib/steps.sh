# shellcheck shell=bash
# Sourced by scripts/setup.sh, scripts/run.sh and scripts/test.sh: names the step that is
# running, so that a failure says which step failed, the command that failed, and what to do
# next, instead of ending in a bare `make: *** Error 1`.
#
#   step "install trunk 0.21.14" "check that crates.io is reachable, then run make setup again"
#
# A command whose non-zero exit is a normal answer ("not installed", "not listening") must say
# so where it runs (`|| true`, `if`, `!`): under `set -e` anything else ends the script here.

set -Eeuo pipefail

STEP="start"
STEP_HINT=""
# The command being run on the step's behalf, when "$BASH_COMMAND" would only say "$@".
STEP_COMMAND=""
STEP_SCRIPT="${STEP_SCRIPT:-$(basename "$0")}"

# step NAME [WHAT TO DO IF IT FAILS]
step() {
    STEP="$1"
    STEP_HINT="${2:-}"
    STEP_COMMAND=""
}

# Prints the failure once, from the top-level shell (a failing command substitution would
# otherwise report twice: inside it, and again at the assignment that used it).
report_failure() { # $1: exit status, $2: line, $3: the command, $4: the file
    ((BASH_SUBSHELL == 0)) || return 0
    {
        echo
        echo "$STEP_SCRIPT: FAILED at step: $STEP (exit status $1)"
        echo "  command: ${STEP_COMMAND:-$3}"
        echo "  where:   $4, line $2"
        if [[ -n $STEP_HINT ]]; then echo "  next:    $STEP_HINT"; fi
    } >&2
}
trap 'report_failure "$?" "$LINENO" "$BASH_COMMAND" "${BASH_SOURCE[0]:-$0}"' ERR

# die MESSAGE: a failure the script found itself, reported the same way.
die() {
    {
        echo
        echo "$STEP_SCRIPT: FAILED at step: $STEP"
        echo "  why:     $*"
        if [[ -n $STEP_HINT ]]; then echo "  next:    $STEP_HINT"; fi
    } >&2
    exit 1
}

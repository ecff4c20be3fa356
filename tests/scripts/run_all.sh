#!/usr/bin/env bash
# Tier 1 of `make test`: the scripts themselves. Cheap, and first, because a set-up that dies
# on a fresh machine stops every user before any other tier could say so.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo" || exit 1
status=0

echo "-- shellcheck"
mapfile -t scripts < <(find scripts tests/scripts -name '*.sh' | sort)
if shellcheck -x "${scripts[@]}" .ci/run; then
    echo "shellcheck: ${#scripts[@]} scripts and .ci/run clean"
else
    status=1
fi
echo "-- a font for Chinese, so the screenshots show glyphs, not boxes"
cjk_fonts="$(fc-list :lang=zh family 2>/dev/null || true)"
if [[ -n $cjk_fonts ]]; then
    echo "ok   Chinese is drawn in: $(head -n 1 <<<"$cjk_fonts")"
else
    echo "FAIL no font on this machine covers Chinese (scripts/setup.sh test installs fonts-wqy-microhei)"
    status=1
fi
"$here/setup_probes.sh" || status=1
"$here/broker_loopback.sh" || status=1
exit "$status"

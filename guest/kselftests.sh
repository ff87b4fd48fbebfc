#!/bin/bash
# kselftests.sh - run inside the guest: kselftests through run_kselftest.sh.
#
# Usage: guest/kselftests.sh KSELFTEST_DIR COLLECTION:TEST...
#
# Copies the installed kselftests (scripts/kselftest.sh) to a tmpfs, since
# some write next to themselves, and runs the named tests with the
# kselftest runner. TAP goes to stdout; the runner's status is returned.
# VM_SELFTEST_ITEMS (mm/run_vmtests.sh categories) passes through.
set -u
[ $# -ge 2 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
src=$1
shift
[ -x "$src/run_kselftest.sh" ] || { echo "no kselftests in $src" >&2; exit 2; }
work=$(mktemp -d)
cp -a "$src/." "$work/"
args=()
for t in "$@"; do
	args+=(-t "$t")
done
cd "$work" && ./run_kselftest.sh --override-timeout "${KSFT_TIMEOUT:-1800}" "${args[@]}"

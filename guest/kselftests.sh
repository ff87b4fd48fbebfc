#!/bin/bash
# kselftests.sh - run inside the guest: kselftests through run_kselftest.sh.
#
# Usage: guest/kselftests.sh KSELFTEST_DIR OUT_DIR COLLECTION:TEST...
#
# Copies the installed kselftests (scripts/kselftest.sh) to a tmpfs, since
# some write next to themselves, and runs each named test on its own with
# the kselftest runner, its TAP going to OUT_DIR/COLLECTION:TEST.tap and to
# stdout. VM_SELFTEST_ITEMS (mm/run_vmtests.sh categories) passes through.
set -u
[ $# -ge 3 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
src=$1 out=$2
shift 2
[ -x "$src/run_kselftest.sh" ] || { echo "no kselftests in $src" >&2; exit 2; }
work=$(mktemp -d)
cp -a "$src/." "$work/"
cd "$work" || exit 2
for t in "$@"; do
	./run_kselftest.sh --override-timeout "${KSFT_TIMEOUT:-1800}" -t "$t" 2>&1 |
		tee "$out/$t.tap"
done
exit 0

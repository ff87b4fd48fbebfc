#!/bin/bash
# guest-kselftests.sh - run inside the guest: kselftests through run_kselftest.sh.
#
# Usage: check/guest-kselftests.sh KSELFTEST_DIR OUT_DIR COLLECTION:TEST...
#
# Copies the installed kselftests (check/kselftest-build.sh) to a tmpfs, since
# some write next to themselves, and runs each named test on its own with
# the kselftest runner, its TAP going to OUT_DIR/COLLECTION:TEST.tap and to
# stdout. VM_SELFTEST_ITEMS (mm/run_vmtests.sh categories) passes through.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
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

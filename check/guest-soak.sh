#!/bin/bash
# guest-soak.sh - run inside the guest: zram_stress.sh for SECONDS, zram_faults.sh in a loop beside it.
#
# Usage: check/guest-soak.sh KSELFTEST_DIR OUT_DIR SECONDS
#
# zram_stress.sh (fio with verification, swap cycles, compaction, CMA and
# zram compaction loops) runs once for SECONDS; meanwhile zram_faults.sh
# (zram I/O with fail_page_alloc and failslab injecting failures) runs
# again and again until the stress test ends. Each run's TAP goes to
# OUT_DIR: zram:zram_stress.sh.tap and zram:zram_faults.sh-N.tap.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 3 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
src=$1 out=$2 secs=$3
[ -x "$src/run_kselftest.sh" ] || { echo "no kselftests in $src" >&2; exit 2; }
work=$(mktemp -d)
cp -a "$src/." "$work/"
cd "$work" || exit 2
timeout=$((secs + 1800))
# Through a pipe, not straight into the file: the runner reopens
# /dev/stdout for the tests' output, and a second open of a regular file
# has an offset of its own, so the two would overwrite each other's lines.
ZRAM_STRESS_SECONDS=$secs ./run_kselftest.sh --override-timeout "$timeout" \
	-t zram:zram_stress.sh 2>&1 | cat >"$out/zram:zram_stress.sh.tap" &
stress=$!
n=0
while kill -0 "$stress" 2>/dev/null; do
	n=$((n + 1))
	./run_kselftest.sh --override-timeout 1800 -t zram:zram_faults.sh 2>&1 |
		cat >"$out/zram:zram_faults.sh-$n.tap"
done
wait "$stress"
echo "soak: $n zram_faults.sh rounds beside zram_stress.sh ($secs s)"
exit 0

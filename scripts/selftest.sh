#!/bin/bash
# selftest.sh - self-test of make check's and make demo's verdicts, on fixture logs.
#
# Usage: scripts/selftest.sh [CASE...]
#
# Each directory tests/verdict/CASE/ (but pass/, the logs of a run where
# everything passed, which the others start from) is one case: the real
# scripts/check.sh or scripts/demo.sh runs with tests/verdict/stub-vm.sh
# in place of scripts/vm.sh (it copies the fixture logs into the group's
# directory and returns the fixture's guest status), stub-agent.sh in
# place of the balloon agent, and no install or build step. Its file
# 'expected' holds:
#   run: check|demo ARGS...   what to run
#   status: N                 its exit status
#   last: TEXT                its last line of output, exactly
#   has: TEXT                 a line of its output, exactly (repeatable)
# (BUILD in TEXT stands for the build directory), and '#' comments: what
# the case checks.
# Prints 'PASS selftest/CASE' or 'FAIL selftest/CASE (why)' per case, then
# 'selftest: N passed, N failed'; exits non-zero when a case failed.
# Takes seconds; needs bash and python3 only. The output of each case is
# kept in build/selftest/CASE.out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${1:-} in -h|--help) usage; exit 0 ;; esac
fixtures=$TOP/tests/verdict
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for d in "$fixtures"/*/; do
		d=$(basename "$d")
		[ "$d" = pass ] || cases+=("$d")
	done
fi
work=$BUILD/selftest
rm -rf "$work"
mkdir -p "$work"
passed=0 failed=0
for c in "${cases[@]}"; do
	exp=$fixtures/$c/expected
	if [ ! -f "$exp" ]; then
		echo "FAIL selftest/$c (no $exp)"
		failed=$((failed + 1))
		continue
	fi
	run=$(sed -n 's/^run: //p' "$exp")
	want_status=$(sed -n 's/^status: //p' "$exp")
	want_last=$(sed -n 's/^last: //p' "$exp")
	want_last=${want_last//BUILD/$BUILD}
	read -r -a words <<<"$run"
	script=$TOP/scripts/${words[0]}.sh
	out=$work/$c.out
	rc=0
	env FIXTURE="$fixtures/$c" HARNESS_VM="$fixtures/stub-vm.sh" \
		HARNESS_AGENT="$fixtures/stub-agent.sh" HARNESS_KERNEL=/dev/null \
		CHECK_SELFTEST=0 CHECK_RESULTS="$work/$c" DEMO_OUT="$work/$c/demo" \
		CHECK_INVENTORY="$fixtures/inventory" \
		CHECK_KNOWN_SKIPS="$fixtures/known-skips" \
		timeout 60 "$script" "${words[@]:1}" >"$out" 2>&1 </dev/null || rc=$?
	why=()
	[ "$rc" = "$want_status" ] || why+=("exit status $rc, expected $want_status")
	last=$(tail -n 1 "$out")
	[ -z "$want_last" ] || [ "$last" = "$want_last" ] ||
		why+=("last line '$last', expected '$want_last'")
	while IFS= read -r line; do
		line=${line//BUILD/$BUILD}
		grep -qxF -- "$line" "$out" || why+=("no line '$line'")
	done < <(sed -n 's/^has: //p' "$exp")
	if [ ${#why[@]} -eq 0 ]; then
		echo "PASS selftest/$c"
		passed=$((passed + 1))
	else
		echo "FAIL selftest/$c ($(IFS=';'; echo "${why[*]}"); output: $out)"
		failed=$((failed + 1))
	fi
done
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

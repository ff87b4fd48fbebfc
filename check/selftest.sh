#!/bin/bash
# selftest.sh - self-test of the harness's verdicts and bad-input handling, on fixtures.
#
# Usage: check/selftest.sh [CASE...]
#
# Each directory check/selftest/CASE/ (but pass/, the logs of a run where
# everything passed, which the others start from) is one case: real
# scripts of the harness run with check/selftest/stub-vm.sh in place of
# vm/vm.sh (it fills the guest's directory from the fixture and returns
# the fixture's guest status), stub-agent.sh in place of the balloon
# agent, and no install or build step (HARNESS_KERNEL). Its file
# 'expected' holds one or more runs, each a 'run:' line and the lines
# after it, up to the next 'run:':
#   run: [VAR=VALUE...] SCRIPT ARGS...
#                             what to run: a path from the top directory
#                             (check/check.sh, bench/report.py, ...), with
#                             variables for it (the stub reads STUB_FAIL)
#   status: N                 its exit status
#   last: TEXT                its last line of output, exactly
#   has: TEXT                 a line of its output, exactly (repeatable)
#   in FILE: TEXT             a line of WORK/FILE, exactly (repeatable)
#   not in FILE: TEXT         no line of WORK/FILE contains TEXT (repeatable)
#   file: FILE                WORK/FILE exists and is not empty (repeatable)
#   absent: FILE              WORK/FILE does not exist (repeatable)
# and '#' comments: what the case checks. A run line is split into words
# at spaces (no quoting). In every value, FIXTURE stands for the case's
# directory, WORK for its work directory (build/selftest/CASE), BUILD for
# the build directory and TOP for the top directory. The scripts run with
# BUILD=WORK/build, so that nothing they do can touch build/ (the kernel
# tree, the object directories).
# Prints 'PASS selftest/CASE' or 'FAIL selftest/CASE (why)' per case, then
# 'selftest: N passed, N failed'; exits non-zero when a case failed.
# Takes seconds; needs bash, jq, python3 and Debian's python3-matplotlib
# (lib/deps.sh installs them). The output of each run is kept in
# build/selftest/CASE.out (CASE.N.out for the Nth run of a case).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

case ${1:-} in -h|--help) usage; exit 0 ;; esac
fixtures=$TOP/check/selftest
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for d in "$fixtures"/*/; do
		d=$(basename "$d")
		[ "$d" = pass ] || cases+=("$d")
	done
fi
for c in "${cases[@]}"; do
	[ -f "$fixtures/$c/expected" ] || die "no case $fixtures/$c/expected (see --help)"
done
work=$BUILD/selftest
rm -rf "$work"
mkdir -p "$work"

# subst TEXT: the placeholders of case $c replaced.
subst() {
	local t=$1
	t=${t//FIXTURE/$fixtures/$c}
	t=${t//WORK/$cwork}
	t=${t//BUILD/$BUILD}
	printf '%s\n' "${t//TOP/$TOP}"
}

# run_block FILE OUT: one run of case $c, its expectations in FILE; adds
# to why[] what went wrong.
run_block() {
	local exp=$1 out=$2 run want_status want_last words=() envs=() rc=0 last line f text
	run=$(subst "$(sed -n 's/^run: //p' "$exp")")
	want_status=$(sed -n 's/^status: //p' "$exp")
	want_last=$(subst "$(sed -n 's/^last: //p' "$exp")")
	read -r -a words <<<"$run"
	while [ ${#words[@]} -gt 0 ] && [[ ${words[0]} =~ ^[A-Z_]+= ]]; do
		envs+=("${words[0]}")
		words=("${words[@]:1}")
	done
	if [ ${#words[@]} -eq 0 ] || [ ! -x "$TOP/${words[0]}" ]; then
		why+=("no script to run: '$run'")
		return
	fi
	# Its own build directory: nothing a script of a case does (by mistake)
	# can touch build/ (build/linux, the object directories, results).
	env BUILD="$cwork/build" FIXTURE="$fixtures/$c" HARNESS_VM="$fixtures/stub-vm.sh" \
		HARNESS_AGENT="$fixtures/stub-agent.sh" HARNESS_KERNEL=/dev/null \
		CHECK_SELFTEST=0 CHECK_LINT=0 CHECK_RESULTS="$cwork" DEMO_OUT="$cwork/demo" \
		CHECK_INVENTORY="$fixtures/inventory" CHECK_GROUPS="$fixtures/groups" \
		CHECK_KNOWN_SKIPS="$fixtures/known-skips" "${envs[@]}" \
		timeout 60 "$TOP/${words[0]}" "${words[@]:1}" >"$out" 2>&1 </dev/null || rc=$?
	[ "$rc" = "$want_status" ] || why+=("${words[0]}: exit status $rc, expected $want_status")
	last=$(tail -n 1 "$out")
	[ -z "$want_last" ] || [ "$last" = "$want_last" ] ||
		why+=("${words[0]}: last line '$last', expected '$want_last'")
	while IFS= read -r line; do
		line=$(subst "$line")
		grep -qxF -- "$line" "$out" || why+=("${words[0]}: no line '$line'")
	done < <(sed -n 's/^has: //p' "$exp")
	while IFS= read -r line; do
		line=$(subst "$line")
		f=${line%%: *} text=${line#*: }
		case $line in
		'not in '*)
			f=${f#not in }
			if [ ! -f "$cwork/$f" ]; then
				why+=("no $f")
			elif grep -qF -- "$text" "$cwork/$f"; then
				why+=("$f has '$text'")
			fi ;;
		'in '*)
			f=${f#in }
			if [ ! -f "$cwork/$f" ]; then
				why+=("no $f")
			elif ! grep -qxF -- "$text" "$cwork/$f"; then
				why+=("$f lacks the line '$text'")
			fi ;;
		'file: '*) [ -s "$cwork/$text" ] || why+=("no $text, or empty") ;;
		'absent: '*) [ ! -e "$cwork/$text" ] || why+=("$text exists") ;;
		esac
	done < <(grep -E '^((not )?in [^:]+|file|absent): ' "$exp")
}

passed=0 failed=0
for c in "${cases[@]}"; do
	cwork=$work/$c
	mkdir -p "$cwork/.blocks"
	# One file per run: the 'run:' line and what follows it.
	awk -v d="$cwork/.blocks" '/^run: /{ n++ } n { print > (d "/" n) }' "$fixtures/$c/expected"
	why=()
	n=$(find "$cwork/.blocks" -type f | wc -l)
	[ "$n" -gt 0 ] || why+=("no 'run:' line in $fixtures/$c/expected")
	for ((i = 1; i <= n; i++)); do
		out=$work/$c.out
		[ "$n" -eq 1 ] || out=$work/$c.$i.out
		run_block "$cwork/.blocks/$i" "$out"
	done
	if [ ${#why[@]} -eq 0 ]; then
		echo "PASS selftest/$c"
		passed=$((passed + 1))
	else
		echo "FAIL selftest/$c ($(IFS=';'; echo "${why[*]}"); output: $work/$c*.out)"
		failed=$((failed + 1))
	fi
done
echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

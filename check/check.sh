#!/bin/bash
# check.sh - build the 'test' flavour and run every test in QEMU guests.
#
# Usage: check/check.sh [--flavour test|kasan|rt] [--only GROUP]...
#        check/check.sh --list-groups
#        check/check.sh --vm-options GROUP
#        check/check.sh --expects GROUP
#        check/check.sh --kunit GROUP
#
# Steps: the self-test of the verdict logic (check/selftest.sh, seconds,
# on the fixture logs in check/selftest/) and the linters (lib/lint.sh),
# each counted as one test; then install missing packages (lib/deps.sh),
# prepare build/linux (lib/tree.sh), build the kernel (lib/build.sh) and
# the kselftests (check/kselftest-build.sh), and boot
# one guest per group of check/groups. The arguments (flavour, group
# names) are checked before any of that.
#
# Verdicts come from check/verdict.py, one per test case: every KUnit
# case (read from KUnit's debugfs results, which vm/init copies to the
# group's kunit/ directory, else from the guest console's KTAP), every
# subtest of every kselftest program at any nesting level (a program
# reporting 'not ok', a SKIP or 'NAME : [FAIL]' inside its TAP fails or
# skips even when it exits 0), and every test listed in check/inventory
# for the group and flavour (a missing one fails). A skip fails unless
# check/known-skips lists it. A lockdep, KASAN, BUG or WARN report in any
# guest log fails the run, and so does a guest that did not finish. Logs
# and each group's verdicts (verdict.txt) are kept in build/check/GROUP/
# (build/check-FLAVOUR/GROUP/ for the other flavours).
#
# Groups (check/groups holds their guests' options and tests):
#   main     KUnit; kselftests: upstream's zram suite, zram_compact.sh,
#            mm/run_vmtests.sh categories compaction and migration
#            (2 NUMA nodes, 4 vCPUs)
#   cma      zram_cma.sh, zram_stress.sh (cma=256M page_owner=on)
#   offline  zram_offline.sh (a 512M DIMM onlined movable),
#            zram_mm_compaction.sh, zram_faults.sh (fault injection),
#            zram_zstd_hotplug.sh (a CPU's zstd context fails to allocate),
#            zram_stream_mem.sh (one CPU's stream memory per algorithm)
#   balloon  zram_balloon.sh (virtio-balloon driven over QMP),
#            zram_zswap.sh (zswap on zsmalloc and zbud)
#   context  the KUnit case that makes zsmalloc warn on purpose; its log
#            must hold exactly the warnings the group expects
#   qspinlock  the KUnit case of compaction yielding to a waiter, also
#            on a guest CPU without the hypervisor bit (queued spinlocks)
#
# --list-groups prints each group and its tests; --vm-options GROUP the
# group's vm/vm.sh options, as words with '+' for spaces (check/mutants.sh
# runs single tests in a group's guest with them); --expects GROUP the
# kernel reports the group's log must hold, one extended regex per line
# (check/splat-check.sh --expect); --kunit GROUP prints yes when the
# group's KUnit results are judged, else no.
#
# The last line is 'N passed, N failed, N skipped', also when something
# in the harness itself fails after the arguments were accepted (that
# counts as a failure); the exit status is 0 only when nothing failed.
#
# Environment, for the self-test: HARNESS_VM, HARNESS_AGENT (stand-ins for
# vm/vm.sh and vm/balloon-agent.sh), HARNESS_KERNEL (a kernel
# image: no install or build step), CHECK_RESULTS (the results directory),
# CHECK_SELFTEST=0 (no self-test, no lint), CHECK_LINT=0 (no lint),
# CHECK_SELFTEST_SCRIPT (a stand-in for check/selftest.sh), CHECK_GROUPS
# (another groups file: the self-test's copy, check/selftest/groups),
# CHECK_INVENTORY and CHECK_KNOWN_SKIPS (likewise).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

# The groups, from check/groups: GROUP_VM[g] and GROUP_TESTS[g] are a
# group's vm.sh options and kselftests (words; '+' for spaces in an option
# value), GROUP_KUNIT[g]=1 when its guest's KUnit results are judged,
# GROUP_EXPECT[g] the reports its log must hold (one regex per line).
groups_file=${CHECK_GROUPS:-$TOP/check/groups}
[ -f "$groups_file" ] || die "$groups_file is missing"
GROUPS_ALL=
declare -A GROUP_VM GROUP_TESTS GROUP_KUNIT GROUP_EXPECT
while read -r g field rest; do
	case $g in ''|'#'*) continue ;; esac
	[[ " $GROUPS_ALL " == *" $g "* ]] || GROUPS_ALL+="${GROUPS_ALL:+ }$g"
	case $field in
	vm) GROUP_VM[$g]+=" $rest" ;;
	tests) GROUP_TESTS[$g]+=" $rest" ;;
	kunit) [ "$rest" != yes ] || GROUP_KUNIT[$g]=1 ;;
	expect) GROUP_EXPECT[$g]+="$rest"$'\n' ;;
	*) die "$groups_file: group $g: unknown field '$field' (vm, tests, kunit, expect)" ;;
	esac
done <"$groups_file"
[ -n "$GROUPS_ALL" ] || die "$groups_file defines no group"

flavour="test"
only=()
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	--only) need_arg "$@"; only+=("$2"); shift 2 ;;
	--vm-options)
		need_arg "$@"
		[ -n "${GROUP_VM[$2]:-}" ] || die "unknown group '$2' (groups: $GROUPS_ALL)"
		echo "${GROUP_VM[$2]# }"
		exit 0 ;;
	--expects|--kunit)
		need_arg "$@"
		[ -n "${GROUP_VM[$2]:-}" ] || die "unknown group '$2' (groups: $GROUPS_ALL)"
		if [ "$1" = --kunit ]; then
			[ -n "${GROUP_KUNIT[$2]:-}" ] && echo yes || echo no
		else
			printf '%s' "${GROUP_EXPECT[$2]:-}"
		fi
		exit 0 ;;
	--list-groups)
		for g in $GROUPS_ALL; do echo "$g${GROUP_TESTS[$g]:-}"; done
		exit 0 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
case $flavour in
test|kasan|rt) ;;
*) die "unknown flavour '$flavour' (test, kasan, rt)" ;;
esac
for g in "${only[@]}"; do
	[[ " $GROUPS_ALL " == *" $g "* ]] || die "unknown group '$g' (groups: $GROUPS_ALL)"
done
run_groups=$GROUPS_ALL
[ ${#only[@]} -eq 0 ] || run_groups="${only[*]}"

# From here on the summary line is always printed, last; anything that
# stops the script early counts as one failure.
passed=0 failed=0 skipped=0 completed=0 where=
results=${CHECK_RESULTS:-$BUILD/check}
[ "$flavour" = test ] || [ -n "${CHECK_RESULTS:-}" ] || results=$BUILD/check-$flavour
finish() {
	local rc=$?
	trap - EXIT
	if [ $completed -eq 0 ]; then
		echo "check.sh: stopped early (status $rc${where:+, $where}): counted as a failure"
		failed=$((failed + 1))
	fi
	echo "logs: $results"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && exit 0
	exit 1
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
set -E
trap 'where="line $LINENO: $BASH_COMMAND"' ERR

# count TEXT: print and count verdict lines 'PASS|FAIL|SKIP NAME ...';
# PASS lines are only counted, NOTE lines printed.
count() {
	local line
	while IFS= read -r line; do
		case $line in
		'PASS '*) passed=$((passed + 1)) ;;
		'FAIL '*) failed=$((failed + 1)); echo "$line" ;;
		'SKIP '*) skipped=$((skipped + 1)); echo "$line" ;;
		'NOTE '*) echo "$line" ;;
		esac
	done <<<"$1"
}

# The verdict logic's self-test comes first: seconds, no build needed.
if [ "${CHECK_SELFTEST:-1}" != 0 ]; then
	# It needs python3, jq and Debian's python3-matplotlib (the cases of
	# bench/'s runner and report program).
	if ! { command -v python3 && command -v jq &&
		/usr/bin/python3 -c 'import matplotlib'; } >/dev/null 2>&1; then
		"$TOP/lib/deps.sh" >&2
	fi
	note "self-test of the verdict logic (check/selftest/)"
	st_rc=0
	st=$("${CHECK_SELFTEST_SCRIPT:-$TOP/check/selftest.sh}" 2>&1) || st_rc=$?
	count "$st"
	# A self-test that crashed, or failed without a FAIL line, fails too.
	if ! grep -qE '^(PASS|FAIL) ' <<<"$st" ||
		{ [ $st_rc -ne 0 ] && ! grep -q '^FAIL ' <<<"$st"; } ||
		{ [ $st_rc -eq 0 ] &&
			! tail -n 1 <<<"$st" | grep -qE '^selftest: [0-9]+ passed, 0 failed$'; }; then
		echo "selftest: check/selftest.sh exited $st_rc without a clean summary:"
		printf '%s\n' "$st" | tail -n 5
		failed=$((failed + 1))
	fi
fi
# Then the linters, on every script and Python file (lib/lint.sh); the
# self-test's runs of this script leave them out (CHECK_LINT=0).
if [ "${CHECK_SELFTEST:-1}" != 0 ] && [ "${CHECK_LINT:-1}" != 0 ]; then
	command -v shellcheck >/dev/null && command -v pyflakes3 >/dev/null ||
		"$TOP/lib/deps.sh" >&2
	note "lint (lib/lint.sh)"
	if lint=$("$TOP/lib/lint.sh" 2>&1); then
		passed=$((passed + 1))
	else
		echo "FAIL lint:"
		printf '%s\n' "$lint"
		failed=$((failed + 1))
	fi
fi

kernel=$(prepare "$flavour")
mkdir -p "$results"
export KSFT_TIMEOUT=1800

# group NAME: boot NAME's guest, run its tests, count its verdicts. Every
# step is checked here, so that one group's trouble cannot stop the run.
group() {
	local name=$1 dir=$results/$1 rc=0 agent="" out words=() vmopts=() tests=() w
	read -r -d '' -a words <<<"${GROUP_VM[$name]}" || true
	for w in "${words[@]}"; do vmopts+=("${w//+/ }"); done
	read -r -d "" -a tests <<<"${GROUP_TESTS[$name]:-}" || true
	rm -rf "$dir"
	mkdir -p "$dir"
	note "group $name: ${tests[*]}"
	if [[ " ${vmopts[*]} " == *" --balloon "* ]]; then
		# The guest asks, through files in its out dir, for balloon sizes.
		vmopts+=(--qmp "$dir/qmp.sock" --env ZRAM_BALLOON_DIR=/run/out)
		"$HARNESS_AGENT" --qmp "$dir/qmp.sock" --dir "$dir" --timeout 3600 &
		agent=$!
	fi
	# A group without kselftests (KUnit at boot only) runs nothing after.
	local cmd=(true)
	[ ${#tests[@]} -eq 0 ] ||
		cmd=(check/guest-kselftests.sh "$BUILD/kselftest" /run/out "${tests[@]}")
	"$HARNESS_VM" --kernel "$kernel" --out "$dir" --quiet "${vmopts[@]}" -- \
		"${cmd[@]}" || rc=$?
	if [ -n "$agent" ]; then
		# It may be gone already: it exits when QEMU does.
		kill "$agent" 2>/dev/null || true
		wait "$agent" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ] && [ ! -f "$dir/rc" ]; then
		echo "FAIL $name/guest (did not finish, status $rc; serial log: $dir/serial.log)"
		failed=$((failed + 1))
	fi
	local kunit=()
	[ -z "${GROUP_KUNIT[$name]:-}" ] || kunit=(--kunit)
	if out=$(python3 "$TOP/check/verdict.py" --group "$name" --dir "$dir" \
		--flavour "$flavour" "${kunit[@]}" --inventory "${CHECK_INVENTORY:-$TOP/check/inventory}" \
		--known-skips "${CHECK_KNOWN_SKIPS:-$TOP/check/known-skips}" "${tests[@]}" 2>&1); then
		printf '%s\n' "$out" >"$dir/verdict.txt"
		count "$out"
		echo "$out" | tail -n 1
	else
		echo "FAIL $name/verdict (check/verdict.py failed:)"
		printf '%s\n' "$out" | tail -n 5
		failed=$((failed + 1))
	fi
	local logs=() f expects=() e
	for f in "$dir/serial.log" "$dir/dmesg.log"; do
		[ ! -f "$f" ] || logs+=("$f")
	done
	while IFS= read -r e; do
		[ -z "$e" ] || expects+=(--expect "$e")
	done <<<"${GROUP_EXPECT[$name]:-}"
	if [ ${#logs[@]} -eq 0 ]; then
		echo "FAIL $name/splat (no guest log to check in $dir)"
		failed=$((failed + 1))
	elif ! "$TOP/check/splat-check.sh" "${expects[@]}" "${logs[@]}"; then
		echo "FAIL $name/splat (kernel report in the guest log, or an expected one missing)"
		failed=$((failed + 1))
	fi
}

for g in $run_groups; do
	group "$g" || {
		echo "FAIL $g/harness (check.sh's group step failed with $?${where:+ at $where})"
		failed=$((failed + 1))
	}
done
completed=1

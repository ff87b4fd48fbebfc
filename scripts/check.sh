#!/bin/bash
# check.sh - build the 'test' flavour and run every test in QEMU guests.
#
# Usage: scripts/check.sh [--flavour test|kasan|rt] [--only GROUP]...
#        scripts/check.sh --list-groups
#
# Steps: the self-test of the verdict logic (scripts/selftest.sh, seconds,
# on the fixture logs in tests/verdict/), then install missing packages
# (deps.sh), prepare build/linux (tree.sh), build the kernel (build.sh)
# and the kselftests (kselftest.sh), and boot one guest per group below.
# The arguments are checked before any of that.
#
# Verdicts come from scripts/verdict.py, one per test case: every KUnit
# case (read from KUnit's debugfs results, which guest/init copies to the
# group's kunit/ directory, else from the guest console's KTAP), every
# subtest of every kselftest program at any nesting level (a program
# reporting 'not ok', a SKIP or 'NAME : [FAIL]' inside its TAP fails or
# skips even when it exits 0), and every test listed in tests/inventory
# for the group and flavour (a missing one fails). A skip fails unless
# tests/known-skips lists it. A lockdep, KASAN, BUG or WARN report in any
# guest log fails the run, and so does a guest that did not finish. Logs
# and each group's verdicts (verdict.txt) are kept in build/check/GROUP/
# (build/check-FLAVOUR/GROUP/ for the other flavours).
#
# Groups:
#   main     KUnit; kselftests: upstream's zram suite, zram_compact.sh,
#            mm/run_vmtests.sh categories compaction and migration
#            (2 NUMA nodes, 4 vCPUs)
#   cma      zram_cma.sh, zram_stress.sh (cma=256M page_owner=on)
#   offline  zram_offline.sh (a 512M DIMM onlined movable),
#            zram_mm_compaction.sh, zram_faults.sh (fault injection)
#   balloon  zram_balloon.sh (virtio-balloon driven over QMP),
#            zram_zswap.sh (zswap on zsmalloc and zbud)
#
# The last line is 'N passed, N failed, N skipped', also when something
# in the harness itself fails after the arguments were accepted (that
# counts as a failure); the exit status is 0 only when nothing failed.
#
# Environment, for the self-test: HARNESS_VM, HARNESS_AGENT (stand-ins for
# scripts/vm.sh and scripts/balloon-agent.sh), HARNESS_KERNEL (a kernel
# image: no install or build step), CHECK_RESULTS (the results directory),
# CHECK_SELFTEST=0 (no self-test).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The groups, as data: GROUP_VM[g] and GROUP_TESTS[g] are a group's vm.sh
# options and kselftests (words; an option value with spaces is written
# with '+' for its spaces, e.g. --append a=1+b=2), GROUP_KUNIT[g]=1 when
# its guest runs the KUnit suites.
GROUPS_ALL="main cma offline balloon"
declare -A GROUP_VM GROUP_TESTS GROUP_KUNIT
# 4 vCPUs on 2 nodes: mm's migration test wants 2 nodes and 3+ CPUs;
# hugepages=8: its hugetlb cases need free huge pages, and run_vmtests.sh
# resets nr_hugepages to the boot value before running them.
GROUP_VM[main]="--mem 2G --cpus 4 --numa 2 --timeout 3000 --append hugepages=8
	--env VM_SELFTEST_ITEMS=compaction+migration"
GROUP_TESTS[main]="zram:zram.sh zram:zram_compact.sh mm:run_vmtests.sh"
GROUP_KUNIT[main]=1
# CMA: zsmalloc pages inside a CMA area must move out for cma_alloc(); the
# stress test loops CMA allocations, compaction and zram compaction under
# fio and swap traffic.
GROUP_VM[cma]="--mem 2G --cpus 2 --timeout 2400
	--append cma=256M+page_owner=on+kunit.enable=0"
GROUP_TESTS[cma]="zram:zram_cma.sh zram:zram_stress.sh"
# Memory offlining: a DIMM onlined movable, its blocks holding zsmalloc
# pages offlined; mm's compaction_test with swap on zram; zram I/O and
# compaction with fail_page_alloc and failslab injecting failures.
GROUP_VM[offline]="--mem 2G --cpus 2 --dimm 512M --timeout 2400
	--append page_owner=on+kunit.enable=0"
GROUP_TESTS[offline]="zram:zram_offline.sh zram:zram_mm_compaction.sh
	zram:zram_faults.sh"
# virtio-balloon inflated through QMP (scripts/balloon-agent.sh), then
# compaction migrates balloon pages; zswap over swap on zram, on zsmalloc
# and zbud. z3fold (deprecated) is left out: its data comes back intact,
# but destroying its pool reports z3fold_handle objects remaining
# (mm/slub.c WARNING). Read from the code, not proven: 6.12's
# z3fold_free() skips free_handle() when the page is claimed (by
# migration, compaction or a concurrent free), and nothing frees that
# handle slot later, so its z3fold_handle object outlives the pool; the
# series does not touch z3fold. ZRAM_ZSWAP_POOLS=z3fold runs it.
GROUP_VM[balloon]="--mem 2G --cpus 2 --balloon --timeout 2400
	--env ZRAM_ZSWAP_POOLS=zsmalloc+zbud --append kunit.enable=0"
GROUP_TESTS[balloon]="zram:zram_balloon.sh zram:zram_zswap.sh"

flavour="test"
only=()
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	--only) need_arg "$@"; only+=("$2"); shift 2 ;;
	--vm-options)
		# A group's vm.sh options, as words ('+' for spaces): for
		# scripts/mutants.sh, which runs single tests in a group's guest.
		need_arg "$@"
		[ -n "${GROUP_VM[$2]:-}" ] || die "unknown group '$2' (groups: $GROUPS_ALL)"
		echo "${GROUP_VM[$2]}"
		exit 0 ;;
	--list-groups)
		for g in $GROUPS_ALL; do echo "$g ${GROUP_TESTS[$g]}"; done
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
	command -v python3 >/dev/null || "$TOP/scripts/deps.sh" >&2
	note "self-test of the verdict logic (tests/verdict/)"
	st=$("$TOP/scripts/selftest.sh" 2>&1) || true
	count "$st"
	if ! grep -qE '^(PASS|FAIL) ' <<<"$st"; then
		echo "selftest: no result from scripts/selftest.sh:"
		printf '%s\n' "$st" | tail -n 5
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
	read -r -d "" -a tests <<<"${GROUP_TESTS[$name]}" || true
	rm -rf "$dir"
	mkdir -p "$dir"
	note "group $name: ${tests[*]}"
	if [[ " ${vmopts[*]} " == *" --balloon "* ]]; then
		# The guest asks, through files in its out dir, for balloon sizes.
		vmopts+=(--qmp "$dir/qmp.sock" --env ZRAM_BALLOON_DIR=/run/out)
		"$HARNESS_AGENT" --qmp "$dir/qmp.sock" --dir "$dir" --timeout 3600 &
		agent=$!
	fi
	"$HARNESS_VM" --kernel "$kernel" --out "$dir" --quiet "${vmopts[@]}" -- \
		guest/kselftests.sh "$BUILD/kselftest" /run/out "${tests[@]}" || rc=$?
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
	if out=$(python3 "$TOP/scripts/verdict.py" --group "$name" --dir "$dir" \
		--flavour "$flavour" "${kunit[@]}" --inventory "${CHECK_INVENTORY:-$TOP/tests/inventory}" \
		--known-skips "${CHECK_KNOWN_SKIPS:-$TOP/tests/known-skips}" "${tests[@]}" 2>&1); then
		printf '%s\n' "$out" >"$dir/verdict.txt"
		count "$out"
		echo "$out" | tail -n 1
	else
		echo "FAIL $name/verdict (scripts/verdict.py failed:)"
		printf '%s\n' "$out" | tail -n 5
		failed=$((failed + 1))
	fi
	local logs=() f
	for f in "$dir/serial.log" "$dir/dmesg.log"; do
		[ ! -f "$f" ] || logs+=("$f")
	done
	if [ ${#logs[@]} -eq 0 ]; then
		echo "FAIL $name/splat (no guest log to check in $dir)"
		failed=$((failed + 1))
	elif ! "$TOP/scripts/splat-check.sh" "${logs[@]}"; then
		echo "FAIL $name/splat (kernel report in the guest log)"
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

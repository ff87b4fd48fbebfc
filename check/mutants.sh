#!/bin/bash
# mutants.sh - build each deliberate kernel bug of check/mutants/ and check that a test catches it.
#
# Usage: check/mutants.sh [--out FILE] [NAME...]
#
# Each check/mutants/NAME.patch begins with a header, then a diff against
# the series (build/linux at HEAD):
#   Mutant: what it breaks
#   Catch: CATCHER...    the tests that should catch it, any of:
#            kunit:GLOB                 KUnit cases (kunit.filter_glob)
#            kselftest:GROUP:COLL:PROG  one kselftest, in GROUP's guest
#                                       (check/groups)
#            group:GROUP                GROUP's guest as make check runs
#                                       it: its options, kselftests,
#                                       KUnit verdicts and the kernel
#                                       reports it expects; no
#                                       panic_on_warn (such a group
#                                       warns on purpose)
#   Survives: REASON     optional: why no test here can catch it
#   Equivalent: REASON   optional: the mutant cannot change this
#                        machine's kernel; the script checks it: the
#                        objects of the .c files the diff touches are
#                        built without and with the mutant (same tree,
#                        same build directory) and dumped (objdump -dr,
#                        every non-debug section); when they are the
#                        same, no catcher runs and the mutant counts as
#                        equivalent; when they differ, the claim is
#                        false and the mutant must be caught
# For each mutant, a worktree of build/linux (build/mutants/linux) is reset
# to build/linux's HEAD and the mutant applied; the test flavour is built
# in build/obj-mutant (incremental, ccache, build/obj-test's .config) and
# every catcher runs in its own guest. A catcher catches the mutant when
# one of its tests fails, its guest dies or times out, or the console
# holds a lockdep, KASAN, BUG or WARN report (check/splat-check.sh).
#
# Prints 'NAME -> CATCHER: caught|missed (evidence)' lines and writes the
# table to --out (default results/mutants-DATE.md) with the commit it ran
# on. Before any mutant, every catcher runs once on the unmutated kernel
# (the control): a catcher that fails there cannot catch anything, and the
# run stops. A catcher whose guest never started the kernel, or whose
# console cannot be read, is an error, not a catch.
# Exit status: 1 when a mutant without a Survives: line is missed by
# every catcher (an Equivalent: mutant whose objects differ included),
# when a catcher errs, or when a mutant does not apply or build, or its
# objects cannot be compared; else 0.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

out_md=
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) need_arg "$@"; out_md=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown argument '$1' (see --help)" ;;
	*) names+=("$1"); shift ;;
	esac
done
need_cmd git make python3 objdump
mdir=$TOP/check/mutants
if [ ${#names[@]} -eq 0 ]; then
	for f in "$mdir"/*.patch; do names+=("$(basename "$f" .patch)"); done
fi
for n in "${names[@]}"; do
	[ -f "$mdir/$n.patch" ] || die "no mutant $mdir/$n.patch"
done
out_md=${out_md:-$TOP/results/mutants-$(date -u +%Y-%m-%d).md}

# The unmutated kernel and the kselftests: built as make check builds them.
base_kernel=$(prepare test)
work=$BUILD/mutants
wt=$work/linux
obj=$BUILD/obj-mutant
mkdir -p "$work" "$obj"
[ -d "$wt" ] || git -C "$TREE" worktree add -q --detach "$wt" HEAD
head=$(git -C "$TREE" rev-parse HEAD)
# The unmutated kernel was built from build/linux's files: they must be HEAD.
git -C "$TREE" diff --quiet HEAD ||
	die "build/linux has uncommitted changes: the unmutated kernel would not be its HEAD"
note "mutants on build/linux $(git -C "$TREE" log -1 --format='%h %s' HEAD) (unmutated kernel: $base_kernel)"

# A report catches the mutant anyway: stop the guest at the first one
# instead of waiting for the timeout while a mutant floods the console
# or spins (an unmutated kernel never warns in these tests).
panic_opts="panic_on_warn=1 softlockup_panic=1"

# run_catcher DIR CATCHER KERNEL: run one catcher; prints the evidence and
# returns 0 when it caught the mutant, 1 when not, 2 on an error of the
# harness (no evidence either way).
run_catcher() {
	local dir=$1 c=$2 kernel=$3 kind rest group prog words=() vmopts=() w rc=0 v rc_splat
	local splat_args=() e
	kind=${c%%:*} rest=${c#*:}
	rm -rf "$dir"
	mkdir -p "$dir"
	case $kind in
	kunit)
		# The suites take about a minute; a mutant that hangs the
		# guest after its tests failed need not hold it longer.
		"$TOP/vm/vm.sh" --kernel "$kernel" --mem 2G --cpus 2 --timeout 400 \
			--out "$dir" --quiet --append "kunit.filter_glob=$rest $panic_opts" -- true \
			>"$dir/vm.log" 2>&1 || rc=$?
		v=$(python3 "$TOP/check/verdict.py" --group main --dir "$dir" --kunit \
			--known-skips "$TOP/check/known-skips" 2>&1) || true
		;;
	kselftest)
		group=${rest%%:*} prog=${rest#*:}
		read -r -d '' -a words < <("$TOP/check/check.sh" --vm-options "$group") || true
		for w in "${words[@]}"; do vmopts+=("${w//+/ }"); done
		[ ${#vmopts[@]} -gt 0 ] || { echo "error: no group '$group'"; return 2; }
		# No KUnit at boot; vm.sh keeps only the last --append.
		for w in "${!vmopts[@]}"; do
			[ "${vmopts[$w]}" = --append ] || continue
			vmopts[w + 1]+=" kunit.enable=0 $panic_opts"
			w=-1
			break
		done
		[ "$w" = -1 ] || vmopts+=(--append "kunit.enable=0 $panic_opts")
		KSFT_TIMEOUT=1800 "$TOP/vm/vm.sh" --kernel "$kernel" --out "$dir" --quiet \
			"${vmopts[@]}" -- \
			check/guest-kselftests.sh "$BUILD/kselftest" /run/out "$prog" \
			>"$dir/vm.log" 2>&1 || rc=$?
		v=$(python3 "$TOP/check/verdict.py" --group "$group" --dir "$dir" \
			--known-skips "$TOP/check/known-skips" "$prog" 2>&1) || true
		;;
	group)
		# make check's own group step (check/check.sh --only) on this
		# kernel: the group's options, kselftests, KUnit verdicts and
		# expected reports, and no panic_on_warn (such a group may warn
		# on purpose). Its FAIL lines are the evidence.
		group=$rest
		HARNESS_KERNEL=$kernel CHECK_RESULTS=$dir/check CHECK_SELFTEST=0 \
			"$TOP/check/check.sh" --only "$group" >"$dir/check.log" 2>&1 || true
		v=$(cat "$dir/check.log")
		tail -n 1 <<<"$v" | grep -qE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' || {
			echo "error: check.sh --only $group ended without its summary ($dir/check.log)"
			return 2
		}
		[ ! -d "$dir/check/$group" ] || cp -r "$dir/check/$group/." "$dir/"
		while IFS= read -r e; do
			[ -z "$e" ] || splat_args+=(--expect "$e")
		done < <("$TOP/check/check.sh" --expects "$group")
		;;
	*) echo "error: unknown catcher '$c'"; return 2 ;;
	esac
	printf '%s\n' "$v" >"$dir/verdict.txt"
	# No kernel ran (QEMU missing, a usage error of vm.sh): no evidence.
	if ! grep -q 'Linux version' "$dir/serial.log" 2>/dev/null; then
		echo "error: no kernel started (status $rc, $dir/vm.log)"
		return 2
	fi
	# The strongest evidence first: a failed test, a report, a dead guest.
	if grep -q '^FAIL ' <<<"$v"; then
		echo "$(grep -c '^FAIL ' <<<"$v") failed: $(grep -m1 '^FAIL ' <<<"$v" | cut -c6- | cut -c1-100)"
		return 0
	fi
	rc_splat=0
	"$TOP/check/splat-check.sh" "${splat_args[@]}" "$dir/serial.log" >"$dir/splat.txt" 2>&1 ||
		rc_splat=$?
	case $rc_splat in
	0) ;;
	1)
		echo "kernel report: $(grep -v -m 1 '^kernel splat in' "$dir/splat.txt" |
			sed 's/^ *//' | cut -c1-100)"
		return 0 ;;
	*)
		echo "error: $(head -n 1 "$dir/splat.txt")"
		return 2 ;;
	esac
	if [ $rc -ne 0 ] && [ ! -f "$dir/rc" ]; then
		echo "guest died or timed out (status $rc, $dir/serial.log)"
		return 0
	fi
	tail -n 1 <<<"$v"
	return 1
}

# obj_dump OBJECT FILE: what OBJECT puts into the kernel, written to FILE:
# its code with relocations (the functions it calls, the data it names)
# and the bytes of every section but debug info, notes, comments and the
# relocation sections themselves. Fails when objdump fails or prints
# nothing.
obj_dump() {
	local o=$1 out=$2 s secs
	secs=$(objdump -h "$o" | awk '$1 ~ /^[0-9]+$/ { print $2 }' |
		grep -v -e '^\.debug' -e '^\.comment' -e '^\.note' \
			-e '^\.rela' -e '^\.BTF') || return 1
	{
		objdump -dr "$o" | tail -n +3 || return 1
		for s in $secs; do
			objdump -s -j "$s" "$o" | tail -n +4 || return 1
		done
	} >"$out" || return 1
	[ -s "$out" ]
}

# mutant_objs PATCH: the objects of the .c files PATCH changes; fails (with
# the reason on stdout) when it changes anything else, whose effect on the
# code cannot be compared object by object.
mutant_objs() {
	local f files
	files=$(sed -n 's|^+++ b/||p' "$1")
	[ -n "$files" ] || { echo "no file in $1"; return 1; }
	for f in $files; do
		case $f in
		*.c) echo "${f%.c}.o" ;;
		*) echo "$f is not a .c file: its code cannot be compared"; return 1 ;;
		esac
	done
}

# ref_dumps PATCH DIR: build the objects PATCH changes from the unmutated
# worktree, in build/obj-mutant (the same tree path and build directory
# as the mutant's, so that file names and line numbers in the objects
# match), and dump each into DIR. Prints the reason of a failure.
ref_dumps() {
	local patch=$1 dir=$2 o objs
	objs=$(mutant_objs "$patch") || { echo "$objs"; return 1; }
	rm -rf "$dir"
	mkdir -p "$dir"
	for o in $objs; do
		TREE=$wt "$TOP/lib/build.sh" --flavour test --tree "$wt" --out "$obj" \
			--target "$o" >/dev/null 2>"$dir/build.log" ||
			{ echo "cannot build the unmutated $o ($dir/build.log)"; return 1; }
		obj_dump "$obj/$o" "$dir/${o//\//_}.dump" ||
			{ echo "objdump failed on the unmutated $o"; return 1; }
	done
}

# same_code PATCH REFDIR: compare the objects PATCH changes, as built with
# the mutant in build/obj-mutant, with their dumps in REFDIR. Prints the
# evidence; returns 0 when every object is the same, 1 when one differs,
# 2 when the comparison cannot be made.
same_code() {
	local patch=$1 ref=$2 o objs
	objs=$(mutant_objs "$patch") || { echo "error: $objs"; return 2; }
	for o in $objs; do
		obj_dump "$obj/$o" "$ref/${o//\//_}.mutant" ||
			{ echo "error: objdump failed on the mutated $o"; return 2; }
		if ! cmp -s "$ref/${o//\//_}.dump" "$ref/${o//\//_}.mutant"; then
			echo "the code or data of $o differs"
			return 1
		fi
	done
	echo "identical objects: ${objs//$'\n'/ } (objdump -dr and every non-debug section)"
	return 0
}

# The control: each catcher of the chosen mutants, once, on the unmutated
# kernel. It must pass there, or its catches mean nothing.
catchers=()
for n in "${names[@]}"; do
	for c in $(sed -n 's/^Catch: //p' "$mdir/$n.patch" | head -n 1); do
		[[ " ${catchers[*]} " == *" $c "* ]] || catchers+=("$c")
	done
done
for c in "${catchers[@]}"; do
	r=0
	e=$(run_catcher "$work/control/${c//[:\/*]/_}" "$c" "$base_kernel") || r=$?
	case $r in
	0) die "control: $c fails on the unmutated kernel: $e" ;;
	1) note "control: $c passes on the unmutated kernel" ;;
	*) die "control: $c: $e" ;;
	esac
done

rows=()
bad=0
for n in "${names[@]}"; do
	p=$mdir/$n.patch
	what=$(sed -n 's/^Mutant: //p' "$p" | head -n 1)
	catch=$(sed -n 's/^Catch: //p' "$p" | head -n 1)
	survives=$(sed -n 's/^Survives: //p' "$p" | head -n 1)
	equivalent=$(sed -n 's/^Equivalent: //p' "$p" | head -n 1)
	[ -n "$what" ] && [ -n "$catch" ] || die "$p: needs 'Mutant:' and 'Catch:' lines"
	git -C "$wt" checkout -q --detach "$head"
	git -C "$wt" reset -q --hard "$head"
	cp "$BUILD/obj-test/.config" "$obj/.config"
	cp "$BUILD/obj-test/.fragments" "$obj/.fragments"
	if [ -n "$equivalent" ] && ! e=$(ref_dumps "$p" "$work/$n.ref"); then
		echo "$n: error: $e"
		rows+=("| $n | $what | - | error | $e |")
		bad=1
		continue
	fi
	if ! git -C "$wt" apply "$p" 2>"$work/$n.apply.log"; then
		echo "$n: does not apply ($work/$n.apply.log)"
		rows+=("| $n | $what | - | does not apply | |")
		bad=1
		continue
	fi
	if ! kernel=$(TREE=$wt "$TOP/lib/build.sh" --flavour test --tree "$wt" \
		--out "$obj" 2>"$work/$n.build.log"); then
		echo "$n: does not build ($work/$n.build.log)"
		rows+=("| $n | $what | - | does not build | |")
		bad=1
		continue
	fi
	if [ -n "$equivalent" ]; then
		r=0
		e=$(same_code "$p" "$work/$n.ref") || r=$?
		case $r in
		0)
			echo "$n: equivalent ($e)"
			rows+=("| $n | $what | - | equivalent: $equivalent | $e |")
			continue ;;
		1)
			echo "$n: Equivalent: claimed, but $e; running its catchers"
			survives= ;;
		*)
			echo "$n: $e"
			rows+=("| $n | $what | - | error | $e |")
			bad=1
			continue ;;
		esac
	fi
	caught=no by=() evidence=()
	err=0
	for c in $catch; do
		r=0
		e=$(run_catcher "$work/$n/${c//[:\/*]/_}" "$c" "$kernel") || r=$?
		case $r in
		0)
			caught=yes
			by+=("$c")
			evidence+=("$c: $e")
			echo "$n -> $c: caught ($e)" ;;
		1)
			evidence+=("$c: not caught, $e")
			echo "$n -> $c: missed ($e)" ;;
		*)
			err=1
			evidence+=("$c: $e")
			echo "$n -> $c: $e" ;;
		esac
	done
	verdict=$caught
	if [ $caught = no ] && [ $err = 1 ]; then
		verdict=error
		bad=1
	elif [ $caught = no ]; then
		if [ -n "$survives" ]; then
			verdict="survives: $survives"
		else
			bad=1
		fi
	fi
	ev=$(IFS=';'; echo "${evidence[*]}")
	rows+=("| $n | $what | ${by[*]:--} | $verdict | ${ev//|/\\|} |")
done
git -C "$wt" reset -q --hard "$head"

mkdir -p "$(dirname "$out_md")"
{
	echo "# Mutation table"
	echo
	echo "Kernel: build/linux at $(git -C "$TREE" log -1 --format='%h (%s)' "$head"), test flavour;"
	echo "tool: check/mutants.sh, $(date -u '+%Y-%m-%d %H:%M UTC'). A mutant is caught when"
	echo "one of its catchers fails a test, crashes the guest or leaves a kernel report."
	echo
	echo "| mutant | what it breaks | caught by | caught | evidence |"
	echo "| --- | --- | --- | --- | --- |"
	printf '%s\n' "${rows[@]}"
} >"$out_md"
note "table: $out_md"
exit $bad

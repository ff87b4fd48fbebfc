#!/bin/bash
# bisect-check.sh - build every prefix of the series; boot KUnit where locking changes.
#
# Usage: lib/bisect-check.sh [--from N] [--to N] [--no-boot]
#
# Applies patches/series one patch at a time in a worktree of build/linux
# (build/bisect/linux, detached at the 'base' tag) and builds the test
# flavour after each patch in build/obj-bisect, with the .config of a
# full test build (build/obj-test, made first if missing): options the
# prefix does not know yet are dropped by kconfig for that build only.
# After each patch that touches zsmalloc, zram, zpool, zswap or the
# migration core, the kernel boots (vm/vm.sh, 2 vCPUs, 2G) and runs
# whatever KUnit suites that prefix has; check/verdict.py judges them
# and check/splat-check.sh reads the console for lockdep, WARN or BUG
# reports.
#
# Patches before --from are applied but not built; patches after --to are
# not applied. One line per patch goes to stdout and to
# build/bisect/report.txt:
#   NN subject: build ok|FAILED [kunit N passed, N failed|boot ok|boot FAILED|-]
# Exit status: 0 when every built prefix built and every boot passed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

from=1 to=9999 boot=1
while [ $# -gt 0 ]; do
	case $1 in
	--from) need_arg "$@"; from=$2; shift 2 ;;
	--to) need_arg "$@"; to=$2; shift 2 ;;
	--no-boot) boot=0; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $from =~ ^[0-9]+$ && $to =~ ^[0-9]+$ ]] || die "--from and --to take a patch number"
need_cmd git make python3

dir=$BUILD/bisect
wt=$dir/linux
obj=$BUILD/obj-bisect
[ -d "$TREE/.git" ] || "$TOP/lib/tree.sh" >&2
[ -f "$BUILD/obj-test/.config" ] || "$TOP/lib/build.sh" --flavour test >/dev/null
mkdir -p "$dir" "$obj"
if [ ! -d "$wt" ]; then
	git -C "$TREE" worktree add -q --detach "$wt" base
fi
git -C "$wt" am --abort >/dev/null 2>&1 || true
git -C "$wt" checkout -q --detach base
git -C "$wt" reset -q --hard base

report=$dir/report.txt
: >"$report"
rc=0
n=0
locking='^(mm/zsmalloc|mm/zpool|mm/zswap|mm/migrate|drivers/block/zram/|include/linux/(zsmalloc|zpool))'
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	n=$((n + 1))
	[ "$n" -le "$to" ] || break
	num=$(printf '%02d' "$n")
	git -C "$wt" -c user.name=bisect -c user.email=bisect@invalid am -q \
		"$TOP/patches/$p" >"$dir/am.log" 2>&1 || {
		echo "$num $p: does not apply (see $dir/am.log)" | tee -a "$report"
		rc=1
		break
	}
	[ "$n" -ge "$from" ] || continue
	subject=$(git -C "$wt" log -1 --format=%s)
	line="$num $subject:"
	# The full test config; build.sh sees its own stamp and keeps it.
	cp "$BUILD/obj-test/.config" "$obj/.config"
	cp "$BUILD/obj-test/.fragments" "$obj/.fragments"
	if ! kernel=$(TREE=$wt "$TOP/lib/build.sh" --flavour test --tree "$wt" \
		--out "$obj" 2>"$dir/$num-build.err"); then
		echo "$line build FAILED ($obj/build.log)" | tee -a "$report"
		cp "$obj/build.log" "$dir/$num-build.log" 2>/dev/null || true
		rc=1
		continue
	fi
	line+=" build ok"
	if [ $boot -eq 0 ] ||
		! git -C "$wt" show --format= --name-only HEAD | grep -qE "$locking"; then
		echo "$line" | tee -a "$report"
		continue
	fi
	out=$dir/$num-boot
	rm -rf "$out"
	mkdir -p "$out"
	if ! "$TOP/vm/vm.sh" --kernel "$kernel" --mem 2G --cpus 2 --timeout 2400 \
		--out "$out" --quiet -- true >"$out/vm.log" 2>&1; then
		echo "$line, boot FAILED (serial log: $out/serial.log)" | tee -a "$report"
		rc=1
		continue
	fi
	if ! "$TOP/check/splat-check.sh" "$out/serial.log" >"$out/splat.txt"; then
		echo "$line, kernel report in $out/serial.log" | tee -a "$report"
		rc=1
		continue
	fi
	if grep -q 'ZSMALLOC_KUNIT_TEST' "$wt/mm/Kconfig" ||
		grep -q 'MOVABLE_OPS_KUNIT_TEST' "$wt/mm/Kconfig"; then
		# The skips make check allows are allowed here too; no inventory:
		# a prefix has only some of the tests.
		verdict=$(python3 "$TOP/check/verdict.py" --group main --dir "$out" \
			--kunit --known-skips "$TOP/check/known-skips" 2>&1 |
			tee "$out/verdict.txt" | tail -n 1)
		if ! [[ $verdict =~ ^main:\ ([0-9]+)\ passed,\ 0\ failed ]] ||
			[ "${BASH_REMATCH[1]}" -eq 0 ]; then
			echo "$line, kunit: $verdict ($out/verdict.txt)" | tee -a "$report"
			rc=1
			continue
		fi
		line+=", kunit ${verdict#main: }"
	else
		line+=", boot ok (no KUnit suites yet)"
	fi
	echo "$line" | tee -a "$report"
done <"$TOP/patches/series"
[ "$n" -gt 0 ] || die "no patches in patches/series"
exit $rc

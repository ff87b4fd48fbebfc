#!/bin/bash
# soak.sh - a long run: zram stress and fault injection on the lockdep+KASAN kernel.
#
# Usage: check/soak.sh [--duration SECONDS] [--flavour kasan|test]
#        check/soak.sh --report-only
#
# Builds the flavour (default kasan: the test flavour's lockdep, DEBUG_VM
# and fault injection, plus KASAN) and boots one guest (2 GiB, 2 vCPUs,
# cma=256M page_owner=on) that runs check/guest-soak.sh: zram_stress.sh for
# --duration seconds (default 3600), with zram_faults.sh looping beside
# it. Every subtest must pass and the console must hold no kernel report.
# Logs go to build/soak/; the figures (compactions, CMA allocations,
# zsmalloc pages migrated, bytes fio wrote and verified, swap cycles,
# faults injected, fault rounds, reports) go to results/soak-DATE.md with
# the commit of build/linux the kernel was built from (build/soak/commit.txt).
# --report-only boots nothing: it judges the logs already in build/soak/
# and writes the figures again. Exit status 0 only when everything passed.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

secs=3600 flavour=kasan report_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--report-only) report_only=1; shift ;;
	--duration) need_arg "$@"; secs=$2; shift 2 ;;
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge 60 ] || die "--duration takes seconds, at least 60"
case $flavour in kasan|test) ;; *) die "--flavour: kasan or test" ;; esac

dir=$BUILD/soak
rc=0
if [ $report_only -eq 0 ]; then
	kernel=$(prepare "$flavour")
	rm -rf "$dir"
	mkdir -p "$dir"
	git -C "$TREE" log -1 --format='%h (%s)' >"$dir/commit.txt"
	echo "$flavour $secs $(date -u '+%Y-%m-%d %H:%M UTC')" >"$dir/run.txt"
	"$TOP/vm/vm.sh" --kernel "$kernel" --out "$dir" --quiet --mem 2G --cpus 2 \
		--timeout $((secs + 3600)) --append "cma=256M page_owner=on kunit.enable=0" -- \
		check/guest-soak.sh "$BUILD/kselftest" /run/out "$secs" || rc=$?
else
	[ -f "$dir/serial.log" ] || die "no soak run in $dir"
	rc=$(cat "$dir/rc" 2>/dev/null || echo "no rc file")
fi
commit=$(cat "$dir/commit.txt" 2>/dev/null || echo "not recorded by this run")
read -r flavour secs start < <(cat "$dir/run.txt" 2>/dev/null ||
	echo "$flavour $secs unknown (not recorded by this run)")

failed=0
[ "$rc" = 0 ] || { echo "soak: guest failed (status $rc; serial log: $dir/serial.log)"; failed=1; }
progs=()
for f in "$dir"/zram:*.tap; do
	[ -e "$f" ] || continue
	f=$(basename "$f" .tap)
	progs+=("$f")
done
[ ${#progs[@]} -gt 0 ] || { echo "soak: no test output in $dir"; failed=1; }
verdict=$(python3 "$TOP/check/verdict.py" --group soak --dir "$dir" "${progs[@]}" 2>&1) || true
printf '%s\n' "$verdict" >"$dir/verdict.txt"
grep '^FAIL' <<<"$verdict" && failed=1
grep -q '^soak: [0-9]* passed, 0 failed' <<<"$(tail -n 1 <<<"$verdict")" || failed=1
splats=0
logs=("$dir/serial.log")
[ ! -f "$dir/dmesg.log" ] || logs+=("$dir/dmesg.log")
if ! "$TOP/check/splat-check.sh" "${logs[@]}" >"$dir/splat.txt"; then
	splats=$(grep -c '^  ' "$dir/splat.txt" || true)
	cat "$dir/splat.txt"
	failed=1
fi

# Figures, from what the tests printed; one that is missing shows as '?'
# (awk, not grep: a missing figure must not end the script under set -e
# before the verdict is written).
st=$dir/zram:zram_stress.sh.tap
# first PATTERN: the first match of the extended regexp PATTERN in $st.
first() { awk -v re="$1" 'match($0, re) { print substr($0, RSTART, RLENGTH); exit }' "$st" 2>/dev/null; }
compactions=$(first '[0-9]+ compact_memory' | awk '{ print $1 }')
zcompactions=$(first '[0-9]+ zram compactions' | awk '{ print $1 }')
cma=$(first 'CMA allocations ok/failed: [0-9]+ [0-9]+' | awk '{ print $4 "/" $5 }')
migrated=$(first '[0-9]+ zsmalloc pages migrated' | awk '{ print $1 }')
cycles=$(first '[0-9]+ swap cycles of [0-9]+ MiB')
fio=$(first 'WRITE: bw=[^,]*, [^,]*, io=[^ ]*' | sed 's/.*io=//')
# shellcheck disable=SC2012 # names made here: zram:zram_faults.sh-N.tap
rounds=$(ls "$dir"/zram:zram_faults.sh-*.tap 2>/dev/null | wc -l)
faults=$(cat "$dir"/zram:zram_faults.sh-*.tap 2>/dev/null |
	grep -oE '[0-9]+ page and [0-9]+ slab allocation failures' |
	awk '{ p += $1; s += $4 } END { printf "%d page, %d slab", p, s }')
stalls=$(cat "$dir"/zram:zram_faults.sh-*.tap 2>/dev/null |
	grep -oE '[0-9]+ writes took the slow path' | awk '{ n += $1 } END { print n + 0 }')
passed=$(tail -n 1 <<<"$verdict")

out=$TOP/results/soak-$(date -u +%Y-%m-%d).md
mkdir -p "$TOP/results"
{
	echo "# Soak: zram_stress.sh for $secs s with zram_faults.sh beside it"
	echo
	echo "Kernel: build/linux at $commit, $flavour flavour;"
	echo "tool: check/soak.sh, started $start; guest 2 GiB, 2 vCPUs, cma=256M, TCG."
	echo
	echo "| figure | value |"
	echo "| --- | --- |"
	echo "| verdict | $([ $failed -eq 0 ] && echo passed || echo FAILED): $passed |"
	echo "| compact_memory runs | ${compactions:-?} |"
	echo "| zram compactions | ${zcompactions:-?} |"
	echo "| CMA allocations ok/failed | ${cma:-?} |"
	echo "| zsmalloc pages migrated (stress devices) | ${migrated:-?} |"
	echo "| swap cycles verified | ${cycles:-?} |"
	echo "| fio written and verified (crc32c) | ${fio:-?} |"
	echo "| zram_faults.sh rounds | $rounds |"
	echo "| allocation failures injected | ${faults:-?} |"
	echo "| writes through zram's slow path | ${stalls:-?} |"
	echo "| kernel reports (lockdep, KASAN, WARN, BUG) | $splats |"
	if grep -q '^FAIL' <<<"$verdict" || [ "$rc" != 0 ]; then
		echo
		echo "Failures (verdict.txt; guest status $rc):"
		echo
		grep '^FAIL' <<<"$verdict" | sed 's/^/    /' || true
	fi
	echo
	echo "Logs: build/soak/ (serial.log, *.tap, verdict.txt)."
} >"$out"
note "figures: $out"
cat "$out"
exit $failed

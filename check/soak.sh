#!/bin/bash
# soak.sh - a long run: zram stress and fault injection on the lockdep+KASAN kernel.
#
# Usage: check/soak.sh [--duration SECONDS] [--flavour kasan|test]
#
# Builds the flavour (default kasan: the test flavour's lockdep, DEBUG_VM
# and fault injection, plus KASAN) and boots one guest (2 GiB, 2 vCPUs,
# cma=256M page_owner=on) that runs check/guest-soak.sh: zram_stress.sh for
# --duration seconds (default 3600), with zram_faults.sh looping beside
# it. Every subtest must pass and the console must hold no kernel report.
# Logs go to build/soak/; the figures (compactions, CMA allocations,
# zsmalloc pages migrated, bytes fio wrote and verified, swap cycles,
# faults injected, fault rounds, reports) go to results/soak-DATE.md with
# the commit of build/linux. Exit status 0 only when everything passed.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

secs=3600 flavour=kasan
while [ $# -gt 0 ]; do
	case $1 in
	--duration) need_arg "$@"; secs=$2; shift 2 ;;
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge 60 ] || die "--duration takes seconds, at least 60"
case $flavour in kasan|test) ;; *) die "--flavour: kasan or test" ;; esac

kernel=$(prepare "$flavour")
dir=$BUILD/soak
rm -rf "$dir"
mkdir -p "$dir"
start=$(date -u '+%Y-%m-%d %H:%M UTC')
rc=0
"$TOP/vm/vm.sh" --kernel "$kernel" --out "$dir" --quiet --mem 2G --cpus 2 \
	--timeout $((secs + 3600)) --append "cma=256M page_owner=on kunit.enable=0" -- \
	check/guest-soak.sh "$BUILD/kselftest" /run/out "$secs" || rc=$?

failed=0
[ $rc -eq 0 ] || { echo "soak: guest failed (status $rc; serial log: $dir/serial.log)"; failed=1; }
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
if ! "$TOP/check/splat-check.sh" "$dir/serial.log" >"$dir/splat.txt"; then
	splats=$(grep -c '^  ' "$dir/splat.txt" || true)
	cat "$dir/splat.txt"
	failed=1
fi

# Figures, from what the tests printed.
st=$dir/zram:zram_stress.sh.tap
fig() { grep -oE "$1" "$st" 2>/dev/null | head -n 1 | grep -oE '[0-9]+' | head -n 1; }
compactions=$(fig '[0-9]+ compact_memory')
zcompactions=$(fig '[0-9]+ zram compactions')
cma=$(grep -oE 'CMA allocations ok/failed: [0-9]+/[0-9]+' "$st" 2>/dev/null | head -n 1 | cut -d' ' -f4)
migrated=$(fig '[0-9]+ zsmalloc pages migrated')
cycles=$(grep -oE '[0-9]+ swap cycles of [0-9]+ MiB' "$st" 2>/dev/null | head -n 1)
fio=$(grep -oE 'WRITE: bw=[^,]*, [^,]*, io=[^ ]*' "$st" 2>/dev/null | head -n 1 | sed 's/.*io=//')
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
	echo "Kernel: build/linux at $(git -C "$TREE" log -1 --format='%h (%s)'), $flavour flavour;"
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
	echo
	echo "Logs: build/soak/ (serial.log, *.tap, verdict.txt)."
} >"$out"
note "figures: $out"
cat "$out"
exit $failed

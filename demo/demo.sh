#!/bin/bash
# demo.sh - the main job: compaction moving zram's memory, on the series kernel.
#
# Usage: demo/demo.sh [--flavour perf|test] [--mem SIZE]
#
# Installs what is missing, prepares build/linux with the series, builds
# the kernel ('perf' flavour by default) and the guest helpers, and boots a
# guest that runs demo/guest-demo.sh: swap on zram filled with verifiable data,
# memory fragmented, compact_memory, every byte verified. Prints the
# report; the records (buddyinfo, pagetypeinfo, vmstat, mm_stat, zsmalloc
# debugfs, before and after) stay in build/demo/. Exit status is non-zero
# when data differs, when no zsmalloc page moved, when the guest fails or
# dies (the serial log is named), or on any splat. DEMO_OUT replaces
# build/demo (for the self-test, with lib/lib.sh's HARNESS_* stand-ins).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

flavour="perf" mem=2G
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

case $flavour in
perf|test|kasan|rt|lat) ;;
*) die "unknown flavour '$flavour' (perf, test, kasan, rt, lat)" ;;
esac
kernel=$(prepare "$flavour")
out=${DEMO_OUT:-$BUILD/demo}
rm -rf "$out"
# The guest's status is the pipeline's first; grep finding nothing is fine.
set +e
"$HARNESS_VM" --kernel "$kernel" --mem "$mem" --cpus 2 --timeout 1800 \
	--out "$out" -- demo/guest-demo.sh "$BUILD/kselftest" | grep -E '^(demo|zram_mem|NAME|/dev/zram)'
rc=${PIPESTATUS[0]}
set -e
logs=()
for f in "$out/serial.log" "$out/dmesg.log"; do
	[ ! -f "$f" ] || logs+=("$f")
done
if [ ${#logs[@]} -gt 0 ]; then
	"$TOP/check/splat-check.sh" "${logs[@]}" || { [ "$rc" -ne 0 ] || rc=1; }
fi
[ -f "$out/report.txt" ] ||
	die "the guest wrote no report (status $rc; serial log: $out/serial.log)"
echo
cat "$out/report.txt"
echo "records: $out/before, $out/after; serial log: $out/serial.log"
[ "$rc" -eq 0 ] || die "demo failed (guest status $rc; serial log: $out/serial.log)"

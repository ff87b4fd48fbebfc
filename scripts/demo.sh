#!/bin/bash
# demo.sh - the main job: compaction moving zram's memory, on the series kernel.
#
# Usage: scripts/demo.sh [--flavour perf|test] [--mem SIZE]
#
# Installs what is missing, prepares build/linux with the series, builds
# the kernel ('perf' flavour by default) and the guest helpers, and boots a
# guest that runs guest/demo.sh: swap on zram filled with verifiable data,
# memory fragmented, compact_memory, every byte verified. Prints the
# report; the records (buddyinfo, pagetypeinfo, vmstat, mm_stat, zsmalloc
# debugfs, before and after) stay in build/demo/. Exit status is non-zero
# when data differs, when no zsmalloc page moved, or on any splat.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=perf mem=2G
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) flavour=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

kernel=$(prepare "$flavour")
out=$BUILD/demo
rm -rf "$out"
rc=0
"$TOP/scripts/vm.sh" --kernel "$kernel" --mem "$mem" --cpus 2 --timeout 1800 \
	--out "$out" -- guest/demo.sh "$BUILD/kselftest" | grep -E '^(demo|zram_mem|NAME|/dev/zram)' || true
rc=${PIPESTATUS[0]}
"$TOP/scripts/splat-check.sh" "$out/serial.log" "$out/dmesg.log" || rc=1
[ -f "$out/report.txt" ] || die "the guest wrote no report (serial log: $out/serial.log)"
echo
cat "$out/report.txt"
echo "records: $out/before, $out/after; serial log: $out/serial.log"
exit "$rc"

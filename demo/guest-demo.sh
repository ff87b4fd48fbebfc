#!/bin/bash
# guest-demo.sh - run inside the guest: watch compaction move zram's zsmalloc pages.
#
# Usage: demo/guest-demo.sh KSELFTEST_DIR
#
# Swap on zram (lz4, via zramctl); a process fills 40% of memory with
# verifiable data that compresses like real data; a second process pushes
# it out to zram and exits, leaving holes between the zsmalloc pages. The
# state of memory is recorded (buddyinfo, pagetypeinfo, vmstat, mm_stat,
# zsmalloc's debugfs), compact_memory is written, the state recorded
# again, and every byte is swapped back in and verified. A short report
# goes to stdout and $VM_OUT/report.txt, the records to $VM_OUT/before and
# $VM_OUT/after. Exit status 1 when data differs or no zsmalloc page moved.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 1 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
ksft=$1
# shellcheck source=/dev/null
. "$ksft/zram/zram_migrate_lib.sh" || exit 2
out=${VM_OUT:-/tmp}

record() {
	local d=$out/$1 z
	mkdir -p "$d"
	cat /proc/buddyinfo >"$d/buddyinfo"
	cat /proc/pagetypeinfo >"$d/pagetypeinfo"
	grep -E '^(compact_|pgmigrate_)' /proc/vmstat >"$d/vmstat"
	cat /sys/block/zram*/mm_stat >"$d/mm_stat"
	for z in /sys/kernel/debug/zsmalloc/*/; do
		cat "$z/classes" >"$d/zsmalloc-$(basename "$z")-classes"
		[ -e "$z/migration" ] && cat "$z/migration" >"$d/zsmalloc-$(basename "$z")-migration"
	done
}

# free_mb ORDER: free memory in blocks of ORDER or more, in MiB.
free_mb() {
	awk -v o="$1" '{ for (i = 5 + o; i <= NF; i++) kb += $i * 4 * 2 ^ (i - 5) }
		END { printf "%d", kb / 1024 }' /proc/buddyinfo
}

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
hold_mb=$((total_mb * 2 / 5))
swap=$(zm_new_dev "${total_mb}M" lz4) && zm_swap_on "$swap" ||
	{ echo "demo: cannot set up swap on zram" >&2; exit 2; }
zramctl
echo "demo: writing ${hold_mb} MiB of verifiable data"
zm_hold "$hold_mb" || exit 2
echo "demo: pushing it to zram with a second process, which then exits"
zm_hog $(( $(zm_mem_kb MemAvailable) / 1024 + total_mb / 4 ))
zm_hog $(( $(zm_mem_kb MemAvailable) / 1024 + total_mb / 4 ))
zramctl

record before
zs0=$(zm_zs_pages) mig0=$(zm_pages_migrated) free0=$(free_mb 9)
pg0=$(zm_vmstat pgmigrate_success)
echo "demo: compacting memory"
t0=$(date +%s.%N)
zm_compact
t1=$(date +%s.%N)
record after
zs1=$(zm_zs_pages) mig1=$(zm_pages_migrated) free1=$(free_mb 9)
pg1=$(zm_vmstat pgmigrate_success)

echo "demo: swapping everything back in and verifying it"
zm_hold_verify >"$out/verify.txt"
vrc=$?
verified=$(sed -nE 's/.*verified ([0-9]+) bytes.*/\1/p' "$out/verify.txt")

moved=
[ -n "$mig0" ] && [ -n "$mig1" ] && moved=$((mig1 - mig0))
{
	echo "== zram page migration demo ($(uname -r))"
	printf '%-44s %s\n' "zsmalloc pages before -> after compaction:" "$zs0 -> $zs1"
	printf '%-44s %s\n' "zsmalloc pages migrated:" "${moved:-not reported by this kernel}"
	printf '%-44s %s\n' "all pages migrated (pgmigrate_success):" "$((pg1 - pg0))"
	printf '%-44s %s\n' "free memory in order>=9 blocks:" "$free0 MiB -> $free1 MiB"
	printf '%-44s %s\n' "compact_memory took:" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s (emulated under TCG)"
	printf '%-44s %s\n' "data verified:" "$((${verified:-0} / 1048576)) MiB, $([ $vrc -eq 0 ] && echo "all intact" || echo "MISMATCH")"
} | tee "$out/report.txt"
cat "$out/verify.txt"
[ $vrc -eq 0 ] || { echo "demo: FAILED: data differs" >&2; exit 1; }
[ -n "$moved" ] && [ "$moved" -gt 0 ] || { echo "demo: FAILED: no zsmalloc page moved" >&2; exit 1; }
echo "demo: OK"

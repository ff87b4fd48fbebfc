#!/bin/bash
# bench-highalloc.sh - run inside the guest: 2 MiB allocations with zram full.
#
# Usage: guest/bench-highalloc.sh PERCENT
#
# Swap on zram (lz4); a process writes PERCENT % of guest memory with
# verifiable data and pushes it out to zram (MADV_PAGEOUT), so that
# zsmalloc's pages are allocated between the ones being freed; then a
# process faults in more than is available, pushing more through zram, and
# exits, leaving its freed pages between zsmalloc's.
# Then as many 2 MiB huge pages as there could be are asked for at once
# through /proc/sys/vm/nr_hugepages, as mmtests' stress-highalloc and the
# kernel's compaction_test do. Records $VM_OUT/highalloc-PERCENT.json:
# huge pages obtained, the physical limit (MemFree / 2 MiB before the
# request), free order>=9 blocks, compact_stall/success/fail,
# pgmigrate_success and zsmalloc pages migrated during the request, the
# request's time; then every byte is swapped back in and verified.
# Exit status 1 when data differs or the figures are impossible.
set -u
[ $# -eq 1 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$1" -lt 90 ] ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
pct=$1
# shellcheck source=guest/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
hold_mb=$((total_mb * pct / 100))
swap=$(zm_new_dev "${total_mb}M" lz4) && zm_swap_on "$swap" ||
	bench_fail "cannot set up swap on zram"
bench_log "highalloc $pct%: writing $hold_mb MiB, pushing it to zram"
zm_hold "$hold_mb" -p || bench_fail "zram_mem hold failed"
zm_hog $(( $(zm_mem_kb MemAvailable) / 1024 + total_mb / 8 ))
zs_pages=$(zm_zs_pages)
swapped_mb=$(awk -v d="$swap" '$1 == d { print int($4 / 1024) }' /proc/swaps)

free_mb=$(bench_free_mb)
limit=$((free_mb / 2))
free_o9=$(zm_free_blocks 9)
want=$((total_mb / 2))
bench_vm_snap "$ZM_TMP/vm0"
t0=$(bench_now)
echo "$want" >/proc/sys/vm/nr_hugepages
t1=$(bench_now)
bench_vm_snap "$ZM_TMP/vm1"
got=$(cat /proc/sys/vm/nr_hugepages)
echo 0 >/proc/sys/vm/nr_hugepages
bench_log "highalloc $pct%: $got huge pages of a limit of $limit; verifying the data"
zm_hold_verify
vrc=$?

bench_record "highalloc-$pct" --argjson pct "$pct" --argjson hold_mb "$hold_mb" \
	--argjson swapped_mb "${swapped_mb:-0}" --argjson zs_pages "$zs_pages" \
	--argjson free_mb "$free_mb" --argjson limit "$limit" \
	--argjson free_order9 "$free_o9" --argjson requested "$want" \
	--argjson hugepages "$got" --argjson secs "$(bench_secs "$t0" "$t1")" \
	--argjson vm "$(bench_vm_delta "$ZM_TMP/vm0" "$ZM_TMP/vm1")" \
	--argjson verified "$([ $vrc -eq 0 ] && echo true || echo false)" \
	'{scenario: "highalloc", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
	  pct: $pct, hold_mb: $hold_mb, swapped_mb: $swapped_mb,
	  zs_pages: $zs_pages, free_mb: $free_mb, limit: $limit,
	  free_order9: $free_order9, requested: $requested,
	  hugepages: $hugepages, success: ($hugepages / $limit), secs: $secs,
	  vm: $vm, verified: $verified}'
[ $vrc -eq 0 ] || bench_fail "highalloc $pct%: data swapped through zram differs"
[ "${swapped_mb:-0}" -gt $((hold_mb / 2)) ] ||
	bench_fail "highalloc $pct%: only ${swapped_mb:-0} MiB of $hold_mb MiB went to swap"
[ "$limit" -gt 0 ] || bench_fail "highalloc $pct%: no free memory left"

#!/bin/bash
# cma.sh - run inside the guest (booted with cma=): CMA with zram full.
#
# Usage: bench/guest/cma.sh PERCENT CHUNK_PAGES
#
# Swap on zram (lz4). A process keeps all memory but the CMA area and 32
# MiB faulted in, so that movable allocations take CMA pageblocks, while a
# second one writes PERCENT % of the CMA area's size with verifiable data
# and pushes it out to zram (MADV_PAGEOUT); the first one exits. Then the
# largest CMA area is allocated through /sys/kernel/debug/cma/AREA/alloc in
# chunks of CHUNK_PAGES pages until the area is exhausted or an allocation
# fails. Records $VM_OUT/cma.json: the share of the area obtained, the time
# it took, how much of the area was in use before (CmaTotal - CmaFree) and
# the pages migrated meanwhile; then frees it all and verifies every byte.
# Exit status 1 when data differs or the figures are impossible.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 2 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$2" -gt 0 ] 2>/dev/null ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
pct=$1 chunk=$2
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"

area=$(zm_cma_area) || bench_fail "no CMA area: boot with cma="
count=$(cat "$area/count")
total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
cma_mb=$((count * 4 / 1024))
hold_mb=$((cma_mb * pct / 100))
swap=$(zm_new_dev "${total_mb}M" lz4) && zm_swap_on "$swap" ||
	bench_fail "cannot set up swap on zram"
bench_log "cma: writing $hold_mb MiB next to a process holding all but the CMA area"
zm_hog_start $(( $(zm_mem_kb MemFree) / 1024 - cma_mb - 32 )) || bench_fail "zram_mem hog failed"
zm_hold "$hold_mb" -p || bench_fail "zram_mem hold failed"
zm_hog_stop
swapped_mb=$(awk -v d="$swap" '$1 == d { print int($4 / 1024) }' /proc/swaps)
cma_used_mb=$(( ($(zm_mem_kb CmaTotal) - $(zm_mem_kb CmaFree)) / 1024 ))
zs_pages=$(zm_zs_pages)

bench_log "cma: allocating $(basename "$area") ($count pages) in chunks of $chunk"
bench_vm_snap "$ZM_TMP/vm0"
got=0 failed=0
t0=$(bench_now)
while [ $((got + chunk)) -le "$count" ]; do
	zm_cma_alloc "$area" "$chunk" || { failed=1; break; }
	got=$((got + chunk))
done
t1=$(bench_now)
bench_vm_snap "$ZM_TMP/vm1"
zm_cma_free || bench_fail "cma: freeing the area failed"
bench_log "cma: $got of $count pages; verifying the data"
zm_hold_verify
vrc=$?

bench_record cma --argjson pct "$pct" --argjson hold_mb "$hold_mb" \
	--argjson swapped_mb "${swapped_mb:-0}" --argjson zs_pages "$zs_pages" \
	--argjson count "$count" --argjson chunk "$chunk" --argjson got "$got" \
	--argjson failed "$failed" --argjson cma_used_mb "$cma_used_mb" \
	--argjson secs "$(bench_secs "$t0" "$t1")" \
	--argjson vm "$(bench_vm_delta "$ZM_TMP/vm0" "$ZM_TMP/vm1")" \
	--argjson verified "$([ $vrc -eq 0 ] && echo true || echo false)" \
	'{scenario: "cma", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
	  pct: $pct, hold_mb: $hold_mb, swapped_mb: $swapped_mb,
	  zs_pages: $zs_pages, area_pages: $count, chunk_pages: $chunk,
	  got_pages: $got, share: ($got / $count), first_failure: ($failed == 1),
	  cma_used_mb: $cma_used_mb, secs: $secs, vm: $vm, verified: $verified}'
[ $vrc -eq 0 ] || bench_fail "cma: data swapped through zram differs"
[ "${swapped_mb:-0}" -gt $((hold_mb / 2)) ] ||
	bench_fail "cma: only ${swapped_mb:-0} MiB of $hold_mb MiB went to swap"

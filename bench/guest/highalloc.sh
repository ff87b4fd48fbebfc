#!/bin/bash
# highalloc.sh - run inside the guest: 2 MiB allocations with zram full.
#
# Usage: bench/guest/highalloc.sh PERCENT
#
# Swap on zram (lz4). First a fragmenter (bench/frag.c, in BENCH_TOOLS)
# faults in all available memory, locks it and gives one page in two back,
# so that free memory is only single pages between locked ones, as on a
# system that has run for a while. Then a process writes PERCENT % of
# guest memory with verifiable data; reclaim pushes it to zram as it
# goes, so every zsmalloc page is allocated in one of those gaps, spread
# over the whole of memory (where zram allocates on a real system: under
# pressure). The fragmenter then exits, and the request is made the way
# mmtests' stress-highalloc and the kernel's compaction_test make it: as
# many 2 MiB huge pages as could exist, at once, through
# /proc/sys/vm/nr_hugepages (direct compaction only); then once more after
# a full compaction (/proc/sys/vm/compact_memory). Records
# $VM_OUT/highalloc-PERCENT.json: huge pages obtained by each request, the
# physical limit (MemAvailable / 2 MiB before the first: the request may
# reclaim page cache, so MemFree alone can be beaten), free order>=9 blocks,
# compact_stall/success/fail, pgmigrate_success and zsmalloc pages migrated
# during each request, their time; then every byte is swapped back in and
# verified. Exit status 1 when data differs, the fragmenter was killed or
# the figures are impossible.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 1 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$1" -lt 90 ] ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
pct=$1
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"
[ -x "$BENCH_TOOLS/frag" ] || bench_fail "no $BENCH_TOOLS/frag"

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
hold_mb=$((total_mb * pct / 100))
swap=$(zm_new_dev "${total_mb}M" lz4) && zm_swap_on "$swap" ||
	bench_fail "cannot set up swap on zram"

frag_mb=$(( $(zm_mem_kb MemAvailable) / 1024 - 8 ))
bench_log "highalloc $pct%: fragmenting $frag_mb MiB"
rm -f "$ZM_TMP/frag.ready"
"$BENCH_TOOLS/frag" -m "$frag_mb" -e 2 -r "$ZM_TMP/frag.ready" >"$ZM_TMP/frag.out" 2>&1 &
frag=$!
while [ ! -e "$ZM_TMP/frag.ready" ]; do
	kill -0 "$frag" 2>/dev/null || { cat "$ZM_TMP/frag.out"; bench_fail "frag failed"; }
	sleep 0.2
done
bench_log "highalloc $pct%: writing $hold_mb MiB into the gaps, pushing it to zram"
zm_hold "$hold_mb" -p || bench_fail "zram_mem hold failed"
kill -0 "$frag" 2>/dev/null ||
	bench_fail "highalloc $pct%: the fragmenter was killed (OOM?): $hold_mb MiB is too much"
kill "$frag"
wait "$frag" 2>/dev/null
zs_pages=$(zm_zs_pages)
swapped_mb=$(awk -v d="$swap" '$1 == d { print int($4 / 1024) }' /proc/swaps)

free_mb=$(bench_free_mb)
avail_mb=$(( $(zm_mem_kb MemAvailable) / 1024 ))
limit=$((avail_mb / 2))
free_o9=$(zm_free_blocks 9)
want=$((total_mb / 2))
bench_vm_snap "$ZM_TMP/vm0"
t0=$(bench_now)
echo "$want" >/proc/sys/vm/nr_hugepages
t1=$(bench_now)
bench_vm_snap "$ZM_TMP/vm1"
got=$(cat /proc/sys/vm/nr_hugepages)
echo 1 >/proc/sys/vm/compact_memory
echo "$want" >/proc/sys/vm/nr_hugepages
t2=$(bench_now)
bench_vm_snap "$ZM_TMP/vm2"
got2=$(cat /proc/sys/vm/nr_hugepages)
echo 0 >/proc/sys/vm/nr_hugepages
bench_log "highalloc $pct%: $got, then $got2 after compact_memory, of a limit of $limit; verifying the data"
zm_hold_verify
vrc=$?

bench_record "highalloc-$pct" --argjson pct "$pct" --argjson hold_mb "$hold_mb" \
	--argjson frag_mb "$frag_mb" \
	--argjson swapped_mb "${swapped_mb:-0}" --argjson zs_pages "$zs_pages" \
	--argjson free_mb "$free_mb" --argjson avail_mb "$avail_mb" --argjson limit "$limit" \
	--argjson free_order9 "$free_o9" --argjson requested "$want" \
	--argjson hugepages "$got" --argjson secs "$(bench_secs "$t0" "$t1")" \
	--argjson vm "$(bench_vm_delta "$ZM_TMP/vm0" "$ZM_TMP/vm1")" \
	--argjson hugepages2 "$got2" --argjson secs2 "$(bench_secs "$t1" "$t2")" \
	--argjson vm2 "$(bench_vm_delta "$ZM_TMP/vm1" "$ZM_TMP/vm2")" \
	--argjson verified "$([ $vrc -eq 0 ] && echo true || echo false)" \
	'{scenario: "highalloc", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
	  pct: $pct, hold_mb: $hold_mb, frag_mb: $frag_mb, swapped_mb: $swapped_mb,
	  zs_pages: $zs_pages, free_mb: $free_mb, avail_mb: $avail_mb, limit: $limit,
	  free_order9: $free_order9, requested: $requested,
	  hugepages: $hugepages, success: ($hugepages / $limit), secs: $secs,
	  vm: $vm, hugepages_compacted: $hugepages2,
	  success_compacted: ($hugepages2 / $limit), secs_compacted: $secs2,
	  vm_compacted: $vm2, verified: $verified}'
[ $vrc -eq 0 ] || bench_fail "highalloc $pct%: data swapped through zram differs"
[ "${swapped_mb:-0}" -gt $((hold_mb / 2)) ] ||
	bench_fail "highalloc $pct%: only ${swapped_mb:-0} MiB of $hold_mb MiB went to swap"
[ "$limit" -gt 0 ] || bench_fail "highalloc $pct%: no free memory left"
[ "$got2" -ge "$got" ] || bench_fail "highalloc $pct%: huge pages went from $got to $got2"

#!/bin/bash
# bench-migcost.sh - run inside the guest: what migrating one page costs.
#
# Usage: guest/bench-migcost.sh PERCENT
#
# Two measurements in the same guest, each starting from a settled state
# (page cache dropped, memory compacted):
#   zram  PERCENT % of guest memory written to a zram block device while a
#         second process faults in memory next to it; that process exits
#         and the page cache is dropped, so the movable pages left are
#         zsmalloc's, with holes between them;
#   anon  a process holds as many anonymous pages as zsmalloc had in the
#         first measurement, faulted in next to the same second process,
#         which exits.
# Each time compact_memory is written once; its wall time divided by the
# pages it migrated (pgmigrate_success) is the cost per page. Records
# $VM_OUT/migcost.json; the zram data is read back and verified.
set -u
[ $# -eq 1 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$1" -lt 60 ] ||
	{ sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
pct=$1
# shellcheck source=guest/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
data_mb=$((total_mb * pct / 100))
hog_mb=$((total_mb / 5))

# measure NAME: compact once; sets secs, migrated, zs_moved and prints JSON.
measure()
{
	local t0 t1

	bench_vm_snap "$ZM_TMP/vm0"
	t0=$(bench_now)
	zm_compact
	t1=$(bench_now)
	bench_vm_snap "$ZM_TMP/vm1"
	jq -n --arg name "$1" --argjson secs "$(bench_secs "$t0" "$t1")" \
		--argjson vm "$(bench_vm_delta "$ZM_TMP/vm0" "$ZM_TMP/vm1")" \
		--argjson pages "$2" \
		'{name: $name, pages: $pages, secs: $secs, vm: $vm,
		  us_per_page: (if $vm.pgmigrate_success > 0
			then $secs * 1e6 / $vm.pgmigrate_success else null end)}'
}

dev=$(zm_new_dev "$((data_mb * 2))M" lz4) || bench_fail "cannot add a zram device"
bench_settle
bench_log "migcost: writing $data_mb MiB to $dev next to a ${hog_mb} MiB process"
zm_hog_start "$hog_mb" || bench_fail "zram_mem hog failed"
"$ZRAM_MEM" write -f "$dev" -m "$data_mb" >/dev/null || bench_fail "zram_mem write failed"
zm_hog_stop
sync
echo 1 >/proc/sys/vm/drop_caches
zs_pages=$(zm_zs_pages)
zram=$(measure zram "$zs_pages")
echo "$zram"
verify=$("$ZRAM_MEM" verify -f "$dev" -m "$data_mb")
vrc=$?
echo "$verify"
zramctl --reset "$dev"

bench_settle
anon_mb=$((zs_pages * 4 / 1024))
[ "$anon_mb" -gt 0 ] || anon_mb=1
bench_log "migcost: holding $anon_mb MiB of anonymous memory next to a ${hog_mb} MiB process"
zm_hog_start "$hog_mb" || bench_fail "zram_mem hog failed"
zm_hold "$anon_mb" || bench_fail "zram_mem hold failed"
zm_hog_stop
anon=$(measure anon "$((anon_mb * 256))")
echo "$anon"
kill -9 "$ZM_HOLD_PID" 2>/dev/null
ZM_HOLD_PID=

bench_record migcost --argjson pct "$pct" --argjson data_mb "$data_mb" \
	--argjson zram "$zram" --argjson anon "$anon" \
	--argjson verified "$([ $vrc -eq 0 ] && echo true || echo false)" \
	'{scenario: "migcost", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
	  pct: $pct, data_mb: $data_mb, zram: $zram, anon: $anon,
	  verified: $verified}'
[ $vrc -eq 0 ] || bench_fail "migcost: data on the zram device differs"
[ "$(jq .vm.pgmigrate_success <<<"$anon")" -gt 1000 ] ||
	bench_fail "migcost: compaction migrated almost no anonymous page"

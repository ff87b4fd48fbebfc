#!/bin/bash
# migcost.sh - run inside the guest: what migrating one page costs.
#
# Usage: bench/guest/migcost.sh PERCENT
#
# Two measurements in the same guest, each starting from a settled state
# (page cache dropped, memory compacted) and laid out the same way: two
# writers fill memory at the same time, then one's memory is freed, leaving
# the other's pages spread with holes between them:
#   zram  PERCENT % of guest memory written to each of two zram block
#         devices at once; the second is discarded, the page cache dropped;
#   anon  two processes each hold as much anonymous memory as zsmalloc used
#         for one device; the second exits.
# Each time compact_memory is written once; its wall time divided by the
# pages it migrated (pgmigrate_success) is the cost per page. Records
# $VM_OUT/migcost.json; the zram data is read back and verified.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 1 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$1" -lt 60 ] ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
pct=$1
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
data_mb=$((total_mb * pct / 100))

# measure NAME PAGES: compact once; prints the time, the counters and the
# cost per page as JSON.
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

dev=$(zm_new_dev "$((data_mb * 2))M" lz4) && dev2=$(zm_new_dev "$((data_mb * 2))M" lz4) ||
	bench_fail "cannot add zram devices"
bench_settle
bench_log "migcost: writing $data_mb MiB to $dev and to $dev2 at once"
"$ZRAM_MEM" write -f "$dev2" -m "$data_mb" -s 2 >/dev/null &
w2=$!
"$ZRAM_MEM" write -f "$dev" -m "$data_mb" >/dev/null || bench_fail "zram_mem write failed"
wait "$w2" || bench_fail "zram_mem write to $dev2 failed"
zs_pages=$(( $(zm_mm_stat "$dev" 3) / 4096 ))
blkdiscard "$dev2" || bench_fail "blkdiscard $dev2 failed"
sync
echo 1 >/proc/sys/vm/drop_caches
zram=$(measure zram "$zs_pages") || bench_fail "migcost: measuring zram failed"
echo "$zram"
"$ZRAM_MEM" verify -f "$dev" -m "$data_mb"
vrc=$?
zramctl --reset "$dev" "$dev2"

bench_settle
anon_mb=$((zs_pages * 4 / 1024))
[ "$anon_mb" -gt 0 ] || anon_mb=1
bench_log "migcost: two processes holding $anon_mb MiB of anonymous memory each"
"$ZRAM_MEM" hold -m "$anon_mb" -s 2 -r "$ZM_TMP/ready2" >/dev/null 2>&1 &
h2=$!
zm_hold "$anon_mb" || bench_fail "zram_mem hold failed"
while [ ! -e "$ZM_TMP/ready2" ]; do
	kill -0 "$h2" 2>/dev/null || bench_fail "the second zram_mem hold failed"
	sleep 0.2
done
kill -9 "$h2"
wait "$h2" 2>/dev/null
anon=$(measure anon "$((anon_mb * 256))") || bench_fail "migcost: measuring anon failed"
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
[ "$(jq .vm.pgmigrate_success <<<"$anon")" -gt 0 ] ||
	bench_fail "migcost: compaction migrated no anonymous page"

#!/bin/bash
# fio.sh - run inside the guest: zram I/O, idle and under compaction.
#
# Usage: bench/guest/fio.sh SECONDS ALGO...
#
# For each compression ALGO (lz4, zstd): a zram block device of a quarter
# of guest memory is filled sequentially by fio, then fio runs 4 KiB
# random read/write (50/50, O_DIRECT, psync, numjobs = vCPUs, buffers
# refilled with buffer_compress_percentage=50) for SECONDS, twice: idle,
# then with a background loop writing /proc/sys/vm/compact_memory. In
# both phases a second zram device is written (a sixteenth of memory) and
# discarded in a loop, so that zsmalloc pages keep being allocated between
# pages that are freed again: that is what compaction then migrates, on
# kernels where zsmalloc pages are movable. Records $VM_OUT/fio-ALGO.json:
# MB/s and completion latency p50/p99/max (reads and writes together) of
# both phases, compactions done and pages migrated. Exit status 1 when fio
# reports an error or does no I/O.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -ge 2 ] && [ "$1" -gt 0 ] 2>/dev/null ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
secs=$1
shift
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"
command -v fio >/dev/null || bench_fail "fio not found"

compress=50
cpus=$(nproc)
dev_mb=$(( $(zm_mem_kb MemTotal) / 1024 / 4 ))
job_mb=$((dev_mb / cpus))
churn_mb=$(( $(zm_mem_kb MemTotal) / 1024 / 16 ))
common=(--filename="$1" --direct=1 --ioengine=psync --bs=4k --numjobs="$cpus"
	--size="${job_mb}M" --offset_increment="${job_mb}M" --group_reporting
	"--buffer_compress_percentage=$compress" --refill_buffers
	--output-format=json)

# run_fio NAME ARGS...: fio on $dev, its JSON to $ZM_TMP/NAME.json; prints
# the phase's figures as JSON.
run_fio()
{
	local name=$1 out=$ZM_TMP/$1.json err

	shift
	fio --name="$name" "$@" >"$out" 2>"$ZM_TMP/$name.err" ||
		{ cat "$ZM_TMP/$name.err" >&2; bench_fail "fio $name failed"; }
	err=$(jq '[.jobs[].error] | add' "$out")
	[ "$err" = 0 ] || bench_fail "fio $name reported error $err"
	jq '.jobs[0].mixed | {mbps: (.bw_bytes / 1e6), iops: .iops,
		ios: .total_ios,
		p50_us: (.clat_ns.percentile["50.000000"] / 1e3),
		p99_us: (.clat_ns.percentile["99.000000"] / 1e3),
		max_us: (.clat_ns.max / 1e3)}' "$out"
}

# loop_start NAME COMMAND...: run COMMAND until loop_stop, counting runs.
loop_start()
{
	local name=$1

	shift
	rm -f "$ZM_TMP/stop"
	(
		n=0
		while [ ! -e "$ZM_TMP/stop" ]; do
			"$@" || { echo "bench: $name loop failed" >&2; n=-1; break; }
			n=$((n + 1))
		done
		echo $n >"$ZM_TMP/$name"
		[ $n -ge 0 ]
	) &
	LOOPS+=($!)
}

# loop_stop: end the loops; fails when one of them failed.
loop_stop()
{
	local p rc=0

	touch "$ZM_TMP/stop"
	for p in "${LOOPS[@]}"; do
		wait "$p" || rc=1
	done
	LOOPS=()
	return $rc
}

# churn: fill the second zram device and discard it again.
churn()
{
	"$ZRAM_MEM" write -f "$churn_dev" -m "$churn_mb" >/dev/null && blkdiscard "$churn_dev"
}

LOOPS=()
for algo in "$@"; do
	dev=$(zm_new_dev "${dev_mb}M" "$algo") || bench_fail "no zram device with $algo"
	common[0]=--filename=$dev
	bench_log "fio $algo: filling $dev ($dev_mb MiB)"
	run_fio "fill-$algo" "${common[@]}" --rw=write --unified_rw_reporting=mixed >/dev/null ||
		exit 1
	churn_dev=$(zm_new_dev "$((churn_mb * 2))M" "$algo") || bench_fail "no second zram device"
	bench_settle
	bench_log "fio $algo: ${secs}s of 4k randrw, idle"
	loop_start churns churn
	idle=$(run_fio "idle-$algo" "${common[@]}" --rw=randrw --time_based \
		--runtime="$secs" --unified_rw_reporting=mixed) || { loop_stop; exit 1; }
	loop_stop || bench_fail "fio $algo: the churn loop failed"
	idle=$(jq --argjson n "$(cat "$ZM_TMP/churns")" '. + {churns: $n}' <<<"$idle")
	echo "$idle"
	bench_log "fio $algo: ${secs}s of 4k randrw, compact_memory in a loop"
	bench_vm_snap "$ZM_TMP/vm0"
	loop_start churns churn
	loop_start compactions zm_compact
	busy=$(run_fio "busy-$algo" "${common[@]}" --rw=randrw --time_based \
		--runtime="$secs" --unified_rw_reporting=mixed) || { loop_stop; exit 1; }
	loop_stop || bench_fail "fio $algo: a background loop failed"
	bench_vm_snap "$ZM_TMP/vm1"
	busy=$(jq --argjson n "$(cat "$ZM_TMP/churns")" '. + {churns: $n}' <<<"$busy")
	echo "$busy"
	bench_record "fio-$algo" --arg algo "$algo" --argjson secs "$secs" \
		--argjson compress "$compress" --argjson dev_mb "$dev_mb" \
		--argjson churn_mb "$churn_mb" \
		--argjson idle "$idle" --argjson busy "$busy" \
		--argjson compactions "$(cat "$ZM_TMP/compactions")" \
		--argjson vm "$(bench_vm_delta "$ZM_TMP/vm0" "$ZM_TMP/vm1")" \
		'{scenario: "fio", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
		  algo: $algo, runtime: $secs, numjobs: $cpus, bs: "4k",
		  rw: "randrw", buffer_compress_percentage: $compress,
		  dev_mb: $dev_mb, churn_mb: $churn_mb, idle: $idle, busy: $busy,
		  compactions: $compactions, vm: $vm,
		  mbps_drop: (1 - $busy.mbps / $idle.mbps),
		  p99_ratio: ($busy.p99_us / $idle.p99_us)}'
	for phase in "$idle" "$busy"; do
		[ "$(jq '.ios > 0 and .mbps > 0' <<<"$phase")" = true ] ||
			bench_fail "fio $algo did no I/O"
	done
	zramctl --reset "$dev" "$churn_dev"
done

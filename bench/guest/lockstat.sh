#!/bin/bash
# lockstat.sh - run inside the guest: lock contention of zram reads.
#
# Usage: bench/guest/lockstat.sh SECONDS REPS
#
# A zram block device (lz4) is filled with incompressible data, so that
# every object lives in zsmalloc's one huge size class. Then, REPS times,
# fio reads it at random (4 KiB, O_DIRECT, psync) for SECONDS with 1 job
# and with one job per vCPU, each phase with /proc/lock_stat cleared
# first. Records $VM_OUT/lockstat.json: per phase, reads, reads/s, clat
# p50/p99, and for every lock class that zsmalloc and zram take on the
# read path (and any other with contentions) its contentions, wait time
# (us) and acquisitions from /proc/lock_stat (CONFIG_LOCK_STAT). Exit
# status 1 when the kernel has no lock_stat, fio fails or the data is not
# where it must be.
set -u
# set -u only, not -e: every step's status is checked by hand.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 2 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$2" -gt 0 ] 2>/dev/null ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
secs=$1 reps=$2
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"
command -v fio >/dev/null || bench_fail "fio not found"
[ -w /proc/lock_stat ] || bench_fail "no /proc/lock_stat (CONFIG_LOCK_STAT)"

cpus=$(nproc)
data_mb=256
dev=$(zm_new_dev "$((2 * data_mb))M" lz4) || bench_fail "cannot create a zram device"
name=$(basename "$dev")
fio --name=fill --filename="$dev" --rw=write --bs=1M --size="${data_mb}M" \
	--direct=1 --ioengine=psync --refill_buffers --buffer_compress_percentage=0 \
	--output-format=json >"$ZM_TMP/fill.json" 2>"$ZM_TMP/fill.err" ||
	{ cat "$ZM_TMP/fill.err" >&2; bench_fail "fio fill failed"; }
# mm_stat column 8: pages stored whole, in the huge class
huge=$(zm_mm_stat "$dev" 8)
want=$((data_mb * 256 * 9 / 10))
[ "$huge" -ge "$want" ] ||
	bench_fail "$name holds $huge huge pages, not the $want of incompressible data"
bench_log "$name: $huge pages in the huge class, $cpus vCPUs"

# locks FILE: the lock_stat rows as JSON {name: {contentions, wait_us,
# acquisitions}}: the read path's locks always, other locks when contended.
locks()
{
	awk '$1 ~ /:$/ && NF == 13 {
		n = substr($1, 1, length($1) - 1)
		if (n ~ /class->lock|migrate_lock|zspage->lock|zstrm->lock|zs_map|zram/ || $3 > 0)
			printf "%s\t%s\t%s\t%s\n", n, $3, $6, $9
	}' "$1" | jq -R -s 'split("\n") | map(select(length > 0) | split("\t")) |
		map({key: .[0], value: {contentions: (.[1] | tonumber),
			wait_us: (.[2] | tonumber), acquisitions: (.[3] | tonumber)}}) |
		from_entries'
}

phases=()
for ((r = 1; r <= reps; r++)); do
	for jobs in 1 "$cpus"; do
		tag=r$r-j$jobs
		echo 0 >/proc/lock_stat
		fio --name="read$jobs" --filename="$dev" --rw=randread --bs=4k --direct=1 \
			--ioengine=psync --numjobs="$jobs" --size="${data_mb}M" \
			--time_based --runtime="$secs" --group_reporting \
			--output-format=json >"$ZM_TMP/$tag.json" 2>"$ZM_TMP/$tag.err" ||
			{ cat "$ZM_TMP/$tag.err" >&2; bench_fail "fio $tag failed"; }
		cp /proc/lock_stat "$ZM_TMP/$tag.lock_stat"
		err=$(jq '[.jobs[].error] | add' "$ZM_TMP/$tag.json")
		[ "$err" = 0 ] || bench_fail "fio $tag reported error $err"
		phase=$(jq -c --argjson rep "$r" --argjson jobs "$jobs" --argjson locks "$(locks "$ZM_TMP/$tag.lock_stat")" \
			'.jobs[0].read as $rd | {rep: $rep, jobs: $jobs, reads: $rd.total_ios,
			 iops: $rd.iops, clat_p50_us: ($rd.clat_ns.percentile["50.000000"] / 1000),
			 clat_p99_us: ($rd.clat_ns.percentile["99.000000"] / 1000), locks: $locks}' \
			"$ZM_TMP/$tag.json") || bench_fail "fio $tag: no figures"
		[ "$(jq .reads <<<"$phase")" -gt 0 ] || bench_fail "fio $tag did no reads"
		bench_log "$tag: $(jq -c '{reads, iops, clat_p50_us}' <<<"$phase")"
		phases+=("$phase")
	done
done
printf '%s\n' "${phases[@]}" >"$ZM_TMP/phases"
bench_record lockstat --argjson secs "$secs" --argjson data_mb "$data_mb" \
	--slurpfile phases "$ZM_TMP/phases" \
	'{scenario: "lockstat", secs: $secs, data_mb: $data_mb, phases: $phases}'

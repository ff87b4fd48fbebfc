#!/bin/bash
# teardown.sh - run inside the guest: how long processes whose memory
# sits in zram take to exit.
#
# Usage: bench/guest/teardown.sh MB N...
#
# Swap on zram (lz4). For each N: N processes each fill MB of verifiable
# anonymous memory and push it to zram (MADV_PAGEOUT), one after another;
# then all are killed at once (SIGKILL) and the time until the last has
# been reaped is measured: every swap slot they held is freed on the way
# (zs_free()). Done twice per N: idle, and with a compact_memory loop
# running meanwhile. Records $VM_OUT/teardown.json with, per N and phase,
# the seconds, the zsmalloc pages before and after (after must be back to
# what it was before the processes started) and the compactions done.
# Exit status 1 when the processes could not be set up or memory was not
# given back.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -ge 2 ] && [ "$1" -gt 0 ] 2>/dev/null ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
mb=$1
shift
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
swap=$(zm_new_dev "$((total_mb * 2))M" lz4) && zm_swap_on "$swap" ||
	bench_fail "cannot set up swap on zram"

# phase N COMPACT: prints one JSON object.
phase()
{
	local n=$1 compact=$2 i pids=() zs0 zs1 zs2 t0 t1 loop= runs=0

	zs0=$(zm_zs_pages)
	for ((i = 0; i < n; i++)); do
		rm -f "$ZM_TMP/ready.$i"
		"$ZRAM_MEM" hold -m "$mb" -r "$ZM_TMP/ready.$i" -p -s $((i + 1)) \
			>/dev/null 2>&1 &
		pids+=($!)
		echo -1000 >"/proc/$!/oom_score_adj"
		while [ ! -e "$ZM_TMP/ready.$i" ]; do
			kill -0 "${pids[$i]}" 2>/dev/null ||
				bench_fail "teardown: holder $i of $n died"
			sleep 0.2
		done
	done
	zs1=$(zm_zs_pages)
	if [ "$compact" = 1 ]; then
		( while :; do zm_compact; echo x; done ) >"$ZM_TMP/compactions" &
		loop=$!
		sleep 1
	fi
	t0=$(bench_now)
	kill -9 "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null
	t1=$(bench_now)
	if [ -n "$loop" ]; then
		kill "$loop"
		wait "$loop" 2>/dev/null
		runs=$(wc -l <"$ZM_TMP/compactions")
	fi
	# Frees still queued in the swap slot cache go at the next sync point.
	sleep 1
	zs2=$(zm_zs_pages)
	bench_log "teardown: $n x $mb MiB, compact=$compact: $(bench_secs "$t0" "$t1") s, zsmalloc pages $zs0 -> $zs1 -> $zs2" >&2
	jq -n -c --argjson n "$n" --argjson compact "$compact" \
		--argjson secs "$(bench_secs "$t0" "$t1")" --argjson zs0 "$zs0" \
		--argjson zs1 "$zs1" --argjson zs2 "$zs2" --argjson runs "$runs" \
		'{procs: $n, compact: ($compact == 1), secs: $secs,
		  zs_pages_before: $zs0, zs_pages_held: $zs1, zs_pages_after: $zs2,
		  compactions: $runs}'
}

: >"$ZM_TMP/phases"
for n in "$@"; do
	for c in 0 1; do
		bench_settle
		phase "$n" "$c" >>"$ZM_TMP/phases" || exit 1
	done
done

bench_record teardown --argjson mb "$mb" --slurpfile phases "$ZM_TMP/phases" \
	'{scenario: "teardown", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
	  mb_per_proc: $mb, phases: $phases}'
# Every phase must have held memory in zram and given it back.
jq -e 'all(.phases[]; .zs_pages_held > .zs_pages_before + 16 and
	   .zs_pages_after <= .zs_pages_before + 64)' "$BENCH_OUT/teardown.json" \
	>/dev/null || bench_fail "teardown: zram held nothing, or kept memory after the exits"

#!/bin/bash
# swapin.sh - run inside the guest: swap-in fault latency, alone and
# while other tasks compress into the same zram device on the same CPUs.
#
# Usage: bench/guest/swapin.sh MB WRITER_MB SECS LEVEL
#
# Swap on zram (zstd at LEVEL, where compression is slow). A reader fills
# MB of memory and pushes it to zram; it then reads one word of each page,
# timing every fault (BENCH_TOOLS/swapin), twice: with nothing else
# running, and while one writer per vCPU rewrites WRITER_MB of memory and
# pushes it to the same device in a loop. Records $VM_OUT/swapin.json:
# per phase, the faults' mean, p50, p99, p99.9 and max (ns, emulated) and
# the writers' rounds. Exit status 1 when a page came back wrong.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -eq 4 ] && [ "$1" -gt 0 ] 2>/dev/null && [ "$2" -gt 0 ] 2>/dev/null &&
	[ "$3" -gt 0 ] 2>/dev/null ||
	{ sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 2; }
mb=$1 wmb=$2 secs=$3 level=$4
# shellcheck source=bench/guest/lib.sh
. "$(dirname "$0")/lib.sh"
SWAPIN=$BENCH_TOOLS/swapin
[ -x "$SWAPIN" ] || bench_fail "no $SWAPIN"

total_mb=$(( $(zm_mem_kb MemTotal) / 1024 ))
id=$(cat /sys/class/zram-control/hot_add) || bench_fail "no zram device"
dev=/dev/zram$id
sys=/sys/block/zram$id
ZM_DEVS+=("$dev")
echo zstd >"$sys/comp_algorithm" || bench_fail "no zstd"
echo "level=$level" >"$sys/algorithm_params" || bench_fail "cannot set zstd level $level"
echo "$((total_mb * 2))M" >"$sys/disksize" || bench_fail "cannot size $dev"
mkswap "$dev" >/dev/null && swapon -p 100 "$dev" || bench_fail "swapon $dev failed"

# phase WRITERS: prints the reader's JSON line with the writers' rounds.
phase()
{
	local nw=$1 i rpid wpids=() rounds=0 out rc

	rm -f "$ZM_TMP/ready"
	"$SWAPIN" reader -m "$mb" -r "$ZM_TMP/ready" >"$ZM_TMP/reader.out" 2>&1 &
	rpid=$!
	echo -1000 >"/proc/$rpid/oom_score_adj"
	while [ ! -e "$ZM_TMP/ready" ]; do
		kill -0 "$rpid" 2>/dev/null || bench_fail "swapin: the reader died: $(cat "$ZM_TMP/reader.out")"
		sleep 0.2
	done
	for ((i = 0; i < nw; i++)); do
		"$SWAPIN" writer -m "$wmb" -t "$secs" >"$ZM_TMP/writer.$i" 2>&1 &
		wpids+=($!)
	done
	# Let the writers fill their memory and start pushing it out.
	[ "$nw" -eq 0 ] || sleep 3
	kill -USR1 "$rpid"
	wait "$rpid"
	rc=$?
	for ((i = 0; i < nw; i++)); do
		kill "${wpids[$i]}" 2>/dev/null
		wait "${wpids[$i]}" 2>/dev/null
	done
	[ $rc -eq 0 ] || bench_fail "swapin: $(cat "$ZM_TMP/reader.out")"
	rounds=$(cat "$ZM_TMP"/writer.* 2>/dev/null | awk '{ n += $3 } END { print n + 0 }')
	rm -f "$ZM_TMP"/writer.*
	out=$(tail -n 1 "$ZM_TMP/reader.out")
	bench_log "swapin: $nw writers: $out" >&2
	jq -c --argjson w "$nw" --argjson r "$rounds" '. + {writers: $w, writer_rounds: $r}' <<<"$out"
}

: >"$ZM_TMP/phases"
bench_settle
phase 0 >>"$ZM_TMP/phases" || exit 1
bench_settle
phase "$(nproc)" >>"$ZM_TMP/phases" || exit 1
swapoff "$dev"

bench_record swapin --argjson mb "$mb" --argjson wmb "$wmb" \
	--argjson level "$level" --slurpfile phases "$ZM_TMP/phases" \
	'{scenario: "swapin", kernel: $kernel, cpus: $cpus, mem_mb: $mem_mb,
	  reader_mb: $mb, writer_mb: $wmb, zstd_level: $level, phases: $phases}'

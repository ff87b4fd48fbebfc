#!/bin/bash
# diag.sh - run inside the guest (an experiment, not part of the harness):
# what zram still holds after a process whose memory it holds is killed.
# One process fills 128 MiB and pushes it to swap on zram (MADV_PAGEOUT,
# BENCH_TOOLS/zram_mem hold -p), is killed; then zram's mm_stat and
# io_stat, SwapCached and the swap device's used KiB are printed after
# 1 s, 6 s, a drop_caches, and a compact_memory.
set -u
T=$BENCH_TOOLS
id=$(cat /sys/class/zram-control/hot_add)
dev=/dev/zram$id sys=/sys/block/zram$id
echo lz4 >"$sys/comp_algorithm" && echo 2G >"$sys/disksize" &&
	mkswap "$dev" >/dev/null && swapon "$dev" || exit 1
st()
{
	echo "diag $1: mm_stat $(cat "$sys/mm_stat") | io_stat $(cat "$sys/io_stat")" \
		"| $(grep SwapCached /proc/meminfo | tr -s ' ')" \
		"| swap used $(awk -v d="$dev" '$1 == d { print $4 }' /proc/swaps) KiB"
}
st start
for round in 1 2; do
	rm -f /tmp/ready
	"$T/zram_mem" hold -m 128 -r /tmp/ready -p -s "$round" >/dev/null 2>&1 &
	p=$!
	while [ ! -e /tmp/ready ]; do sleep 0.2; done
	st "round $round held"
	kill -9 "$p"
	wait "$p" 2>/dev/null
	sleep 1
	st "round $round after 1 s"
	sleep 5
	st "round $round after 6 s"
done
echo 3 >/proc/sys/vm/drop_caches
st "after drop_caches"
echo 1 >/proc/sys/vm/compact_memory
st "after compact_memory"
swapoff "$dev"
st "after swapoff"

#!/bin/bash
# How the figures next to this file were made (an experiment, not part of
# the harness): bench/guest/fio.sh 20 lz4 zstd, the cost scenario's fio
# phases in full mode (idle, then under a compact_memory loop, with a
# churn writer on a second zram device), 1 GiB guests with 2 vCPUs, on
# perf kernels built by bench/kernel.sh:
#   s39     the series without 0040 (build/bench-src/series as built for
#           the 39-patch series, its bzImage copied to build/s39)
#   series  the 40-patch series (0040: a task takes another CPU's free
#           stream before it waits for its own CPU's)
#   base    Debian 6.12 (build/bench-src/base)
# Repetitions interleaved, the order reversed every other repetition, one
# guest at a time. Question: does 0040 change zram's fio throughput and
# latency, zstd in particular?
# Usage: run.sh [REPS [OUT [KERNEL...]]] (default 3, this folder, s39
# series)
set -u
cd /work/main || exit 1
reps=${1:-3}
out=${2:-results/2026-12-01-s11/stream-fallback}
if [ $# -ge 2 ]; then shift 2; else set --; fi
kernels=${*:-s39 series}
rev=$(echo $kernels | tr ' ' '\n' | tac | tr '\n' ' ')
mkdir -p "$out"
declare -A img=([s39]=build/s39/bzImage
	[series]=build/bench-src/series/obj/arch/x86/boot/bzImage
	[base]=build/bench-src/base/obj/arch/x86/boot/bzImage)
for ((r = 1; r <= reps; r++)); do
	order=$kernels
	[ $((r % 2)) = 0 ] && order=$rev
	for k in $order; do
		d=$out/$r-$k
		rm -rf "$d"
		vm/vm.sh --kernel "${img[$k]}" --cpus 2 --mem 1G --timeout 1200 \
			--out "$d" --quiet --env BENCH_TOOLS=/work/main/build/bench/tools -- \
			bash -ec "bench/guest/fio.sh 20 lz4 zstd" >"$d.log" 2>&1
		rc=$?
		check/splat-check.sh "$d/serial.log" "$d/dmesg.log" || rc=99
		echo "rep $r $k: rc=$rc $(date -u +%H:%M:%S)"
	done
done

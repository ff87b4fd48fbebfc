#!/bin/bash
# How the figures next to this file were made (an experiment, not part of
# the harness): bench/guest/swapin.sh alone, with the release scenario's
# full-mode arguments (64 MiB reader, 32 MiB per writer, zstd level 19),
# 1 GiB guests with 2 vCPUs, on perf kernels built by bench/kernel.sh:
#   base    Debian 6.12
#   s37     the series without 0038/0039 (build/linux 2757e1325)
#   series  the 39-patch series
# Repetitions interleaved, one guest at a time. Question: is the swap-in
# p50 of the series with no writer (results/2026-12-01-s9/release) slower
# than base's, and is it 0038?
set -u
cd /work/main || exit 1
out=results/2026-12-01-s10/swapin-attr
reps=${1:-3}
declare -A img=([s37]=build/bench-src/s37/obj/arch/x86/boot/bzImage
	[series]=build/bench-src/series/obj/arch/x86/boot/bzImage
	[base]=build/bench-src/base/obj/arch/x86/boot/bzImage)
for ((r = 1; r <= reps; r++)); do
	for k in base s37 series; do
		d=$out/$r-$k
		rm -rf "$d"
		vm/vm.sh --kernel "${img[$k]}" --cpus 2 --mem 1G --timeout 1200 \
			--out "$d" --quiet --env BENCH_TOOLS=/work/main/build/bench/tools -- \
			bash -ec "bench/guest/swapin.sh 64 32 600 19" >"$d.log" 2>&1
		rc=$?
		check/splat-check.sh "$d/serial.log" "$d/dmesg.log" || rc=99
		echo "rep $r $k: rc=$rc $(date -u +%H:%M:%S)"
		cat "$d/swapin.json" 2>/dev/null
	done
done

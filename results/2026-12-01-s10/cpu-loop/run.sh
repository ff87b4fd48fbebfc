#!/bin/bash
# How the figures next to this file were made (an experiment, not part of
# the harness): bench/guest/teardown.sh alone, 1 GiB guests with 2 vCPUs,
# 128 MiB per process, on perf kernels built by bench/kernel.sh:
#   s37     the series without 0038/0039 (build/linux 2757e1325)
#   series  the 39-patch series
#   base    Debian 6.12
# reps interleaved. With "cpu" as the first argument, the compact_memory
# loop of the busy phase is replaced by a shell loop that only burns CPU
# (build/td/tools-cpu), to tell CPU taken from the exits from lock stalls.
set -u
cd /work/main || exit 1
mode=${1:-attr}
out=results/2026-12-01-s10/cpu-loop
declare -A img=([s37]=build/bench-src/s37/obj/arch/x86/boot/bzImage
	[series]=build/bench-src/series/obj/arch/x86/boot/bzImage
	[base]=build/bench-src/base/obj/arch/x86/boot/bzImage)
if [ "$mode" = cpu ]; then
	kernels="base series" reps=${2:-3} tools=build/td/tools-cpu
else
	kernels="s37 series" reps=3 tools=build/bench/tools
fi
for ((r = 1; r <= reps; r++)); do
	for k in $kernels; do
		d=$out/$mode-$r-$k
		rm -rf "$d"
		vm/vm.sh --kernel "${img[$k]}" --cpus 2 --mem 1G --timeout 900 \
			--out "$d" --quiet --env BENCH_TOOLS=/work/main/$tools -- \
			bash -ec "bench/guest/teardown.sh 128 1 2 4" >"$d.log" 2>&1
		rc=$?
		check/splat-check.sh "$d/serial.log" "$d/dmesg.log" || rc=99
		echo "$mode rep $r $k: rc=$rc"
		grep -h "teardown:" "$d/serial.log"
	done
done

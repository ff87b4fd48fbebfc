#!/bin/bash
# Runs diag.sh (next to this file) once on each perf kernel, one guest at
# a time, 1 GiB guests with 2 vCPUs: base, s37 (the series without
# 0038/0039, build/linux 2757e1325), series (the 39 patches).
set -u
cd /work/main || exit 1
out=results/2026-12-01-s10/leftover
for k in base s37 series; do
	vm/vm.sh --kernel build/bench-src/$k/obj/arch/x86/boot/bzImage --cpus 2 \
		--mem 1G --timeout 600 --out "$out/$k" --quiet \
		--env BENCH_TOOLS=/work/main/build/bench/tools -- \
		bash -c "$out/diag.sh" >"$out/$k.log" 2>&1
	echo "$k rc=$?"
	grep "^diag" "$out/$k/serial.log"
done

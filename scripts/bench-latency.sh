#!/bin/bash
# bench-latency.sh - what 'make bench-latency' runs: preempt-off sections,
# wakeup latency and zram throughput, base 6.12 against the series.
#
# Usage: scripts/bench-latency.sh [--reps N] [--secs S] [--fio-secs S]
#                                 [--kernels "K..."] [--out DIR] [--build-only]
#
# Kernels, both with the 'lat' flavour (qemu + feature + lat: the perf
# config plus the preemptoff tracer, configs/lat.config):
#   base     Debian's 6.12 as unpacked (the commit named in BASE)
#   series   base + the patches named in patches/series, 'git am'
# made by scripts/bench-kernel.sh --flavour lat in build/lat-src/NAME/
# (source tree, objects, stamp; re-made only when the patches change,
# built incrementally).
#
# Every repetition boots each kernel once (order alternating between
# repetitions) under the same QEMU settings (TCG, 2 vCPUs, 2 GiB), running
# guest/bench-latency.sh: for lz4 and zstd, swap on zram plus a zram block
# device; fio 4 KiB randrw on the block device (numjobs = vCPUs) and one
# zram_mem process per vCPU pushing memory through zram swap and back, for
# S seconds, while the preemptoff tracer records the longest
# preemption-disabled section (tracing_max_latency reset every few seconds,
# each window's maximum kept with the function names from the trace),
# every preempt-off section is recorded from the preemptirq events (in a
# tracing instance of its own) and attributed to zram/zsmalloc by its call
# sites, and cyclictest (-m -p95 -i1000, histogram) measures wakeup
# latency; then fio alone with the tracer off (nop) for the throughput.
#
# Writes DIR/latency.json (every repetition, raw), DIR/latency.md (the table,
# generated from the JSON) and DIR/latency.png (gnuplot). Guest logs and
# traces stay in build/bench-latency/run/.
#
# Options:
#   --reps N       repetitions (default 3, at least 3)
#   --secs S       loaded phase per compressor, traced (default 30)
#   --fio-secs S   fio-only throughput phase per compressor (default 15)
#   --kernels K    kernels, in the order of the first repetition
#                  (default "base series")
#   --out DIR      results directory (default results/DATE-HOSTNAME)
#   --build-only   make the trees and kernels, run nothing
#   --report DIR   only (re)write DIR/latency.md and .png from its JSON
#
# A guest that crashes, hangs or splats does not stop the run: its
# repetition is recorded as failed, with the serial log's path and the
# first lines of the report, and the others go on.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

reps=3 secs=30 fio_secs=15 kernels="base series" out='' build_only=0 report_only=''
while [ $# -gt 0 ]; do
	case $1 in
	--reps) need_arg "$@"; reps=$2; shift 2 ;;
	--secs) need_arg "$@"; secs=$2; shift 2 ;;
	--fio-secs) need_arg "$@"; fio_secs=$2; shift 2 ;;
	--kernels) need_arg "$@"; kernels=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	--build-only) build_only=1; shift ;;
	--report) need_arg "$@"; report_only=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ "$reps" -ge 3 ] 2>/dev/null || die "--reps must be a number, at least 3"
[ "$secs" -ge 10 ] 2>/dev/null || die "--secs must be a number, at least 10"
[ "$fio_secs" -ge 5 ] 2>/dev/null || die "--fio-secs must be a number, at least 5"
for k in $kernels; do
	case $k in base|series) ;; *) die "unknown kernel '$k' (base, series)" ;; esac
done
[ -n "$kernels" ] || die "--kernels names no kernel"

if [ -n "$report_only" ]; then
	exec python3 "$TOP/scripts/bench-latency-report.py" "$report_only"
fi

start=$(date +%s)
"$TOP/scripts/deps.sh" >&2
need_cmd git gcc jq gnuplot python3
read -r _ base_commit <"$TOP/BASE"
git -C "$TREE" cat-file -e "$base_commit^{commit}" 2>/dev/null || "$TOP/scripts/tree.sh" >&2
declare -A image
for k in $kernels; do
	image[$k]=$("$TOP/scripts/bench-kernel.sh" --flavour lat --root "$BUILD/lat-src" "$k")
done
# zram_mem (the series' selftest helper) runs on either kernel.
tools=$BUILD/bench-latency/tools
mkdir -p "$tools"
gcc -O2 -Wall -o "$tools/zram_mem" \
	"$BUILD/lat-src/series/src/tools/testing/selftests/zram/zram_mem.c" ||
	[ -x "$tools/zram_mem" ] || die "cannot build zram_mem (needs the series tree)"
built=$(date +%s)
[ $build_only -eq 0 ] || { note "built in $(( (built - start) / 60 )) min"; exit 0; }

out=${out:-$TOP/results/$(date +%F)-$(hostname -s)}
runs=$BUILD/bench-latency/run
rm -rf "$runs"
mkdir -p "$runs" "$out"
raw=$runs/raw
mkdir -p "$raw"

# boot REP KERNEL: one guest, every compressor; its JSON (or a failure
# record) goes to $raw.
boot() {
	local rep=$1 k=$2 dir rc=0 t0 first
	dir=$runs/$rep-$k
	note "rep $rep/$reps: $k"
	t0=$(date +%s)
	"$TOP/scripts/vm.sh" --kernel "${image[$k]}" --mem 2G --cpus 2 \
		--timeout $(( 2 * (secs + fio_secs + 400) + 300 )) --out "$dir" --quiet \
		--env BENCH_TOOLS="$tools" -- \
		guest/bench-latency.sh "$secs" "$fio_secs" lz4 zstd >"$dir.log" 2>&1 || rc=$?
	"$TOP/scripts/splat-check.sh" "$dir/serial.log" "$dir/dmesg.log" >"$dir.splat" 2>&1 ||
		[ $rc -ne 0 ] || rc=200
	if [ $rc -ne 0 ] || [ ! -s "$dir/latency.json" ]; then
		first=$(grep -m1 -A12 -E 'BUG:|WARNING:|Oops|Kernel panic|INFO: |possible .* deadlock|soft lockup|rcu: INFO' \
			"$dir/serial.log" 2>/dev/null | head -n 14 || true)
		note "rep $rep, $k: guest failed ($rc), serial log: $dir/serial.log"
		[ -z "$first" ] || printf '%s\n' "$first" | sed 's/^/    /' >&2
		jq -n --arg k "$k" --argjson rep "$rep" --argjson rc "$rc" \
			--arg log "$dir/serial.log" --arg first "$first" \
			--slurpfile part <(cat "$dir/latency.json" 2>/dev/null || echo '{}') \
			'{kernel: $k, rep: $rep, failed: true, rc: $rc, serial_log: $log,
			  report: $first, partial: $part[0]}' >"$raw/$rep-$k.json"
		return 0
	fi
	jq --arg k "$k" --argjson rep "$rep" --argjson secs $(( $(date +%s) - t0 )) \
		--arg log "$dir/serial.log" \
		'. + {kernel: $k, rep: $rep, failed: false, boot_secs: $secs, serial_log: $log}' \
		"$dir/latency.json" >"$raw/$rep-$k.json" || die "bad JSON from $dir"
}

for ((rep = 1; rep <= reps; rep++)); do
	order=$kernels
	# alternate the order, so that drift on the host hits both alike
	[ $((rep % 2)) -eq 1 ] || order=$(echo "$kernels" | tr ' ' '\n' | tac | tr '\n' ' ')
	for k in $order; do
		boot "$rep" "$k"
	done
done
end=$(date +%s)

declare -A commit
for k in $kernels; do
	commit[$k]=$(git -C "$BUILD/lat-src/$k/src" rev-parse --short HEAD)
done
jq -s --argjson reps "$reps" --argjson secs "$secs" --argjson fio_secs "$fio_secs" \
	--arg host "$(hostname -s)" --arg date "$(date -u +%FT%TZ)" \
	--arg accel "$(cat "$BUILD/accel" 2>/dev/null || echo unknown)" \
	--arg kernels "$kernels" \
	--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--argjson host_cpus "$(nproc)" --argjson build_secs $((built - start)) \
	--argjson guest_secs $((end - built)) \
	--arg base_commit "${commit[base]:-}" --arg series_commit "${commit[series]:-}" \
	--arg series_stamp "$(cat "$BUILD/lat-src/series/stamp" 2>/dev/null || true)" \
	'{meta: {reps: $reps, loaded_secs: $secs, fio_secs: $fio_secs,
	   kernels: ($kernels | split(" ")), guest_cpus: 2, guest_mem: "2G",
	   flavour: "lat (qemu + feature + lat)", accel: $accel,
	   host: $host, host_cpu: $cpu, host_cpus: $host_cpus, date: $date,
	   build_secs: $build_secs, guest_secs: $guest_secs,
	   commits: {base: $base_commit, series: $series_commit},
	   series_patch_set: $series_stamp},
	  runs: (sort_by(.rep, .kernel))}' "$raw"/*.json >"$out/latency.json"
python3 "$TOP/scripts/bench-latency-report.py" "$out"
note "done in $(( (end - start) / 60 )) min ($(( (built - start) / 60 )) building, $(( (end - built) / 60 )) in guests): $out/latency.md"

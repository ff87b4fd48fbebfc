#!/bin/bash
# bench.sh - what 'make bench' runs: pinned, base and series side by side.
#
# Usage: scripts/bench.sh [--quick] [--reps N] [--kernels "K..."] [--out DIR]
#                         [--resume]
#
# Builds the three kernels with the same 'perf' config
# (scripts/bench-kernel.sh: base = Debian's 6.12, pinned = base +
# bench/pinned.patch, series = base + patches/), then, for each repetition,
# boots every kernel under the same QEMU settings (2 vCPUs) for the same
# scenarios, kernels interleaved within a repetition so that drift on the
# host hits them all alike:
#   hi-LO, hi-HI  guest/bench-highalloc.sh: 2 MiB huge pages with swap on
#                 zram holding LO % / HI % of memory
#   cma           guest/bench-cma.sh: the share of a cma= area obtained
#   cost          guest/bench-migcost.sh: compact_memory time per page
#                 migrated, zsmalloc vs anonymous pages; then
#                 guest/bench-fio.sh: 4 KiB randrw on zram (lz4, zstd),
#                 idle and under a compact_memory loop
# Every guest writes JSON; they are gathered in DIR/raw/ and DIR/bench.json,
# from which scripts/bench-report.sh makes DIR/table.md and DIR/*.png.
#
# Options:
#   --quick        512 MiB guests, 5 s fio phases (default: 1 GiB, 20 s)
#   --reps N       repetitions (default 3, at least 3)
#   --kernels K    kernels to compare, in this order within a repetition
#                  (default "base pinned series")
#   --out DIR      results directory (default results/DATE-HOSTNAME)
#   --resume       go on with a run that stopped: keep its kernels (no
#                  rebuild) and the guests that finished
#                  (build/bench/run/*.done) with their JSON in DIR/raw
#
# Any failed guest (data verify failure, fio error, splat, timeout) stops
# the run, and so do impossible figures (see scripts/bench-report.sh): no
# table is written then. Guest logs stay in build/bench/run/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

quick=0 reps=3 kernels="base pinned series" out= resume=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--reps) need_arg "$@"; reps=$2; shift 2 ;;
	--kernels) need_arg "$@"; kernels=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	--resume) resume=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ "$reps" -ge 3 ] 2>/dev/null || die "--reps must be a number, at least 3"
for k in $kernels; do
	case $k in base|pinned|series) ;; *) die "unknown kernel '$k' (base, pinned, series)" ;; esac
done
[ -n "$kernels" ] || die "--kernels names no kernel"

if [ $quick -eq 1 ]; then
	mem=512M fio_secs=5 mode=quick
else
	mem=1G fio_secs=20 mode=full
fi
lo=25 hi=50 cma_pct=150 cost_pct=25
case $mem in *G) mem_mb=$(( ${mem%G} * 1024 )) ;; *M) mem_mb=${mem%M} ;; esac
cma_mb=$((mem_mb / 8))
out=${out:-$TOP/results/$(date +%F)-$(hostname -s)}
start=$(date +%s)

"$TOP/scripts/deps.sh" >&2
need_cmd jq gnuplot gcc
read -r _ base_commit <"$TOP/BASE"
git -C "$TREE" cat-file -e "$base_commit^{commit}" 2>/dev/null || "$TOP/scripts/tree.sh" >&2

# A resumed run keeps the kernels it started with, even if patches/ moved on.
declare -A image
for k in $kernels; do
	image[$k]=$BUILD/bench-src/$k/obj/arch/x86/boot/bzImage
	if [ $resume -eq 1 ] && [ -f "${image[$k]}" ]; then
		note "resuming: $k is the kernel already built (stamp $(cat "$BUILD/bench-src/$k/stamp"))"
	else
		image[$k]=$("$TOP/scripts/bench-kernel.sh" "$k")
	fi
done
built=$(date +%s)

# The guest helpers, from the series' selftests (any kernel runs them).
tools=$BUILD/bench/tools
sel=$BUILD/bench-src/series/src/tools/testing/selftests/zram
[ -f "$sel/zram_mem.c" ] || "$TOP/scripts/bench-kernel.sh" series >/dev/null
mkdir -p "$tools"
gcc -O2 -Wall -o "$tools/zram_mem" "$sel/zram_mem.c" || die "cannot build zram_mem"
gcc -O2 -Wall -o "$tools/frag" "$TOP/bench/frag.c" || die "cannot build bench/frag.c"
cp "$sel/zram_migrate_lib.sh" "$tools/"

runs=$BUILD/bench/run
[ $resume -eq 1 ] || rm -rf "$runs" "$out/raw"
mkdir -p "$runs" "$out/raw"

# boot REP KERNEL NAME APPEND COMMAND: one guest; its JSON goes to raw/.
boot() {
	local rep=$1 k=$2 name=$3 append=$4 dir f rc=0
	dir=$runs/$rep-$k-$name
	[ -e "$dir.done" ] && return 0
	rm -rf "$dir"
	note "rep $rep/$reps, $k: $name"
	"$TOP/scripts/vm.sh" --kernel "${image[$k]}" --mem "$mem" --cpus 2 \
		--append "$append" --timeout 2400 --out "$dir" --quiet \
		--env BENCH_TOOLS="$tools" -- bash -ec "$5" >"$dir.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		grep -h 'bench:' "$dir/serial.log" | tail -n 5 >&2 || true
		die "$k, rep $rep, $name: guest failed with $rc (log: $dir/serial.log)"
	fi
	"$TOP/scripts/splat-check.sh" "$dir/serial.log" "$dir/dmesg.log" >&2 ||
		die "$k, rep $rep, $name: kernel splat (log: $dir/serial.log)"
	for f in "$dir"/*.json; do
		[ -e "$f" ] || die "$k, rep $rep, $name: the guest wrote no JSON"
		jq --arg k "$k" --argjson rep "$rep" '. + {name: $k, rep: $rep}' "$f" \
			>"$out/raw/$k-$rep-$(basename "$f")" || die "bad JSON in $f"
	done
	touch "$dir.done"
}

g=guest
for ((rep = 1; rep <= reps; rep++)); do
	for k in $kernels; do
		boot "$rep" "$k" "hi-$lo" "" "$g/bench-highalloc.sh $lo"
		boot "$rep" "$k" "hi-$hi" "" "$g/bench-highalloc.sh $hi"
		boot "$rep" "$k" cma "cma=${cma_mb}M" "$g/bench-cma.sh $cma_pct 512"
		boot "$rep" "$k" cost "" "$g/bench-migcost.sh $cost_pct; $g/bench-fio.sh $fio_secs lz4 zstd"
	done
done
end=$(date +%s)

jq -s --arg mode "$mode" --arg mem "$mem" --argjson reps "$reps" \
	--arg host "$(hostname -s)" --arg date "$(date -u +%FT%TZ)" \
	--arg accel "$(cat "$BUILD/accel" 2>/dev/null || echo unknown)" \
	--arg kernels "$kernels" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--argjson host_cpus "$(nproc)" --argjson build_secs $((built - start)) \
	--argjson guest_secs $((end - built)) --argjson resumed "$resume" \
	--argjson stamps "$(for k in $kernels; do jq -n --arg k "$k" --arg s "$(cat "$BUILD/bench-src/$k/stamp")" '{($k): $s}'; done | jq -s add)" \
	'{meta: {mode: $mode, guest_mem: $mem, guest_cpus: 2, reps: $reps,
	   kernels: ($kernels | split(" ")), host: $host, host_cpu: $cpu,
	   host_cpus: $host_cpus, accel: $accel, date: $date,
	   build_secs: $build_secs, guest_secs: $guest_secs,
	   resumed: ($resumed == 1), kernel_stamps: $stamps},
	  runs: .}' "$out"/raw/*.json >"$out/bench.json"
"$TOP/scripts/bench-report.sh" "$out"
note "done in $(( (end - start) / 60 )) min ($(( (built - start) / 60 )) min building, $(( (end - built) / 60 )) min in guests): $out/table.md"

#!/bin/bash
# bench.sh - the benchmarks: 'make bench' (suite alloc), 'make bench-latency' (suite latency).
#
# Usage: bench/bench.sh alloc [--quick] [OPTIONS]
#        bench/bench.sh latency [--secs S] [--fio-secs S] [OPTIONS]
#
# Options of both suites:
#   --reps N       repetitions (default 3, at least 3)
#   --kernels K    the kernels, in the order of a repetition (alloc: default
#                  "base pinned series"; latency: "base series")
#   --out DIR      results directory (default results/DATE-HOSTNAME)
#   --resume       go on with a run that stopped: keep its kernels (no
#                  rebuild) and the guests that finished, with their JSON
#   --build-only   make the trees and kernels, run no guest
# alloc only:
#   --quick        512 MiB guests, 5 s fio phases (default 1 GiB, 20 s)
#   --scenarios S  the scenarios to run (default "hi-25 hi-50 cma cost
#                  release"), e.g. "release" alone
# latency only:
#   --secs S       loaded phase per compressor, traced (default 30, >= 10)
#   --fio-secs S   fio-only throughput phase per compressor (default 15, >= 5)
#
# Kernels, made by bench/kernel.sh (a tree re-made only when its patches
# change, built incrementally with ccache), the same config for all the
# kernels of a suite:
#   base     Debian's 6.12 as unpacked (the commit named in BASE)
#   pinned   base + bench/pinned.patch (zsmalloc pages unmovable, pre-2016)
#   series   base + the patches named in patches/series
# alloc: flavour perf, trees in build/bench-src/NAME/; latency: flavour
# lat (perf + the preemptoff tracer), trees in build/lat-src/NAME/.
#
# Suite alloc: each repetition boots every kernel, in --kernels order, for
# each scenario of bench/guest/ (2 vCPUs, the same memory for all):
#   hi-25, hi-50  highalloc.sh: 2 MiB huge pages with swap on zram holding
#                 25 % / 50 % of memory, memory fragmented first
#   cma           cma.sh: a cma= area allocated with zram full
#   cost          migcost.sh: compact_memory time per page migrated,
#                 zsmalloc vs anonymous pages; then fio.sh: 4 KiB randrw
#                 on zram (lz4, zstd), idle and under a compact_memory loop
#   release       base and series only: teardown.sh, the time N processes
#                 (N = 1, 2, 2 x vCPUs) with their memory in zram take to
#                 exit, idle and under a compact_memory loop; then
#                 swapin.sh, swap-in fault latency alone and while one
#                 writer per vCPU compresses into the same device (zstd)
# Writes DIR/raw/*.json (each guest's), DIR/bench.json, then with
# bench/report.py DIR/table.md and DIR/{highalloc,cma,migcost,fio,
# teardown,swapin}.png.
#
# Suite latency: each repetition boots every kernel (the order alternating
# between repetitions; 2 vCPUs, 2 GiB), running bench/guest/latency.sh for
# lz4 and zstd: under zram swap and block load, the preempt-off sections
# (preemptoff tracer, preemptirq events), cyclictest, fio; then fio alone.
# Writes DIR/latency.json, then with bench/report.py DIR/latency.md and
# DIR/latency.png.
#
# Failure policy, the same for both suites: a guest that fails (non-zero
# status: data verification, fio error, ...), hangs (killed at its
# timeout), dies (panic, reset), leaves a kernel report in its log
# (lockdep, KASAN, BUG, WARN, ...: check/splat-check.sh) or writes no JSON
# or bad JSON stops the run at once with exit status 1, naming its serial
# log; impossible figures (bench/report.py) stop it too. Then no table is
# written, and the tables and plots of an earlier run in DIR are gone.
# --resume goes on from the guests that finished. Guest logs stay in
# build/bench/run/ (alloc) or build/bench-latency/run/ (latency).
#
# Environment, for the self-test (check/selftest.sh): HARNESS_VM (a
# stand-in for vm/vm.sh), HARNESS_KERNEL (a kernel image for every kernel:
# no install, tree or kernel build, no guest tools built).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

case ${1:-} in
-h|--help) usage; exit 0 ;;
alloc|latency) suite=$1; shift ;;
'') die "no suite given: alloc or latency (see --help)" ;;
*) die "unknown suite '$1': alloc or latency (see --help)" ;;
esac

reps=3 kernels= have_kernels=0 out= resume=0 build_only=0 quick=0 secs=30 fio_secs=15
scenarios="hi-25 hi-50 cma cost release"
# suite_only SUITE OPTION: die unless the option is one of SUITE's.
suite_only() {
	[ "$suite" = "$1" ] || die "$2 is an option of the $1 suite (see --help)"
}
while [ $# -gt 0 ]; do
	case $1 in
	--reps) need_arg "$@"; reps=$2; shift 2 ;;
	--kernels) need_arg "$@"; kernels=$2; have_kernels=1; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	--resume) resume=1; shift ;;
	--build-only) build_only=1; shift ;;
	--quick) suite_only alloc "$1"; quick=1; shift ;;
	--scenarios) suite_only alloc "$1"; need_arg "$@"; scenarios=$2; shift 2 ;;
	--secs) suite_only latency "$1"; need_arg "$@"; secs=$2; shift 2 ;;
	--fio-secs) suite_only latency "$1"; need_arg "$@"; fio_secs=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $reps =~ ^[0-9]+$ ]] && [ "$reps" -ge 3 ] || die "--reps must be a number, at least 3"
[ -n "${scenarios// /}" ] || die "--scenarios names no scenario"
for sc in $scenarios; do
	case $sc in hi-25|hi-50|cma|cost|release) ;; *) die "unknown scenario '$sc' (hi-25 hi-50 cma cost release)" ;; esac
done
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge 10 ] || die "--secs must be a number, at least 10"
[[ $fio_secs =~ ^[0-9]+$ ]] && [ "$fio_secs" -ge 5 ] || die "--fio-secs must be a number, at least 5"

case $suite in
alloc)
	allowed="base pinned series" flavour=perf root=$BUILD/bench-src work=$BUILD/bench
	report=table.md
	if [ $quick -eq 1 ]; then
		mem=512M fio_secs=5 mode=quick
	else
		mem=1G fio_secs=20 mode=full
	fi ;;
latency)
	allowed="base series" flavour=lat root=$BUILD/lat-src work=$BUILD/bench-latency
	report=latency.md mem=2G ;;
esac
[ $have_kernels -eq 1 ] || kernels=$allowed
[ -n "${kernels// /}" ] || die "--kernels names no kernel"
for k in $kernels; do
	[[ " $allowed " == *" $k "* ]] || die "unknown kernel '$k' for the $suite suite ($allowed)"
done
out=${out:-$TOP/results/$(date +%F)-$(hostname -s)}
runs=$work/run
tools=$work/tools
start=$(date +%s)

# The kernels and the guests' tools.
declare -A image
if [ -n "${HARNESS_KERNEL:-}" ]; then
	for k in $kernels; do image[$k]=$HARNESS_KERNEL; done
	need_cmd jq
	mkdir -p "$tools"
else
	"$TOP/lib/deps.sh" >&2
	need_cmd git gcc jq python3
	read -r _ base_commit <"$TOP/BASE"
	git -C "$TREE" cat-file -e "$base_commit^{commit}" 2>/dev/null || "$TOP/lib/tree.sh" >&2
	for k in $kernels; do
		image[$k]=$root/$k/obj/arch/x86/boot/bzImage
		if [ $resume -eq 1 ] && [ -f "${image[$k]}" ]; then
			note "resuming: $k is the kernel already built (stamp $(cat "$root/$k/stamp" 2>/dev/null))"
		else
			image[$k]=$("$TOP/bench/kernel.sh" --flavour "$flavour" --root "$root" "$k")
		fi
	done
	# zram_mem and zram_migrate_lib.sh come from the series' selftests
	# (any kernel runs them); frag from bench/.
	sel=$root/series/src/tools/testing/selftests/zram
	[ -f "$sel/zram_mem.c" ] || "$TOP/bench/kernel.sh" --flavour "$flavour" --root "$root" series >/dev/null
	mkdir -p "$tools"
	gcc -O2 -Wall -o "$tools/zram_mem" "$sel/zram_mem.c" || die "cannot build zram_mem"
	gcc -O2 -Wall -o "$tools/frag" "$TOP/bench/frag.c" || die "cannot build bench/frag.c"
	gcc -O2 -Wall -o "$tools/swapin" "$TOP/bench/swapin.c" || die "cannot build bench/swapin.c"
	cp "$sel/zram_migrate_lib.sh" "$tools/"
fi
built=$(date +%s)
[ $build_only -eq 0 ] || { note "built in $(( (built - start) / 60 )) min"; exit 0; }

[ $resume -eq 1 ] || rm -rf "$runs"
mkdir -p "$runs/raw" "$out"
# No table or plot of an earlier run may outlive a failed one.
rm -f "$out/$report"
if [ "$suite" = alloc ]; then
	rm -f "$out"/{highalloc,cma,migcost,fio,teardown,swapin}.png "$out/bench.json"
else
	rm -f "$out/latency.png" "$out/latency.json"
fi

# boot REP KERNEL NAME TIMEOUT VM_OPTION... -- COMMAND...: one guest, in
# $runs/REP-KERNEL[-NAME], checked by the failure policy above; its JSON
# is then kept in $runs/raw by collect. Skipped when it finished before
# (--resume).
boot() {
	local rep=$1 k=$2 name=$3 timeout=$4 id dir rc=0 t0 f why
	shift 4
	id=$rep-$k${name:+-$name}
	dir=$runs/$id
	[ ! -e "$dir.done" ] || return 0
	rm -rf "$dir"
	note "$suite: rep $rep/$reps, $k${name:+: $name}"
	t0=$(date +%s)
	"$HARNESS_VM" --kernel "${image[$k]}" --cpus 2 --mem "$mem" --timeout "$timeout" \
		--out "$dir" --quiet --env BENCH_TOOLS="$tools" "$@" >"$dir.log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		case $rc in
		124) why="hung and was killed after $timeout s" ;;
		125) why="died (panic or reset) before its command finished" ;;
		*) why="failed with status $rc" ;;
		esac
		# What the scenario said last, and what vm.sh said (a panic's line).
		grep -h -E 'bench(-latency)?:' "$dir/serial.log" 2>/dev/null | tail -n 5 >&2 || true
		tail -n 3 "$dir.log" >&2 || true
		die "$suite, $id: the guest $why (serial log: $dir/serial.log)"
	fi
	for f in serial.log dmesg.log; do
		[ -f "$dir/$f" ] || die "$suite, $id: the guest left no $f (serial log: $dir/serial.log)"
	done
	"$TOP/check/splat-check.sh" "$dir/serial.log" "$dir/dmesg.log" >&2 ||
		die "$suite, $id: kernel report in the guest log (serial log: $dir/serial.log)"
	compgen -G "$dir/*.json" >/dev/null ||
		die "$suite, $id: the guest wrote no JSON (serial log: $dir/serial.log)"
	for f in "$dir"/*.json; do
		jq -e 'type == "object"' "$f" >/dev/null 2>&1 ||
			die "$suite, $id: bad JSON in $f (serial log: $dir/serial.log)"
	done
	collect "$rep" "$k" "$dir" $(( $(date +%s) - t0 ))
	touch "$dir.done"
}

if [ "$suite" = alloc ]; then
	# collect REP KERNEL DIR SECS: every JSON of the guest, named and numbered.
	collect() {
		local f
		for f in "$3"/*.json; do
			jq --arg k "$2" --argjson rep "$1" '. + {name: $k, rep: $rep}' "$f" \
				>"$runs/raw/$2-$1-$(basename "$f")"
		done
	}
	lo=25 hi=50 cma_pct=150 cost_pct=25
	case $mem in *G) mem_mb=$(( ${mem%G} * 1024 )) ;; *M) mem_mb=${mem%M} ;; esac
	cma_mb=$((mem_mb / 8))
	# release: MiB per exiting process (128 in 1 GiB guests), the
	# swap-in reader's and each writer's MiB, writers' zstd level
	td_mb=$((mem_mb / 8)) si_mb=$((mem_mb / 16)) si_wmb=$((mem_mb / 32)) si_level=19
	g=bench/guest
	# want SCENARIO: whether --scenarios names it
	want() { [[ " $scenarios " == *" $1 "* ]]; }
	for ((rep = 1; rep <= reps; rep++)); do
		for k in $kernels; do
			! want "hi-$lo" || boot "$rep" "$k" "hi-$lo" 2400 -- bash -ec "$g/highalloc.sh $lo"
			! want "hi-$hi" || boot "$rep" "$k" "hi-$hi" 2400 -- bash -ec "$g/highalloc.sh $hi"
			! want cma || boot "$rep" "$k" cma 2400 --append "cma=${cma_mb}M" -- bash -ec "$g/cma.sh $cma_pct 512"
			! want cost || boot "$rep" "$k" cost 2400 -- bash -ec "$g/migcost.sh $cost_pct; $g/fio.sh $fio_secs lz4 zstd"
			if want release && [ "$k" != pinned ]; then
				boot "$rep" "$k" release 2400 -- bash -ec \
					"$g/teardown.sh $td_mb 1 2 4; $g/swapin.sh $si_mb $si_wmb 600 $si_level"
			fi
		done
	done
	end=$(date +%s)
	stamps=$(for k in $kernels; do
		jq -n --arg k "$k" --arg s "$(cat "$root/$k/stamp" 2>/dev/null || echo unknown)" '{($k): $s}'
	done | jq -s add)
	rm -rf "$out/raw"
	cp -r "$runs/raw" "$out/raw"
	jq -s --arg mode "$mode" --arg mem "$mem" --argjson reps "$reps" --arg scenarios "$scenarios" \
		--arg host "$(hostname -s)" --arg date "$(date -u +%FT%TZ)" \
		--arg accel "$(cat "$BUILD/accel" 2>/dev/null || echo unknown)" \
		--arg kernels "$kernels" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
		--argjson host_cpus "$(nproc)" --argjson build_secs $((built - start)) \
		--argjson guest_secs $((end - built)) --argjson resumed "$resume" \
		--argjson stamps "$stamps" \
		'{meta: {mode: $mode, guest_mem: $mem, guest_cpus: 2, reps: $reps,
		   scenarios: ($scenarios | split(" ") | map(select(. != ""))),
		   kernels: ($kernels | split(" ") | map(select(. != ""))), host: $host,
		   host_cpu: $cpu, host_cpus: $host_cpus, accel: $accel, date: $date,
		   build_secs: $build_secs, guest_secs: $guest_secs,
		   resumed: ($resumed == 1), kernel_stamps: $stamps},
		  runs: .}' "$runs"/raw/*.json >"$out/bench.json"
else
	# collect REP KERNEL DIR SECS: the guest's latency.json, with its run.
	collect() {
		[ -s "$3/latency.json" ] ||
			die "$suite, $1-$2: the guest wrote no latency.json (serial log: $3/serial.log)"
		jq --arg k "$2" --argjson rep "$1" --argjson secs "$4" --arg log "$3/serial.log" \
			'. + {kernel: $k, rep: $rep, failed: false, boot_secs: $secs, serial_log: $log}' \
			"$3/latency.json" >"$runs/raw/$1-$2.json"
	}
	for ((rep = 1; rep <= reps; rep++)); do
		order=$kernels
		# alternate the order, so that drift on the host hits both alike
		[ $((rep % 2)) -eq 1 ] || order=$(tr ' ' '\n' <<<"$kernels" | tac | paste -sd' ')
		for k in $order; do
			boot "$rep" "$k" "" $(( 2 * (secs + fio_secs + 400) + 300 )) -- \
				bench/guest/latency.sh "$secs" "$fio_secs" lz4 zstd
		done
	done
	end=$(date +%s)
	declare -A commit
	for k in $kernels; do
		commit[$k]=$(git -C "$root/$k/src" rev-parse --short HEAD 2>/dev/null || true)
	done
	jq -s --argjson reps "$reps" --argjson secs "$secs" --argjson fio_secs "$fio_secs" \
		--arg host "$(hostname -s)" --arg date "$(date -u +%FT%TZ)" \
		--arg accel "$(cat "$BUILD/accel" 2>/dev/null || echo unknown)" \
		--arg kernels "$kernels" \
		--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
		--argjson host_cpus "$(nproc)" --argjson build_secs $((built - start)) \
		--argjson guest_secs $((end - built)) \
		--arg base_commit "${commit[base]:-}" --arg series_commit "${commit[series]:-}" \
		--arg series_stamp "$(cat "$root/series/stamp" 2>/dev/null || true)" \
		'{meta: {reps: $reps, loaded_secs: $secs, fio_secs: $fio_secs,
		   kernels: ($kernels | split(" ") | map(select(. != ""))), guest_cpus: 2,
		   guest_mem: "2G", flavour: "lat (qemu + feature + lat)", accel: $accel,
		   host: $host, host_cpu: $cpu, host_cpus: $host_cpus, date: $date,
		   build_secs: $build_secs, guest_secs: $guest_secs,
		   commits: {base: $base_commit, series: $series_commit},
		   series_patch_set: $series_stamp},
		  runs: (sort_by(.rep, .kernel))}' "$runs"/raw/*.json >"$out/latency.json"
fi
"$TOP/bench/report.py" --suite "$suite" "$out"
note "done in $(( (end - start) / 60 )) min ($(( (built - start) / 60 )) min building, $(( (end - built) / 60 )) min in guests): $out/$report"

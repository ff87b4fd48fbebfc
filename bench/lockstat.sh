#!/bin/bash
# lockstat.sh - lock contention of zram reads, base against the series.
#
# Usage: bench/lockstat.sh [--boots N] [--reps N] [--secs S] [--root DIR]
#                          [--out DIR]
#
# Emulated time cannot resolve small differences in lock cost; lockstat's
# counts can. Boots the 'lockstat' flavour (perf + CONFIG_LOCK_STAT) of
# base and series, alternating their order, N times each (default 2),
# 4 vCPUs and 2 GiB, running bench/guest/lockstat.sh S R: a zram device
# full of incompressible data (all of it in zsmalloc's huge class) read at
# random by 1 fio job and by 4 (one per vCPU), R times each (default 3),
# S seconds a phase (default 20), /proc/lock_stat cleared before each.
# Writes DIR/raw/BOOT-KERNEL.json, DIR/summary.json and DIR/table.md:
# per kernel and job count, the medians and ranges over all phases of
# reads/s, p50 latency, and per read-path lock the contentions per 1000
# reads and the wait per 1000 reads (us). DIR defaults to
# build/results/DATE-lockstat-SHORTSHA (this repository's commit).
# Kernels: bench/kernel.sh --flavour lockstat, trees in DIR/NAME
# (--root, default build/lockstat-src).
#
# Exit status 1 when a guest fails, hangs, dies or leaves a kernel report
# in its log (check/splat-check.sh); its serial log is named.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

boots=2 reps=3 secs=20 root=$BUILD/lockstat-src out=
while [ $# -gt 0 ]; do
	case $1 in
	--boots) need_arg "$@"; boots=$2; shift 2 ;;
	--reps) need_arg "$@"; reps=$2; shift 2 ;;
	--secs) need_arg "$@"; secs=$2; shift 2 ;;
	--root) need_arg "$@"; root=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
for v in boots reps secs; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--$v must be a positive number"
done
"$TOP/lib/deps.sh" >&2
need_cmd git gcc jq
commit=$(git -C "$TOP" rev-parse --short HEAD)
out=${out:-$BUILD/results/$(date +%F)-lockstat-$commit}
runs=$out/run
tools=$out/tools
mkdir -p "$runs" "$out/raw" "$tools"
rm -f "$out/table.md" "$out/summary.json"

declare -A image
for k in base series; do
	image[$k]=$("$TOP/bench/kernel.sh" --flavour lockstat --root "$root" "$k")
done
cp "$root/series/src/tools/testing/selftests/zram/zram_migrate_lib.sh" "$tools/"

start=$(date +%s)
for ((b = 1; b <= boots; b++)); do
	order="base series"
	[ $((b % 2)) -eq 1 ] || order="series base"
	for k in $order; do
		dir=$runs/$b-$k rc=0
		rm -rf "$dir"
		note "lockstat: boot $b/$boots, $k"
		"$HARNESS_VM" --kernel "${image[$k]}" --cpus 4 --mem 2G \
			--timeout $(( 2 * reps * secs * 2 + 600 )) --out "$dir" --quiet \
			--env BENCH_TOOLS="$tools" -- bench/guest/lockstat.sh "$secs" "$reps" \
			>"$dir.log" 2>&1 || rc=$?
		if [ $rc -ne 0 ]; then
			grep -h 'bench:' "$dir/serial.log" 2>/dev/null | tail -n 5 >&2 || true
			die "lockstat, $b-$k: the guest exited with status $rc (serial log: $dir/serial.log)"
		fi
		"$TOP/check/splat-check.sh" "$dir/serial.log" "$dir/dmesg.log" >&2 ||
			die "lockstat, $b-$k: kernel report in the guest log (serial log: $dir/serial.log)"
		jq -e '.phases | length > 0' "$dir/lockstat.json" >/dev/null 2>&1 ||
			die "lockstat, $b-$k: no figures in $dir/lockstat.json (serial log: $dir/serial.log)"
		jq --arg k "$k" --argjson boot "$b" '. + {name: $k, boot: $boot}' \
			"$dir/lockstat.json" >"$out/raw/$b-$k.json"
	done
done
end=$(date +%s)

# Per kernel and job count: medians and ranges over every phase of every
# boot. Locks: the read path's, summed over their -R/-W rows.
jq -s --arg date "$(date -u +%FT%TZ)" --arg commit "$commit" \
	--arg accel "$(cat "$BUILD/accel" 2>/dev/null || echo unknown)" \
	--arg base_stamp "$(cat "$root/base/stamp" 2>/dev/null || true)" \
	--arg series_stamp "$(cat "$root/series/stamp" 2>/dev/null || true)" \
	--arg series_tree "$(git -C "$root/series/src" rev-parse 'HEAD^{tree}' 2>/dev/null || true)" \
	--argjson secs "$secs" --argjson reps "$reps" --argjson boots "$boots" \
	--argjson seconds $((end - start)) '
	def med: sort | if length == 0 then null
		elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def st: {median: med, lo: min, hi: max};
	def lockname: sub("-[RW]$"; "");
	def readpath: test("class->lock|migrate_lock|zspage->lock|zstrm->lock");
	[.[] as $run | $run.phases[] | . + {kernel: $run.name, boot: $run.boot}] as $ph |
	{job: "lockstat", date: $date, commit: $commit, accel: $accel, seconds: $seconds,
	 guest: {cpus: 4, mem: "2G", flavour: "lockstat (qemu + feature + lockstat)"},
	 boots: $boots, reps: $reps, phase_secs: $secs,
	 kernels: {base: $base_stamp, series: $series_stamp}, series_kernel_tree: $series_tree,
	 figures: [$ph | group_by(.kernel, .jobs)[] | {kernel: .[0].kernel, jobs: .[0].jobs,
		phases: length,
		iops: (map(.iops) | st), clat_p50_us: (map(.clat_p50_us) | st),
		locks: ([.[] | .reads as $n | .locks | to_entries[] |
			select(.key | readpath) |
			{name: (.key | lockname), reads: $n, con: .value.contentions, wait: .value.wait_us,
			 acq: .value.acquisitions}] |
			group_by(.name) | map({name: .[0].name,
				contentions_per_1k_reads: (map(.con * 1000 / .reads) | st),
				wait_us_per_1k_reads: (map(.wait * 1000 / .reads) | st),
				acquisitions_per_read: (map(.acq / .reads) | st)}))}]}' \
	"$out"/raw/*.json >"$out/summary.json"

{
	echo "# Lock contention of zram reads: base against the series"
	echo
	jq -r '"Commit \(.commit), \(.date), \(.accel); \(.boots) boots per kernel, \(.reps) phases of \(.phase_secs) s per job count and boot; guests of \(.guest.cpus) vCPUs, \(.guest.mem), flavour \(.guest.flavour). Incompressible data: every read is of the huge size class. Medians over all phases, range in brackets."' "$out/summary.json"
	echo
	echo "| kernel | jobs | reads/s | p50 us | lock | contentions / 1k reads | wait us / 1k reads | acquisitions / read |"
	echo "|---|---|---|---|---|---|---|---|"
	jq -r 'def r: "\(.median | . * 100 | round / 100) [\(.lo | . * 100 | round / 100)-\(.hi | . * 100 | round / 100)]";
		.figures | sort_by(.jobs, .kernel)[] | . as $f | .locks[] |
		"| \($f.kernel) | \($f.jobs) | \($f.iops | r) | \($f.clat_p50_us | r) | \(.name) | \(.contentions_per_1k_reads | r) | \(.wait_us_per_1k_reads | r) | \(.acquisitions_per_read | r) |"' \
		"$out/summary.json"
} >"$out/table.md"
cat "$out/table.md"
note "done in $(( (end - start) / 60 )) min: $out/table.md"

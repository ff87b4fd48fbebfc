#!/bin/bash
# bench-report.sh - Markdown table and PNG plots from a 'make bench' run.
#
# Usage: scripts/bench-report.sh DIR
#
# Reads DIR/bench.json (written by scripts/bench.sh: run metadata and one
# record per scenario, kernel and repetition) and writes DIR/table.md and
# DIR/highalloc.png, cma.png, migcost.png, fio.png (gnuplot). Every figure
# is the median over the repetitions with the range (min-max); a figure is
# in bold when its range and base's do not overlap, that is when it differs
# from base by more than the run-to-run spread. Times come from TCG guests
# (emulated): they are compared as ratios within the run.
#
# Stops with an error, writing nothing, when the data is impossible: fewer
# than 3 repetitions of a scenario, a failed data verification, no huge
# page on any kernel, no CMA page, no page migrated by compaction on a
# kernel whose zsmalloc pages are movable, no fio I/O.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help) usage; exit 0 ;;
'') die "no results directory given (see --help)" ;;
esac
dir=$1
json=$dir/bench.json
[ -f "$json" ] || die "$json not found: run scripts/bench.sh"
need_cmd jq gnuplot
jq -e '.meta and (.runs | length > 0)' "$json" >/dev/null || die "$json has no runs"

# Shared jq definitions: the runs, statistics, cells.
defs='
def med: sort | if length % 2 == 1 then .[(length - 1) / 2]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def stats: map(select(. != null)) | sort
	| if length == 0 then null
	  else {n: length, min: .[0], med: med, max: .[-1]} end;
def rnd(d): (. * pow(10; d) | round) / pow(10; d);
def num(d): if . == null then "n/a" else rnd(d) | tostring end;
def kernels: .meta.kernels;
# vals(SEL; F; K): F of every run of kernel K that SEL selects.
def vals(sel; f; k): [.runs[] | select(.name == k) | select(sel) | f];
# ratio(SEL; F; K): F of K over F of base in the same repetition.
def ratio(sel; f; k): . as $all | [.runs[] | select(.name == k) | select(sel)
	| . as $x | ($all.runs[] | select(.name == "base" and .rep == $x.rep) | select(sel)) as $b
	| ($x | f) as $v | ($b | f) as $w
	| if $v == null or $w == null or $w == 0 then null else $v / $w end];
def apart($s; $b): $s != null and $b != null and ($s.min > $b.max or $s.max < $b.min);
# cell(SEL; F; K; D): "median (min-max)", bold when apart from base.
def cell(sel; f; k; d): (vals(sel; f; k) | stats) as $s
	| (vals(sel; f; "base") | stats) as $b
	| if $s == null then "n/a"
	  else (if k != "base" and apart($s; $b) then "**\($s.med | num(d))**"
		else ($s.med | num(d)) end)
		+ (if $s.n > 1 then " (\($s.min | num(d))–\($s.max | num(d)))" else "" end)
	  end;
def rcell(sel; f; k; d): if k == "base" then "1"
	else (ratio(sel; f; k) | stats) as $s
	| if $s == null then "n/a"
	  else (if $s.min > 1 or $s.max < 1 then "**\($s.med | num(d))**"
		else ($s.med | num(d)) end) + " (\($s.min | num(d))–\($s.max | num(d)))"
	  end end;
def row(cells): "| " + (cells | join(" | ")) + " |";
def pcts: [.runs[] | select(.scenario == "highalloc") | .pct] | unique;
def algos: [.runs[] | select(.scenario == "fio") | .algo] | unique;
'

# Sanity: impossible figures stop the run before any table is written.
problems=$(jq -r "$defs"'
	. as $all |
	(kernels[] as $k | ["highalloc", "cma", "migcost", "fio"][] as $sc
	 | [$all.runs[] | select(.name == $k and .scenario == $sc)] as $r
	 | ($r | map(.rep) | unique | length) as $n
	 | select($n < 3) | "\($k): \($sc) has \($n) repetitions, fewer than 3"),
	(.runs[] | select(.verified == false)
	 | "\(.name) rep \(.rep): \(.scenario) data verification failed"),
	(pcts[] as $p | [$all.runs[] | select(.scenario == "highalloc" and .pct == $p) | .hugepages_compacted]
	 | select(max == 0) | "highalloc \($p)%: no huge page on any kernel"),
	([.runs[] | select(.scenario == "cma") | .got_pages] | select(length > 0 and max == 0)
	 | "cma: no page of the area obtained on any kernel"),
	(.runs[] | select(.scenario == "migcost" and .name != "pinned" and .zram.vm.pgmigrate_success == 0)
	 | "\(.name) rep \(.rep): compaction migrated no page with zram data"),
	(.runs[] | select(.scenario == "migcost" and .name == "series" and (.zram.vm.zs_migrated // 0) == 0)
	 | "series rep \(.rep): compaction migrated no zsmalloc page"),
	(.runs[] | select(.scenario == "fio") | select(.idle.ios == 0 or .busy.ios == 0)
	 | "\(.name) rep \(.rep): fio \(.algo) did no I/O")
' "$json")
[ -z "$problems" ] || { echo "$problems" >&2; die "impossible results in $json: no table written"; }

# The table.
jq -r "$defs"'
. as $all | .meta as $m |
"# zram benchmarks: pinned, base and series",
"",
"Run \($m.date) on `\($m.host)` (\($m.host_cpu), \($m.host_cpus) cores), mode `\($m.mode)`: \($m.reps) repetitions, kernels interleaved within each; guests \($m.guest_mem), \($m.guest_cpus) vCPUs, accelerator `\($m.accel)`. Building took \($m.build_secs / 60 | num(1)) min, the guests \($m.guest_secs / 60 | num(1)) min" + (if $m.resumed then " (after a resume: the part run since then; same kernels)" else "" end) + ".",
"",
"Kernels (same `perf` config, no debug options): **pinned** = Debian 6.12 + `bench/pinned.patch` (zsmalloc pages unmovable, as before 2016); **base** = Debian 6.12 unpatched; **series** = base + `patches/`.",
"",
(if $m.accel == "tcg" then "**Times are emulated (QEMU TCG)**: compare them only as ratios within this run. " else "" end)
+ "Each cell is the median over the repetitions, then (min–max). **Bold**: the range does not overlap base'"'"'s (for ratios to base: does not include 1), i.e. the difference is larger than the run-to-run spread.",
"",
"## 1. High-order allocation with swap on zram",
"",
"Swap on zram (lz4) holding the given share of guest memory (uncompressed). A fragmenter (`bench/frag.c`) first locks all available memory but one page in two, so that zram gets its pages from the gaps, all over memory, while reclaim pushes the data out; then it exits. Then `nr_hugepages` asks for every 2 MiB page (direct compaction only), and once more after `compact_memory`. Success = huge pages obtained / (MemAvailable / 2 MiB before the first request). Counters are deltas over each step (first request; compact_memory and the second request).",
"",
row(["data in zram", "kernel", "success %", "success % after compact_memory", "huge pages", "after compact_memory", "limit", "free order≥9 blocks before", "compact_stall", "compact_success", "compact_fail", "pgmigrate_success", "zsmalloc pages migrated", "pgmigrate_success, compact_memory", "zsmalloc pages migrated, compact_memory"]),
row([range(15) | "---"]),
(pcts[] as $p | kernels[] as $k | (.scenario == "highalloc" and .pct == $p) as $sel |
	row(["\($p) %", $k,
	cell(.scenario == "highalloc" and .pct == $p; .success * 100; $k; 1),
	cell(.scenario == "highalloc" and .pct == $p; .success_compacted * 100; $k; 1),
	cell(.scenario == "highalloc" and .pct == $p; .hugepages; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .hugepages_compacted; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .limit; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .free_order9; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm.compact_stall; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm.compact_success; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm.compact_fail; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm.pgmigrate_success; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm.zs_migrated; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm_compacted.pgmigrate_success; $k; 0),
	cell(.scenario == "highalloc" and .pct == $p; .vm_compacted.zs_migrated; $k; 0)])),
"",
"## 2. CMA allocation with zram full",
"",
([.runs[] | select(.scenario == "cma")][0] as $c |
"A `cma=` area of \($c.area_pages * 4 / 1024) MiB; while a process holds all memory but the area and 32 MiB (so that movable allocations take CMA pageblocks), \($c.hold_mb) MiB of data are swapped out to zram; that process exits. The area is then allocated through debugfs `cma/*/alloc` in chunks of \($c.chunk_pages) pages until it is exhausted or a chunk fails. In use before = CmaTotal − CmaFree (movable pages the kernel put in the area)."),
"",
row(["kernel", "share obtained %", "time (s, emulated)", "time / base", "area in use before (MiB)", "pgmigrate_success", "zsmalloc pages migrated"]),
row([range(7) | "---"]),
(kernels[] as $k | row([$k,
	cell(.scenario == "cma"; .share * 100; $k; 1),
	cell(.scenario == "cma"; .secs; $k; 2),
	rcell(.scenario == "cma"; .secs; $k; 2),
	cell(.scenario == "cma"; .cma_used_mb; $k; 0),
	cell(.scenario == "cma"; .vm.pgmigrate_success; $k; 0),
	cell(.scenario == "cma"; .vm.zs_migrated; $k; 0)])),
"",
"## 3. Migration cost per page",
"",
([.runs[] | select(.scenario == "migcost")][0] as $c |
"In one guest: \($c.data_mb) MiB written to each of two zram block devices at once, the second then discarded; after a reset, two processes fault in as much anonymous memory as one device'"'"'s zsmalloc pages at once, the second then exits; each time one `compact_memory` follows. Cost = its wall time / pages migrated (`pgmigrate_success`). On pinned the zram case moves no zsmalloc page: its figure is the cost of scanning past them."),
"",
row(["kernel", "zram: µs/page", "zram: pages migrated", "zsmalloc pages migrated", "anon: µs/page", "anon: pages migrated", "zram / anon"]),
row([range(7) | "---"]),
(kernels[] as $k | row([$k,
	cell(.scenario == "migcost"; .zram.us_per_page; $k; 1),
	cell(.scenario == "migcost"; .zram.vm.pgmigrate_success; $k; 0),
	cell(.scenario == "migcost"; .zram.vm.zs_migrated; $k; 0),
	cell(.scenario == "migcost"; .anon.us_per_page; $k; 1),
	cell(.scenario == "migcost"; .anon.vm.pgmigrate_success; $k; 0),
	cell(.scenario == "migcost"; if .zram.us_per_page == null or .anon.us_per_page == null then null
		else .zram.us_per_page / .anon.us_per_page end; $k; 2)])),
"",
"## 4. zram I/O under compaction (fio)",
"",
([.runs[] | select(.scenario == "fio")][0] as $c |
"fio on a \($c.dev_mb) MiB zram block device, filled first: \($c.bs) \($c.rw) (50 % reads), O_DIRECT psync, numjobs = \($c.numjobs) (= vCPUs), `buffer_compress_percentage=\($c.buffer_compress_percentage)` with refilled buffers, \($c.runtime) s per phase; reads and writes reported together. Idle, then with a loop writing `compact_memory`. Drop = 1 − busy MB/s / idle MB/s; latencies in µs (emulated)."),
"",
row(["algo", "kernel", "MB/s idle", "MB/s busy", "drop %", "idle MB/s / base", "busy MB/s / base", "compactions", "pgmigrate_success", "zsmalloc pages migrated"]),
row([range(10) | "---"]),
(algos[] as $a | kernels[] as $k | row([$a, $k,
	cell(.scenario == "fio" and .algo == $a; .idle.mbps; $k; 2),
	cell(.scenario == "fio" and .algo == $a; .busy.mbps; $k; 2),
	cell(.scenario == "fio" and .algo == $a; .mbps_drop * 100; $k; 1),
	rcell(.scenario == "fio" and .algo == $a; .idle.mbps; $k; 2),
	rcell(.scenario == "fio" and .algo == $a; .busy.mbps; $k; 2),
	cell(.scenario == "fio" and .algo == $a; .compactions; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .vm.pgmigrate_success; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .vm.zs_migrated; $k; 0)])),
"",
row(["algo", "kernel", "p50 idle", "p50 busy", "p99 idle", "p99 busy", "p99 busy / idle", "max idle", "max busy"]),
row([range(9) | "---"]),
(algos[] as $a | kernels[] as $k | row([$a, $k,
	cell(.scenario == "fio" and .algo == $a; .idle.p50_us; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .busy.p50_us; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .idle.p99_us; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .busy.p99_us; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .p99_ratio; $k; 2),
	cell(.scenario == "fio" and .algo == $a; .idle.max_us; $k; 0),
	cell(.scenario == "fio" and .algo == $a; .busy.max_us; $k; 0)])),
"",
"zsmalloc pages migrated: `n/a` on kernels without the series'"'"' counters (mm_stat columns 10-13).",
"",
"## Differences larger than the run-to-run spread",
"",
"Pairs of kernels whose ranges (min–max over the repetitions) do not overlap, for the main figures:",
"",
([
	(pcts[] as $p | {t: "highalloc \($p) %: success %", s: {sc: "highalloc", k: "pct", v: $p}, f: ["success"], m: 100, d: 1},
		{t: "highalloc \($p) %: success % after compact_memory", s: {sc: "highalloc", k: "pct", v: $p}, f: ["success_compacted"], m: 100, d: 1},
		{t: "highalloc \($p) %: free order≥9 blocks", s: {sc: "highalloc", k: "pct", v: $p}, f: ["free_order9"], m: 1, d: 0}),
	{t: "cma: share obtained %", s: {sc: "cma"}, f: ["share"], m: 100, d: 1},
	{t: "cma: time (s)", s: {sc: "cma"}, f: ["secs"], m: 1, d: 2},
	{t: "cma: area in use before (MiB)", s: {sc: "cma"}, f: ["cma_used_mb"], m: 1, d: 0},
	{t: "migcost: zram µs/page", s: {sc: "migcost"}, f: ["zram", "us_per_page"], m: 1, d: 1},
	{t: "migcost: anon µs/page", s: {sc: "migcost"}, f: ["anon", "us_per_page"], m: 1, d: 1},
	(algos[] as $a | {t: "fio \($a): MB/s idle", s: {sc: "fio", k: "algo", v: $a}, f: ["idle", "mbps"], m: 1, d: 2},
		{t: "fio \($a): MB/s drop %", s: {sc: "fio", k: "algo", v: $a}, f: ["mbps_drop"], m: 100, d: 1},
		{t: "fio \($a): p99 busy/idle", s: {sc: "fio", k: "algo", v: $a}, f: ["p99_ratio"], m: 1, d: 2})
] as $specs | kernels as $ks
| [$specs[] as $x
	| [range($ks | length) as $i | range($i + 1; $ks | length) as $j | [$ks[$i], $ks[$j]]][] as [$a, $b]
	| ($all | vals(.scenario == $x.s.sc and (if $x.s.k then .[$x.s.k] == $x.s.v else true end);
		getpath($x.f) | if . == null then null else . * $x.m end; $a) | stats) as $sa
	| ($all | vals(.scenario == $x.s.sc and (if $x.s.k then .[$x.s.k] == $x.s.v else true end);
		getpath($x.f) | if . == null then null else . * $x.m end; $b) | stats) as $sb
	| select(apart($sa; $sb))
	| "- \($x.t): \($b) \($sb.med | num($x.d)) (\($sb.min | num($x.d))–\($sb.max | num($x.d))) vs \($a) \($sa.med | num($x.d)) (\($sa.min | num($x.d))–\($sa.max | num($x.d)))"]
| if length == 0 then "- none" else .[] end),
"",
"Generated by `scripts/bench-report.sh` from `bench.json`; plots: highalloc.png, cma.png, migcost.png, fio.png."
' "$json" >"$dir/table.md.tmp"

# Plots: clustered bars (median) with min-max error bars, one cluster per
# row, one bar per kernel. tsv SEL GROUPS... writes "label med min max..."
tsv() {
	jq -r "$defs"'. as $all | $groups[] as $g
		| [$g.label] + [kernels[] as $k
			| ($all | [.runs[] | select(.name == $k and .scenario == $g.scenario)
				| select(if $g.key then .[$g.key] == $g.val else true end)
				| getpath($g.path)] | stats) as $s
			| if $s == null then (0, 0, 0) else ($s.med, $s.min, $s.max) end]
		| @tsv' --argjson groups "$1" "$json"
}
# panel DATAFILE TITLE YLABEL: gnuplot commands for one histogram.
panel() {
	local i=0 k cmd=
	for k in $kernels; do
		[ $i -eq 0 ] && cmd="plot '$1' using $((2 + 3 * i)):$((3 + 3 * i)):$((4 + 3 * i)):xtic(1) title '$k'" ||
			cmd+=", '' using $((2 + 3 * i)):$((3 + 3 * i)):$((4 + 3 * i)) title '$k'"
		i=$((i + 1))
	done
	printf "set title '%s'\nset ylabel '%s'\nset yrange [0:*]\n%s\n" "$2" "$3" "$cmd"
}
# plot PNG COLUMNS PANEL_COMMANDS: a multiplot of panels side by side.
plot() {
	gnuplot <<EOF || die "gnuplot failed for $1"
set terminal pngcairo noenhanced size $((560 * $2)),420 font 'DejaVu Sans,10'
set output '$1'
set datafile separator '\t'
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.7 border -1
set key top left
set grid ytics
set offsets 0, 0, graph 0.1, 0
set multiplot layout 1,$2 title '$(jq -r '.meta | "\(.date) \(.host), \(.mode), \(.reps) reps, bars: median, whiskers: min-max"' "$json")'
$3
unset multiplot
EOF
}
kernels=$(jq -r '.meta.kernels | join(" ")' "$json")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

g=$(jq -c '[.runs[] | select(.scenario == "highalloc") | .pct] | unique
	| map({label: "\(.) % in zram", scenario: "highalloc", key: "pct", val: ., path: ["success"]})' "$json")
tsv "$g" | awk -F'\t' -v OFS='\t' '{ for (i = 2; i <= NF; i++) $i *= 100; print }' >"$tmp/ha"
tsv "$(jq -c 'map(.path = ["success_compacted"])' <<<"$g")" |
	awk -F'\t' -v OFS='\t' '{ for (i = 2; i <= NF; i++) $i *= 100; print }' >"$tmp/hac"
tsv "$(jq -c 'map(.path = ["free_order9"])' <<<"$g")" >"$tmp/ha9"
plot "$dir/highalloc.png" 3 "$(panel "$tmp/ha" "2 MiB pages obtained / physical limit" "%")
$(panel "$tmp/hac" "the same, after compact_memory" "%")
$(panel "$tmp/ha9" "free order>=9 blocks before the request" "blocks")"

tsv '[{"label":"cma","scenario":"cma","key":null,"path":["share"]}]' |
	awk -F'\t' -v OFS='\t' '{ for (i = 2; i <= NF; i++) $i *= 100; print }' >"$tmp/cs"
tsv '[{"label":"cma","scenario":"cma","key":null,"path":["secs"]}]' >"$tmp/ct"
plot "$dir/cma.png" 2 "$(panel "$tmp/cs" "share of the CMA area obtained" "%")
$(panel "$tmp/ct" "time to allocate it (TCG, emulated)" "s")"

tsv '[{"label":"zsmalloc (zram)","scenario":"migcost","key":null,"path":["zram","us_per_page"]},
      {"label":"anonymous","scenario":"migcost","key":null,"path":["anon","us_per_page"]}]' >"$tmp/mc"
tsv '[{"label":"zsmalloc (zram)","scenario":"migcost","key":null,"path":["zram","vm","pgmigrate_success"]},
      {"label":"anonymous","scenario":"migcost","key":null,"path":["anon","vm","pgmigrate_success"]}]' >"$tmp/mp"
plot "$dir/migcost.png" 2 "$(panel "$tmp/mc" "compact_memory time per page migrated (TCG, emulated)" "µs / page")
$(panel "$tmp/mp" "pages that compact_memory migrated" "pages")"

g=$(jq -c '[.runs[] | select(.scenario == "fio") | .algo] | unique
	| map({label: ., scenario: "fio", key: "algo", val: ., path: ["mbps_drop"]})' "$json")
tsv "$g" | awk -F'\t' -v OFS='\t' '{ for (i = 2; i <= NF; i++) $i *= 100; print }' >"$tmp/fd"
tsv "$(jq -c 'map(.path = ["p99_ratio"])' <<<"$g")" >"$tmp/fp"
plot "$dir/fio.png" 2 "$(panel "$tmp/fd" "fio MB/s drop under a compact_memory loop" "%")
$(panel "$tmp/fp" "fio p99 latency, busy / idle" "ratio")"

mv "$dir/table.md.tmp" "$dir/table.md"
note "wrote $dir/table.md and $dir/{highalloc,cma,migcost,fio}.png"

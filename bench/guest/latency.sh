#!/bin/bash
# latency.sh - run inside the guest: preempt-off sections, wakeup
# latency and zram throughput under zram swap and block load.
#
# Usage: bench/guest/latency.sh SECS FIO_SECS COMP...
#
# For each compressor COMP (lz4, zstd, ...):
#   1. swap on a zram device (zramctl, 1 GiB, priority 100) and a second
#      zram device of 512 MiB, its first 256 MiB written once by fio;
#   2. loaded phase, SECS seconds, everything at the same time:
#      - fio on the block device: 4 KiB randrw 50/50, O_DIRECT, psync,
#        numjobs = vCPUs, buffer_compress_percentage=50;
#      - one loop per vCPU of 'zram_mem hold -p' ($BENCH_TOOLS/zram_mem):
#        MemTotal/128 (15 MiB in a 2 GiB guest) of data that compresses
#        like real data is written, pushed to zram swap (MADV_PAGEOUT),
#        swapped back in and verified, again and again (started first; the
#        rest starts once the first pages went out to swap, or after 60 s).
#        The size is small so that even zstd under TCG completes several
#        verified round trips per loop in the phase: with MemTotal/16, zstd
#        runs never swapped a page back in before the phase ended;
#      - cyclictest -m -p95 -i1000 -S (one thread per vCPU) with a 1 us
#        histogram up to 100 ms;
#      - the preemptoff tracer: tracing_max_latency set to 0, read back
#        every 5 s with the trace (saved as trace-COMP-N.txt), set to 0
#        again; function-trace off, so only the start and end sites and
#        the stack at the end are recorded;
#      - every preemption-disabled section, in a tracing instance of its
#        own: the preemptirq:preempt_disable/preempt_enable events (they
#        fire on the outermost transitions only, so they pair up per CPU)
#        into a 16 MiB-per-CPU buffer that stops when full. Each section is
#        attributed to zram/zsmalloc when the caller or its parent of the
#        disable or the enable is zram, zsmalloc, zcomp, zpool, lz4 or zstd
#        code: count, max, p99, p99.9 and the sites of the longest;
#   3. throughput phase: tracer nop, fio alone as above for FIO_SECS.
# Writes $VM_OUT/latency.json. Exit status 1 when a zram_mem verify fails,
# fio reports an error or the swap load did not run: a loop that completed
# no verified round trip inside the loaded phase, or no page swapped out
# or in during it. Such a run's figures would not be of a zram swap load.
set -u
# set -u only, not -e: every step's status is checked by hand, and a failed
# step must still leave its record (JSON, TAP, report) behind.
case ${1:-} in -h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac
[ $# -ge 3 ] || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
secs=$1 fio_secs=$2
shift 2
out=${VM_OUT:-/tmp}
zram_mem=${BENCH_TOOLS:-/nonexistent}/zram_mem
T=/sys/kernel/tracing
W=5
ncpu=$(nproc)
work=$(mktemp -d)
rc=0

say() { echo "bench-latency: $*"; }
die() { say "error: $*" >&2; exit 2; }

[ -x "$zram_mem" ] || die "$zram_mem not found (BENCH_TOOLS)"
[ -e /sys/class/zram-control ] || die "no zram"
grep -qw preemptoff "$T/available_tracers" 2>/dev/null ||
	die "no preemptoff tracer (CONFIG_PREEMPT_TRACER) in $T"
for c in fio cyclictest zramctl jq mkswap swapon; do
	command -v $c >/dev/null || die "$c not found"
done
mem_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
hold_mb=$((mem_kb / 1024 / 128))
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# fio_run DEV SECS NAME: randrw on DEV, JSON to $work/NAME.json.
fio_run() {
	fio --name=zram --filename="$1" --direct=1 --ioengine=psync --bs=4k \
		--rw=randrw --rwmixread=50 --numjobs="$ncpu" --size=256M \
		--buffer_compress_percentage=50 --randrepeat=0 \
		--time_based --runtime="$2" --group_reporting \
		--output-format=json --output="$work/$3.json" >/dev/null 2>"$work/$3.err"
}

# fio_mbps NAME: {read, write, total} MB/s (10^6 bytes) and errors.
fio_mbps() {
	jq '.jobs[0] | {read: (.read.bw_bytes / 1e6), write: (.write.bw_bytes / 1e6),
		total: ((.read.bw_bytes + .write.bw_bytes) / 1e6),
		read_iops: .read.iops, write_iops: .write.iops, error: .error}' "$work/$1.json"
}

# swap_loop N: push memory through zram swap until killed; $work/okN
# counts the round trips that verified.
swap_loop() {
	local n=$1 i=0 ok=0 pid
	echo 0 >"$work/ok$n"
	while :; do
		i=$((i + 1))
		rm -f "$work/ready$n"
		"$zram_mem" hold -m "$hold_mb" -p -s $((n * 1000 + i)) -r "$work/ready$n" \
			>"$work/hold$n.out" 2>&1 &
		pid=$!
		while [ ! -e "$work/ready$n" ]; do
			kill -0 $pid 2>/dev/null || break
			sleep 0.2
		done
		kill -USR1 $pid 2>/dev/null
		if wait $pid; then
			ok=$((ok + 1))
			# renamed into place: the phase reads it at any moment
			echo "$ok" >"$work/ok$n.new" && mv "$work/ok$n.new" "$work/ok$n"
		else
			cat "$work/hold$n.out" >>"$work/verify-failures"
		fi
	done
}

# parse_trace FILE: the latency trace as JSON.
parse_trace() {
	awk '
	/^# latency: / { lat = $3 }
	/^#    \| task: / { task = $4 }
	/=> started at:/ { sub(/.*started at: */, ""); start = $0 }
	/=> ended at:/ { sub(/.*ended at: */, ""); end = $0 }
	/^ => / { sub(/^ => /, ""); stack = stack (stack == "" ? "" : "\t") $0 }
	/^ *[^#].* [0-9]+us.: / && first == "" { first = $0; sub(/.*us.: /, "", first) }
	END {
		printf "%s\n%s\n%s\n%s\n%s\n%s\n", lat, task, start, end, first, stack
	}' "$1" | {
		read -r lat; read -r task; read -r start; read -r end; read -r first
		IFS= read -r stack
		jq -n --arg lat "$lat" --arg task "$task" --arg start "$start" \
			--arg en "$end" --arg first "$first" --arg stack "$stack" \
			'($stack | split("\t") | map(select(. != ""))) as $st
			| "zram|zs_|zsmalloc|zspage|zcomp|zpool|lz4|LZ4|zstd|ZSTD" as $re
			| {latency_us: ($lat | tonumber? // null), task: $task,
			   started_at: $start, ended_at: $en, first_entry: $first,
			   stack: $st,
			   zram: ([$start, $en, $first] + $st | any(test($re))),
			   zram_match: ([$start, $en, $first] + $st | map(select(test($re))) | first)}'
	}
}

# sections FILE: preempt-off sections from preemptirq events, as JSON.
sections() {
	local lens=$work/lens
	awk -v lens="$lens" '
	function sym(x) { sub(/^(caller|parent)=/, "", x); sub(/\+0x.*/, "", x); return x }
	/LOST [0-9]+ EVENTS/ { for (c in st) delete st[c]; lost++; next }
	/preempt_(disable|enable): / {
		cpu = ""; ts = ""
		for (i = 1; i <= NF; i++) {
			if (cpu == "" && $i ~ /^\[[0-9]+\]$/) cpu = $i
			else if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); ev = $(i + 1); c = sym($(i + 2)); pa = sym($(i + 3)); break }
		}
		if (ts == "") next
		if (first == "") first = ts
		last = ts
		if (ev == "preempt_disable:") { st[cpu] = ts; dc[cpu] = c; dp[cpu] = pa; next }
		if (!(cpu in st)) next
		us = (ts - st[cpu]) * 1e6
		site = dc[cpu] "<-" dp[cpu] " .. " c "<-" pa
		n++
		if (us > max) { max = us; maxsite = site }
		if ((dc[cpu] " " dp[cpu] " " c " " pa) ~ /zram|zs_|zsmalloc|zspage|zcomp|zpool|lz4|LZ4|zstd|ZSTD/) {
			zn++; print us >lens
			if (us > zmax) { zmax = us; zsite = site }
		}
		delete st[cpu]
	}
	END {
		printf "%d\t%.0f\t%s\t%d\t%.0f\t%s\t%.3f\t%d\n", n, max, maxsite, zn, zmax, zsite, last - first, lost
	}' "$1" | {
		IFS=$'\t' read -r n max maxsite zn zmax zsite span lost
		local p99=null p999=null
		if [ "${zn:-0}" -gt 0 ]; then
			sort -n "$lens" >"$lens.s"
			p99=$(awk -v n="$zn" 'NR >= n * 0.99 { printf "%.0f", $1; exit }' "$lens.s")
			p999=$(awk -v n="$zn" 'NR >= n * 0.999 { printf "%.0f", $1; exit }' "$lens.s")
		fi
		rm -f "$lens" "$lens.s"
		jq -n --argjson n "${n:-0}" --argjson max "${max:-0}" --arg maxsite "$maxsite" \
			--argjson zn "${zn:-0}" --argjson zmax "${zmax:-0}" --arg zsite "$zsite" \
			--argjson p99 "${p99:-null}" --argjson p999 "${p999:-null}" \
			--argjson span "${span:-0}" --argjson lost "${lost:-0}" \
			'{sections: $n, max_us: $max, max_site: $maxsite,
			  zram: {sections: $zn, max_us: (if $zn > 0 then $zmax else null end),
			         p99_us: $p99, p999_us: $p999,
			         max_site: (if $zn > 0 then $zsite else null end)},
			  span_secs: $span, lost_marks: $lost}'
	}
}

# cyc_stats FILE: max, p99 (1 us buckets, all threads) and overflows.
cyc_stats() {
	awk '
	/^# Total:/ { for (i = 3; i <= NF; i++) total += $i }
	/^# Max Latencies:/ { for (i = 4; i <= NF; i++) if ($i + 0 > max) max = $i + 0 }
	/^# Avg Latencies:/ { for (i = 4; i <= NF; i++) { avg += $i; n++ } }
	/^# Histogram Overflows:/ { for (i = 4; i <= NF; i++) ovf += $i }
	/^[0-9]/ { c = 0; for (i = 2; i <= NF; i++) c += $i; cnt[$1 + 0] = c; if ($1 + 0 > top) top = $1 + 0 }
	END {
		want = total * 0.99; cum = 0; p99 = "null"
		for (b = 0; b <= top; b++) { cum += cnt[b]; if (cum >= want) { p99 = b; break } }
		printf "{\"max_us\": %d, \"p99_us\": %s, \"avg_us\": %.1f, \"samples\": %d, \"overflows\": %d, \"hist_max_us\": %d}\n",
			max, p99, n ? avg / n : 0, total, ovf, top + 1
	}' "$1"
}

one_comp() {
	local comp=$1 swap blk pids=() p i w cyc I sw0 sw1 si0 si1 t0 t1 cycles=0
	local ok0=() loops=() n
	say "$comp: setting up swap on zram and a zram block device"
	swap=$(zramctl --find --size 1G --algorithm "$comp") || die "zramctl $comp"
	{ mkswap "$swap" >/dev/null && swapon -p 100 "$swap"; } || die "swapon $swap"
	blk=$(zramctl --find --size 512M --algorithm "$comp") || die "zramctl $comp"
	fio --name=fill --filename="$blk" --direct=1 --bs=1M --rw=write --size=256M \
		--buffer_compress_percentage=50 --output="$work/fill.txt" >/dev/null 2>&1 ||
		die "fio fill of $blk"

	# Loaded phase, traced.
	echo 0 >"$T/tracing_on"
	echo nop >"$T/current_tracer"
	echo 0 >"$T/options/function-trace" 2>/dev/null
	echo 0 >"$T/tracing_thresh"
	echo preemptoff >"$T/current_tracer" || die "cannot select preemptoff"
	echo 0 >"$T/tracing_max_latency"
	echo 1 >"$T/tracing_on"
	rm -f "$work/verify-failures" "$work"/ok*
	sw0=$(vmstat pswpout)
	for ((i = 0; i < ncpu; i++)); do
		swap_loop "$i" &
		pids+=($!)
	done
	for ((i = 0; i < 300; i++)); do
		[ "$(vmstat pswpout)" -eq "$sw0" ] || break
		sleep 0.2
	done
	sw0=$(vmstat pswpout) si0=$(vmstat pswpin)
	for ((i = 0; i < ncpu; i++)); do
		n=$(cat "$work/ok$i" 2>/dev/null)
		ok0[i]=${n:-0}
	done
	t0=$(date +%s.%N)
	echo 0 >"$T/tracing_max_latency"
	I=$T/instances/zs
	[ -d "$I" ] || mkdir "$I"
	echo 0 >"$I/tracing_on"
	echo 16384 >"$I/buffer_size_kb"
	echo 0 >"$I/options/overwrite"
	# created after the latency tracer, it inherits its latency format
	echo 0 >"$I/options/latency-format"
	echo >"$I/trace"
	echo 1 >"$I/events/preemptirq/preempt_disable/enable"
	echo 1 >"$I/events/preemptirq/preempt_enable/enable"
	echo 1 >"$I/tracing_on"
	fio_run "$blk" "$secs" "loaded-$comp" &
	p=$!
	cyclictest -m -p95 -i1000 -S -q -D "${secs}s" -h 100000 \
		--histfile="$work/cyc-$comp.txt" >"$work/cyc-$comp.out" 2>&1 &
	cyc=$!
	w=0
	: >"$work/windows-$comp"
	while kill -0 $cyc 2>/dev/null || kill -0 $p 2>/dev/null; do
		sleep $W
		w=$((w + 1))
		cat "$T/trace" >"$out/trace-$comp-$w.txt"
		echo 0 >"$T/tracing_max_latency"
		parse_trace "$out/trace-$comp-$w.txt" | jq -c --argjson w $w '. + {window: $w}' \
			>>"$work/windows-$comp"
		[ $w -lt $((secs / W + 6)) ] || break
	done
	wait $p || { say "$comp: fio (loaded) failed: $(head -c 300 "$work/loaded-$comp.err")"; rc=1; }
	wait $cyc
	t1=$(date +%s.%N)
	# round trips verified inside the phase, per loop
	for ((i = 0; i < ncpu; i++)); do
		n=$(cat "$work/ok$i" 2>/dev/null)
		loops[i]=$((${n:-0} - ok0[i]))
		cycles=$((cycles + loops[i]))
	done
	echo 0 >"$I/tracing_on"
	for p in "${pids[@]}"; do
		pkill -9 -P "$p" 2>/dev/null
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	pkill -9 -x zram_mem 2>/dev/null
	sleep 1
	sw1=$(vmstat pswpout) si1=$(vmstat pswpin)
	echo 0 >"$T/tracing_on"
	echo nop >"$T/current_tracer"
	say "$comp: pairing the preempt_disable/enable events"
	sections "$I/trace" >"$work/sections-$comp.json" || echo '{}' >"$work/sections-$comp.json"
	echo 0 >"$I/events/preemptirq/preempt_disable/enable"
	echo 0 >"$I/events/preemptirq/preempt_enable/enable"
	echo >"$I/trace"
	echo 1408 >"$I/buffer_size_kb"
	if [ -s "$work/verify-failures" ]; then
		say "$comp: zram_mem verify failed:"; head "$work/verify-failures"; rc=1
	fi
	# A figure is a figure of this load only when the load ran.
	for ((i = 0; i < ncpu; i++)); do
		[ "${loops[i]}" -ge 1 ] && continue
		say "$comp: error: swap loop $i verified no round trip in the loaded phase" \
			"(${hold_mb} MiB each): the swap load did not run"
		rc=1
	done
	if [ $((sw1 - sw0)) -le 0 ] || [ $((si1 - si0)) -le 0 ]; then
		say "$comp: error: $((sw1 - sw0)) pages swapped out, $((si1 - si0)) in during the" \
			"loaded phase: the swap load did not run"
		rc=1
	fi
	cp "$work/cyc-$comp.txt" "$out/cyclictest-$comp.txt"
	mm_swap=$(cat "/sys/block/$(basename "$swap")/mm_stat")
	mm_blk=$(cat "/sys/block/$(basename "$blk")/mm_stat")

	# Throughput phase, tracer off.
	say "$comp: fio alone for ${fio_secs}s, tracer off"
	fio_run "$blk" "$fio_secs" "fio-$comp" ||
		{ say "$comp: fio failed: $(head -c 300 "$work/fio-$comp.err")"; rc=1; }

	swapoff "$swap"
	zramctl --reset "$swap" "$blk"

	# swap: pages out and in during the loaded phase; hold_cycles and
	# loop_cycles, the round trips verified in it (all loops, each loop).
	jq -n --arg comp "$comp" --slurpfile win "$work/windows-$comp" \
		--argjson cyc "$(cyc_stats "$work/cyc-$comp.txt")" \
		--argjson loaded "$(fio_mbps "loaded-$comp")" \
		--argjson fio "$(fio_mbps "fio-$comp")" \
		--argjson pswpout $((sw1 - sw0)) --argjson pswpin $((si1 - si0)) \
		--argjson cycles "$cycles" --argjson hold_mb "$hold_mb" \
		--argjson loops "$(printf '%s\n' "${loops[@]}" | jq -s .)" \
		--arg secs "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
		--arg mm_swap "$mm_swap" --arg mm_blk "$mm_blk" \
		--slurpfile sec "$work/sections-$comp.json" \
		'($win | map(select(.latency_us != null))) as $w
		| {compressor: $comp,
		   preemptoff: {max_us: ($w | map(.latency_us) | max),
			worst: ($w | max_by(.latency_us)),
			zram_max_us: ($w | map(select(.zram)) | map(.latency_us) | max),
			zram_worst: ($w | map(select(.zram)) | max_by(.latency_us)),
			windows: $w},
		   sections: $sec[0],
		   cyclictest: $cyc,
		   fio_loaded_mbps: $loaded, fio_mbps: $fio,
		   swap: {pswpout: $pswpout, pswpin: $pswpin, hold_cycles: $cycles,
			loop_cycles: $loops, hold_mb: $hold_mb},
		   loaded_secs: ($secs | tonumber),
		   mm_stat: {swap: $mm_swap, blk: $mm_blk}}' >"$work/result-$comp.json"
	say "$comp: preemptoff max $(jq -r '.preemptoff.max_us' "$work/result-$comp.json") us" \
		"($(jq -r '.preemptoff.worst.started_at + " .. " + .preemptoff.worst.ended_at' "$work/result-$comp.json")," \
		"zram: $(jq -r '.preemptoff.zram_max_us' "$work/result-$comp.json") us)," \
		"sections $(jq -c '.sections | {sections, max_us, span_secs, zram}' "$work/result-$comp.json")," \
		"cyclictest $(jq -c '.cyclictest | {max_us, p99_us}' "$work/result-$comp.json")," \
		"fio $(jq -r '.fio_mbps.total' "$work/result-$comp.json") MB/s," \
		"swap out/in $((sw1 - sw0))/$((si1 - si0)) pages," \
		"verified round trips per loop ${loops[*]}"
}

for comp in "$@"; do
	one_comp "$comp"
done
jq -s --arg uname "$(uname -r)" --arg v "$(cat /proc/version)" --argjson cpus "$ncpu" \
	--argjson mem_kb "$mem_kb" \
	'{uname: $uname, version: $v, cpus: $cpus, mem_kb: $mem_kb,
	  compressors: .}' "$work"/result-*.json >"$out/latency.json"
exit $rc

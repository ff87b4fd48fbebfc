# shellcheck shell=bash
# lib.sh - sourced by the scenarios of bench/guest/, inside the guest, never run.
#
# Expects BENCH_TOOLS (the directory bench/bench.sh fills with zram_mem
# and zram_migrate_lib.sh from the series' selftests) and VM_OUT. Sources
# zram_migrate_lib.sh for its zm_* helpers (zram devices, verifiable data,
# /proc figures) and adds what the benchmarks need: a clock, vmstat deltas
# and a JSON record per scenario.

: "${BENCH_TOOLS:?BENCH_TOOLS is not set}"
BENCH_OUT=${VM_OUT:-/tmp}
# shellcheck source=/dev/null
. "$BENCH_TOOLS/zram_migrate_lib.sh" || exit 2
command -v jq >/dev/null || { echo "bench: jq not found" >&2; exit 2; }
[ -e /sys/class/zram-control ] || modprobe zram num_devices=0 2>/dev/null

# bench_fail MSG: the scenario cannot give a meaningful figure: say so, stop.
bench_fail()
{
	echo "bench: FAILED: $*" >&2
	exit 1
}

# bench_log MSG: progress, with the guest's uptime.
bench_log()
{
	echo "bench: [$(cut -d' ' -f1 /proc/uptime)] $*"
}

# bench_now: seconds, with nanoseconds.
bench_now()
{
	date +%s.%N
}

# bench_secs T0 T1: T1 - T0, in seconds.
bench_secs()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'
}

# bench_vm_snap FILE: the counters the scenarios report, as "name value".
bench_vm_snap()
{
	{
		grep -E '^(compact_stall|compact_success|compact_fail|pgmigrate_success|pgmigrate_fail|compact_migrate_scanned|compact_free_scanned) ' /proc/vmstat
		echo "zs_migrated $(zm_pages_migrated)"
	} >"$1"
}

# bench_vm_delta BEFORE AFTER: a JSON object of AFTER - BEFORE; the
# zsmalloc pages migrated are null on kernels that do not report them.
bench_vm_delta()
{
	awk 'NR == FNR { a[$1] = $2; next }
		{ d = ($2 == "" || a[$1] == "") ? "null" : $2 - a[$1]
		  printf "%s\"%s\":%s", sep, $1, d; sep = "," }
		END { print "}" }' sep='{' "$1" "$2"
}

# bench_free_mb: free memory in MiB (MemFree).
bench_free_mb()
{
	echo $(( $(zm_mem_kb MemFree) / 1024 ))
}

# bench_record NAME JQ_ARGS... FILTER: write $BENCH_OUT/NAME.json with jq -n,
# adding the kernel release and the guest's size.
bench_record()
{
	local name=$1

	shift
	jq -n --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
		--argjson mem_mb $(( $(zm_mem_kb MemTotal) / 1024 )) "$@" \
		>"$BENCH_OUT/$name.json" || bench_fail "$name: cannot write its JSON"
	jq -M -c . "$BENCH_OUT/$name.json"
}

# bench_settle: drop the page cache and compact, so that a measurement
# starts from the same state on every kernel.
bench_settle()
{
	sync
	echo 3 >/proc/sys/vm/drop_caches
	zm_compact
}

#!/bin/bash
# kunit-repeat.sh - boot the test kernel N times in a row, judging its KUnit suites each time.
#
# Usage: check/kunit-repeat.sh [--runs N] [--load] [--filter GLOB] [--out DIR]
#
# A case that depends on timing fails now and then, more often on a busy
# host; this shows whether any does. Each run boots build/obj-test's
# bzImage (lib/build.sh --flavour test) with main's guest shape (4 vCPUs,
# 2 nodes, 2 GiB) and all its KUnit suites, as main runs them (--filter:
# only those that kunit.filter_glob=GLOB selects, one SUITE[.CASE] glob),
# and judges
# its KTAP with check/verdict.py (a skip passes only when check/known-skips
# lists it for main) and its logs with check/splat-check.sh.
#
# --load keeps every host CPU busy meanwhile (stress-ng --cpu 0), as a
# loaded CI host would be. Writes DIR/RUN/ (the guest's logs), DIR/runs.txt
# (one line per run: number, verdict, cases passed, failed, skipped) and
# DIR/summary.json; DIR defaults to
# build/results/DATE-kunit-repeat-SHORTSHA. Exit status 1 when a run
# failed.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

runs=20 load=0 out= filter=
while [ $# -gt 0 ]; do
	case $1 in
	--runs) need_arg "$@"; runs=$2; shift 2 ;;
	--load) load=1; shift ;;
	--filter) need_arg "$@"; filter=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
image=$BUILD/obj-test/arch/x86/boot/bzImage
[ -f "$image" ] || die "no test kernel at $image: run lib/build.sh --flavour test"
need_cmd python3 jq
[ $load -eq 0 ] || need_cmd stress-ng
commit=$(git -C "$TOP" rev-parse --short HEAD)
out=${out:-$BUILD/results/$(date +%F)-kunit-repeat-$commit}
mkdir -p "$out"
: >"$out/runs.txt"

stress=
stop_load() {
	[ -z "$stress" ] || { kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null || true; }
	stress=
}
trap stop_load EXIT
if [ $load -eq 1 ]; then
	stress-ng --cpu 0 --timeout 0 --quiet &
	stress=$!
	note "host load: stress-ng --cpu 0 (pid $stress) on $(nproc) CPUs"
fi

start=$(date +%s) failed=0
for ((r = 1; r <= runs; r++)); do
	dir=$out/$r rc=0 verdict=pass
	rm -rf "$dir"
	"$HARNESS_VM" --kernel "$image" --mem 2G --cpus 4 --numa 2 --timeout 900 \
		${filter:+--append "kunit.filter_glob=$filter"} --out "$dir" --quiet -- true \
		>"$dir.log" 2>&1 || rc=$?
	[ $rc -eq 0 ] || verdict="guest status $rc"
	"$TOP/check/splat-check.sh" "$dir/serial.log" "$dir/dmesg.log" >"$dir/splat.txt" 2>&1 ||
		verdict="kernel report"
	python3 "$TOP/check/verdict.py" --group main --dir "$dir" --kunit \
		--known-skips "$TOP/check/known-skips" >"$dir/verdict.txt" 2>&1 ||
		verdict="verdict.py failed"
	read -r pass fail skip < <(awk '$1 == "PASS" { p++ } $1 == "FAIL" { f++ } $1 == "SKIP" { s++ }
		END { print p + 0, f + 0, s + 0 }' "$dir/verdict.txt")
	[ "$pass" -gt 0 ] || verdict="no KUnit results"
	[ "$fail" -eq 0 ] || verdict="$fail cases failed"
	[ "$verdict" = pass ] || failed=$((failed + 1))
	echo "$r $verdict: $pass passed, $fail failed, $skip skipped" | tee -a "$out/runs.txt"
	[ "$verdict" = pass ] || grep '^FAIL' "$dir/verdict.txt" >&2 || echo "  (serial log: $dir/serial.log)" >&2
done
end=$(date +%s)
stop_load

jq -n --arg date "$(date -u +%FT%TZ)" --arg commit "$commit" \
	--arg kernel_tree "$(git -C "$TREE" rev-parse 'HEAD^{tree}')" --arg filter "$filter" \
	--arg accel "$(cat "$BUILD/accel" 2>/dev/null || echo unknown)" \
	--argjson runs "$runs" --argjson failed "$failed" --argjson load "$load" \
	--argjson seconds $((end - start)) \
	'{job: "kunit-repeat", date: $date, commit: $commit, kernel_tree: $kernel_tree,
	  accel: $accel, filter: $filter, host_load: ($load == 1), runs: $runs,
	  failed: $failed, seconds: $seconds,
	  verdict: (if $failed == 0 then "pass" else "fail" end)}' >"$out/summary.json"
note "$((runs - failed)) of $runs runs passed$([ $load -eq 0 ] || echo ', host loaded') in $(( (end - start) / 60 )) min: $out/runs.txt"
[ "$failed" -eq 0 ]

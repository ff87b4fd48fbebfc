#!/bin/bash
# stub-vm.sh - vm/vm.sh's stand-in for the harness self-test.
#
# Takes vm.sh's arguments; boots nothing. Fills the --out directory, whose
# name says which guest it is:
#   check/demo  GROUP (main, cma, offline, balloon, demo): the fixture logs
#               check/selftest/pass/GROUP/, then what $FIXTURE/GROUP/
#               holds on top, less the files named in its DELETE file;
#               exits with $FIXTURE/GROUP/vm-status (default 0).
#   bench       REP-KERNEL-SCENARIO (bench/bench.sh's alloc suite) or
#               REP-KERNEL (latency): the JSON of $FIXTURE/guests/SCENARIO/
#               (guests/latency/), a clean serial.log and dmesg.log, rc 0.
#               STUB_FAIL="OUT:MODE ..." makes guest OUT fail: MODE is
#               status=N (exits N: 124 as a hung guest, 125 as a dead
#               one), splat (a WARNING in serial.log), badjson, nojson.
set -euo pipefail
out='' balloon=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--balloon) balloon=1; shift ;;
	--quiet) shift ;;
	-h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	--) break ;;
	*) shift 2 ;;
	esac
done
[ -n "$out" ] && [ -n "${FIXTURE:-}" ] || { echo "stub-vm.sh: --out and FIXTURE needed" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
g=$(basename "$out")
mkdir -p "$out"
status=0
if [ -d "$FIXTURE/guests" ]; then
	# bench/bench.sh: REP-KERNEL[-SCENARIO]
	sc=$(sed -E 's/^[0-9]+-[a-z]+-?//' <<<"$g")
	cp -r "$FIXTURE/guests/${sc:-latency}/." "$out/"
	echo "guest: stub for $g" >"$out/serial.log"
	echo "stub dmesg" >"$out/dmesg.log"
	echo 0 >"$out/rc"
	for f in ${STUB_FAIL:-}; do
		[ "${f%%:*}" = "$g" ] || continue
		case ${f#*:} in
		status=*)
			status=${f#*:status=}
			echo "$status" >"$out/rc"
			[ "$status" -ne 124 ] && [ "$status" -ne 125 ] || rm -f "$out/rc" "$out/dmesg.log" ;;
		splat) echo "[   1.000000] WARNING: CPU: 0 PID: 1 at mm/zsmalloc.c:1 stub+0x0/0x1" >>"$out/serial.log" ;;
		badjson) for j in "$out"/*.json; do echo '{"cut": ' >"$j"; break; done ;;
		nojson) rm -f "$out"/*.json ;;
		*) echo "stub-vm.sh: unknown STUB_FAIL mode '$f'" >&2; exit 2 ;;
		esac
	done
else
	[ ! -d "$here/pass/$g" ] || cp -r "$here/pass/$g/." "$out/"
	if [ -d "$FIXTURE/$g" ]; then
		cp -r "$FIXTURE/$g/." "$out/"
		if [ -f "$FIXTURE/$g/DELETE" ]; then
			while read -r f; do rm -rf "${out:?}/$f"; done <"$FIXTURE/$g/DELETE"
		fi
	fi
	rm -f "$out/DELETE" "$out/vm-status" "$out/.keep"
	[ ! -f "$FIXTURE/$g/vm-status" ] || status=$(cat "$FIXTURE/$g/vm-status")
fi
# The real guest takes minutes; the balloon agent (stub-agent.sh) is gone
# by the time this returns, as when QEMU exits.
[ $balloon -eq 0 ] || sleep 0.5
[ "$status" -eq 0 ] || echo "vm.sh: guest failed with $status (serial log: $out/serial.log)" >&2
exit "$status"

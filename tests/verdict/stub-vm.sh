#!/bin/bash
# stub-vm.sh - scripts/vm.sh's stand-in for the harness self-test.
#
# Takes vm.sh's arguments; boots nothing. Fills the --out directory with
# the fixture logs of the group (the out directory's name: main, cma,
# offline, balloon, demo): tests/verdict/pass/GROUP/, then what
# $FIXTURE/GROUP/ holds on top, less the files named in its DELETE file.
# Exits with $FIXTURE/GROUP/vm-status (default 0), as vm.sh would.
set -euo pipefail
out='' balloon=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--balloon) balloon=1; shift ;;
	--quiet) shift ;;
	--) break ;;
	*) shift 2 ;;
	esac
done
[ -n "$out" ] && [ -n "${FIXTURE:-}" ] || { echo "stub-vm.sh: --out and FIXTURE needed" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
g=$(basename "$out")
mkdir -p "$out"
[ ! -d "$here/pass/$g" ] || cp -r "$here/pass/$g/." "$out/"
if [ -d "$FIXTURE/$g" ]; then
	cp -r "$FIXTURE/$g/." "$out/"
	if [ -f "$FIXTURE/$g/DELETE" ]; then
		while read -r f; do rm -rf "${out:?}/$f"; done <"$FIXTURE/$g/DELETE"
	fi
fi
rm -f "$out/DELETE" "$out/vm-status" "$out/.keep"
# The real guest takes minutes; the balloon agent (stub-agent.sh) is gone
# by the time this returns, as when QEMU exits.
[ $balloon -eq 0 ] || sleep 0.5
status=0
[ ! -f "$FIXTURE/$g/vm-status" ] || status=$(cat "$FIXTURE/$g/vm-status")
[ "$status" -eq 0 ] || echo "vm.sh: guest failed with $status (serial log: $out/serial.log)" >&2
exit "$status"

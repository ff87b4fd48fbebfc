#!/bin/bash
# stub-agent.sh - vm/balloon-agent.sh's stand-in for the self-test:
# exits at once, as the real one does when QEMU has gone.
set -euo pipefail
dir=
while [ $# -gt 0 ]; do
	case $1 in
	--dir) dir=$2; shift 2 ;;
	-h|--help) sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit 0 ;;
	*) shift ;;
	esac
done
[ -z "$dir" ] || echo "stub: QEMU has gone, exiting" >>"$dir/balloon-agent.log"
exit 0

#!/bin/bash
# checkpatch.sh - run the kernel's checkpatch.pl --strict on every patch.
#
# Usage: lib/checkpatch.sh [PATCH...]
#
# Defaults to the patches named in patches/series. Uses build/linux's
# scripts/checkpatch.pl (run lib/tree.sh first). Warnings a commit
# message justifies are still printed; the exit status is 1 when any patch
# has an ERROR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${1:-} in -h|--help) usage; exit 0 ;; esac
[ -x "$TREE/scripts/checkpatch.pl" ] || die "no $TREE/scripts/checkpatch.pl: run lib/tree.sh"
if [ $# -eq 0 ]; then
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		set -- "$@" "$TOP/patches/$p"
	done <"$TOP/patches/series"
fi
# spdxcheck.py wants Debian's python3-ply: prefer the system python3.
export PATH=/usr/bin:$PATH
rc=0
for p in "$@"; do
	[ -f "$p" ] || die "no such patch: $p"
	p=$(readlink -f "$p")
	prc=0
	out=$(cd "$TREE" && scripts/checkpatch.pl --strict --terse --showfile "$p" 2>&1) || prc=$?
	# --terse prints nothing for a clean patch, else a 'total:' line.
	if ! sum=$(grep -E '^total: ' <<<"$out"); then
		[ $prc -eq 0 ] && [ -z "$out" ] ||
			die "checkpatch.pl failed on $(basename "$p"): $(head -n 3 <<<"$out")"
		sum=clean
	fi
	echo "$(basename "$p"): $sum"
	grep -E ': (ERROR|WARNING|CHECK):' <<<"$out" | sed 's/^/    /' || true
	grep -q ': ERROR:' <<<"$out" && rc=1
done
exit $rc

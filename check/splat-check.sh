#!/bin/bash
# splat-check.sh - fail when a kernel log holds a lockdep, KASAN, BUG or WARN report.
#
# Usage: check/splat-check.sh LOG...
#
# Prints each report's first line with the log's name and exits 1 if there
# is one; exits 2 when a log is missing or cannot be read (no verdict).
# The patterns are the headlines the kernel prints for WARN_ON, BUG_ON,
# oopses, lockdep, KASAN, UBSAN, might_sleep/DEBUG_ATOMIC_SLEEP,
# DEBUG_PREEMPT, hung tasks, soft lockups, RCU stalls and panics.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

case ${1:-} in -h|--help|'') usage; [ -n "${1:-}" ]; exit $? ;; esac

pattern='(WARNING: |BUG: |kernel BUG at|Oops: |general protection fault|'
pattern+='INFO: possible (recursive|circular|irq)|possible circular locking|'
pattern+='inconsistent lock state|UBSAN: |Kernel panic|Call Trace:|'
pattern+='INFO: task .* blocked for more than|soft lockup|rcu_sched self-detected|'
pattern+='rcu: INFO: |DEBUG_LOCKS_WARN_ON|BUG: KASAN|'
pattern+='using smp_processor_id\(\) in preemptible|sleeping function called from invalid context)'
rc=0
for f in "$@"; do
	[ -f "$f" ] || { echo "splat-check.sh: no log $f" >&2; exit 2; }
	g=0
	hits=$(grep -E -m 5 "$pattern" "$f") || g=$?
	case $g in
	0)
		echo "kernel splat in $f:"
		printf '  %s\n' "$hits" | head -n 5
		rc=1 ;;
	1) ;;
	*) echo "splat-check.sh: cannot read $f" >&2; exit 2 ;;
	esac
done
exit $rc

#!/bin/bash
# splat-check.sh - fail when a kernel log holds a lockdep, KASAN, BUG or WARN report.
#
# Usage: check/splat-check.sh [--expect REGEX]... LOG...
#
# Prints each report's first line with the log's name and exits 1 if there
# is one; exits 2 when a log is missing or cannot be read (no verdict).
# The patterns are the headlines the kernel prints for WARN_ON, BUG_ON,
# oopses, lockdep, KASAN, UBSAN, might_sleep/DEBUG_ATOMIC_SLEEP,
# DEBUG_PREEMPT, hung tasks, soft lockups, RCU stalls and panics.
#
# --expect REGEX (extended regex, repeatable) names a report the logs
# must hold, for a test that makes the kernel warn on purpose: every
# REGEX must match the headline of one report (its 'Call Trace:' line,
# before the report's '---[ end trace', belongs to it) in at least one
# LOG and in none twice (the console and dmesg may hold the same
# report), and any other report fails as usual. A missing or repeated
# expected report exits 1 too. Bad usage exits 2.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

# Bad usage exits 2, as a missing log does: 1 is the verdict "report".
bad() { echo "splat-check.sh: $*" >&2; exit 2; }
expects=()
while [ $# -gt 0 ]; do
	case $1 in
	--expect)
		[ $# -ge 2 ] && [[ $2 != --* ]] || bad "--expect needs a value (see --help)"
		expects+=("$2"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) bad "unknown argument '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { usage; exit 2; }

pattern='(WARNING: |BUG: |kernel BUG at|Oops: |general protection fault|'
pattern+='INFO: possible (recursive|circular|irq)|possible circular locking|'
pattern+='inconsistent lock state|UBSAN: |Kernel panic|Call Trace:|'
pattern+='INFO: task .* blocked for more than|soft lockup|rcu_sched self-detected|'
pattern+='rcu: INFO: |DEBUG_LOCKS_WARN_ON|BUG: KASAN|'
pattern+='using smp_processor_id\(\) in preemptible|sleeping function called from invalid context)'
declare -A seen twice
rc=0
for f in "$@"; do
	[ -f "$f" ] || { echo "splat-check.sh: no log $f" >&2; exit 2; }
	g=0
	# '---[ end trace' closes a report: only a trace before it belongs
	# to an expected headline.
	hits=$(grep -E "$pattern|---\[ end trace" "$f") || g=$?
	case $g in
	0|1) ;;
	*) echo "splat-check.sh: cannot read $f" >&2; exit 2 ;;
	esac
	# Drop the expected reports (and the call trace that follows each);
	# whatever is left is a report of its own.
	left=() trace_ok=0
	declare -A here=()
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		if [[ $line == *'---[ end trace'* ]]; then
			trace_ok=0
			continue
		fi
		if [ $trace_ok = 1 ] && [[ $line == *'Call Trace:'* ]]; then
			trace_ok=0
			continue
		fi
		trace_ok=0
		for i in "${!expects[@]}"; do
			if grep -qE -- "${expects[$i]}" <<<"$line"; then
				here[$i]=$(( ${here[$i]:-0} + 1 ))
				seen[$i]=1
				[ "${here[$i]}" -lt 2 ] || twice[$i]="$f"
				trace_ok=1
				break
			fi
		done
		[ $trace_ok = 1 ] || left+=("$line")
	done <<<"$hits"
	if [ ${#left[@]} -gt 0 ]; then
		echo "kernel splat in $f:"
		printf '  %s\n' "${left[@]}" | head -n 5
		rc=1
	fi
done
for i in "${!expects[@]}"; do
	if [ -z "${seen[$i]:-}" ]; then
		echo "expected kernel report missing: ${expects[$i]}"
		rc=1
	elif [ -n "${twice[$i]:-}" ]; then
		echo "expected kernel report repeated in ${twice[$i]}: ${expects[$i]}"
		rc=1
	fi
done
exit $rc

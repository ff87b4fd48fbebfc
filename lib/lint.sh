#!/bin/bash
# lint.sh - shellcheck every shell script and pyflakes every Python file of the project.
#
# Usage: lib/lint.sh
#
# The files are those git tracks, results/ left out (run outputs, not the
# harness): shell scripts are the *.sh files and the files whose first
# line is a shell's shebang (vm/init, .ci/run); Python files are *.py.
# The shell linter reads .shellcheckrc; every finding counts, even 'info'.
# Prints one line per file with findings (run the linter on it for the
# details), then 'lint: N shell scripts, N Python files, N with findings'.
# Exit status 1 when a file has findings, 2 when a linter is missing
# (lib/deps.sh installs both).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h|--help) usage; exit 0 ;;
'') ;;
*) die "unknown argument '$1' (see --help)" ;;
esac
command -v shellcheck >/dev/null && command -v pyflakes3 >/dev/null ||
	{ echo "lint.sh: error: shellcheck and pyflakes3 are needed: run lib/deps.sh" >&2; exit 2; }
need_cmd git
cd "$TOP"

sh=() py=()
while IFS= read -r f; do
	[ -f "$f" ] || continue
	case $f in
	results/*) ;;
	*.py) py+=("$f") ;;
	*.sh) sh+=("$f") ;;
	*) head -n 1 "$f" | grep -qE '^#!(/usr)?/bin/(env )?(ba)?sh' && sh+=("$f") ;;
	esac
done < <(git ls-files)

bad=0
for f in "${sh[@]}"; do
	shellcheck -x "$f" >/dev/null 2>&1 || { echo "lint: shellcheck -x $f"; bad=$((bad + 1)); }
done
for f in "${py[@]}"; do
	pyflakes3 "$f" >/dev/null 2>&1 || { echo "lint: pyflakes3 $f"; bad=$((bad + 1)); }
done
echo "lint: ${#sh[@]} shell scripts, ${#py[@]} Python files, $bad with findings"
[ "$bad" -eq 0 ]

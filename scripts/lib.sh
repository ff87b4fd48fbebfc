# shellcheck shell=bash
# Common helpers for the scripts in this directory. Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
TREE=${TREE:-$BUILD/linux}

die() {
	echo "$(basename "$0"): error: $*" >&2
	exit 1
}

note() {
	echo "$(basename "$0"): $*" >&2
}

# usage_from_header: print the comment block at the top of the script.
usage() {
	sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found: run 'make deps' (scripts/deps.sh) first"
	done
}

# prepare FLAVOUR: install what is missing, set up build/linux with the
# series, build the kernel and the kselftests; prints the kernel image.
prepare() {
	local kernel
	"$TOP/scripts/deps.sh" >&2
	"$TOP/scripts/tree.sh" >&2
	kernel=$("$TOP/scripts/build.sh" --flavour "$1")
	"$TOP/scripts/kselftest.sh" --obj "$BUILD/obj-$1" >&2
	echo "$kernel"
}

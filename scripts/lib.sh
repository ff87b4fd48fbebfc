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

# need_arg "$@": die unless the option in $1 has a value in $2; for
# argument loops: '--foo) need_arg "$@"; foo=$2; shift 2 ;;'.
need_arg() {
	if [ $# -lt 2 ] || [[ $2 == --* ]]; then
		die "$1 needs a value (see --help)"
	fi
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found: run 'make deps' (scripts/deps.sh) first"
	done
}

# Stand-ins for the harness self-test (scripts/selftest.sh): the script
# that boots a guest, the balloon agent, and a kernel image that makes
# prepare() skip every install and build step.
HARNESS_VM=${HARNESS_VM:-$TOP/scripts/vm.sh}
HARNESS_AGENT=${HARNESS_AGENT:-$TOP/scripts/balloon-agent.sh}

# prepare FLAVOUR: install what is missing, set up build/linux with the
# series, build the kernel and the kselftests; prints the kernel image.
prepare() {
	local kernel
	if [ -n "${HARNESS_KERNEL:-}" ]; then
		echo "$HARNESS_KERNEL"
		return
	fi
	"$TOP/scripts/deps.sh" >&2
	"$TOP/scripts/tree.sh" >&2
	kernel=$("$TOP/scripts/build.sh" --flavour "$1")
	"$TOP/scripts/kselftest.sh" --obj "$BUILD/obj-$1" >&2
	echo "$kernel"
}

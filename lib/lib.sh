# shellcheck shell=bash
# Common helpers for the host-side scripts of every folder (lib/, vm/,
# check/, demo/, bench/). Sourced, never run: '. "$(dirname "$0")/../lib/lib.sh"'.

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

# usage: print the comment block at the top of the script (its --help).
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
			die "'$c' not found: run 'make deps' (lib/deps.sh) first"
	done
}

# Stand-ins for the harness self-test (check/selftest.sh): the script
# that boots a guest, the balloon agent, and a kernel image that makes
# prepare() (and bench/bench.sh) skip every install and build step.
HARNESS_VM=${HARNESS_VM:-$TOP/vm/vm.sh}
HARNESS_AGENT=${HARNESS_AGENT:-$TOP/vm/balloon-agent.sh}

# prepare FLAVOUR: install what is missing, set up build/linux with the
# series, build the kernel and the kselftests; prints the kernel image.
prepare() {
	local kernel
	if [ -n "${HARNESS_KERNEL:-}" ]; then
		echo "$HARNESS_KERNEL"
		return
	fi
	# Callers run this in $(...), where set -e does not reach: every
	# step's failure is returned explicitly.
	"$TOP/lib/deps.sh" >&2 || return 1
	"$TOP/lib/tree.sh" >&2 || return 1
	kernel=$("$TOP/lib/build.sh" --flavour "$1") || return 1
	"$TOP/check/kselftest-build.sh" --obj "$BUILD/obj-$1" >&2 || return 1
	echo "$kernel"
}

# kbuild_env: the environment of every kernel build. ccache with the
# project's own cache, set through the environment only (ccache
# --max-size would rewrite the user's ccache.conf): CCACHE_DIR (default
# ~/.cache/zram-series/ccache), CCACHE_MAXSIZE (default 8G). A
# reproducible version string, so that ccache hits across rebuilds. Sets
# KBUILD_CC for make's CC=.
# shellcheck disable=SC2034 # KBUILD_CC is for the scripts that source this
kbuild_env() {
	KBUILD_CC=gcc
	if command -v ccache >/dev/null 2>&1; then
		KBUILD_CC="ccache gcc"
		export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zram-series/ccache}
		export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
		export CCACHE_BASEDIR=$TOP
		mkdir -p "$CCACHE_DIR"
	fi
	export KBUILD_BUILD_USER=zram KBUILD_BUILD_HOST=qemu
	export KBUILD_BUILD_TIMESTAMP="2000-01-01"
}

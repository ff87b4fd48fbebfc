#!/bin/bash
# kselftest-build.sh - build the kselftests that 'make check' runs, from build/linux.
#
# Usage: check/kselftest-build.sh [--tree DIR] [--obj DIR] [--out DIR]
#
# Installs into build/kselftest (or --out): the whole zram suite (upstream's
# zram.sh and what the series adds) and, from mm, run_vmtests.sh with the
# binaries of its 'compaction' and 'migration' categories. Kernel headers
# come from 'make headers' in the kernel object directory (--obj, default
# build/obj-test).
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

obj=$BUILD/obj-test
out=$BUILD/kselftest
while [ $# -gt 0 ]; do
	case $1 in
	--tree) need_arg "$@"; TREE=$2; shift 2 ;;
	--obj) need_arg "$@"; obj=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -f "$TREE/Makefile" ] || die "no kernel tree at $TREE: run lib/tree.sh"
[ -f "$obj/.config" ] || die "no configured kernel in $obj: run lib/build.sh"
[ -f /usr/include/numa.h ] || die "libnuma-dev is missing: run lib/deps.sh"
mkdir -p "$out"
out=$(cd "$out" && pwd)
ksobj=$BUILD/obj-kselftest
log=$ksobj.log
mkdir -p "$ksobj"

make -C "$TREE" O="$obj" headers >"$log" 2>&1 || die "make headers failed (log: $log)"
hdr="-isystem $obj/usr/include"
sel=$TREE/tools/testing/selftests
# The zram suite, installed the kselftest way (run_kselftest.sh + list).
make -C "$sel" TARGETS=zram O="$ksobj" KHDR_INCLUDES="$hdr" \
	INSTALL_PATH="$out" install >>"$log" 2>&1 ||
	die "building the zram kselftests failed (log: $log)"
# mm: only the categories we run; the rest of mm is not needed here.
mkdir -p "$ksobj/mm"
make -C "$sel/mm" OUTPUT="$ksobj/mm" KHDR_INCLUDES="$hdr" \
	"$ksobj/mm/compaction_test" "$ksobj/mm/migration" \
	>>"$log" 2>&1 || die "building the mm kselftests failed (log: $log)"
mkdir -p "$out/mm"
cp "$ksobj/mm/compaction_test" "$ksobj/mm/migration" \
	"$sel/mm/run_vmtests.sh" "$sel/mm/settings" "$out/mm/"
# run_kselftest.sh runs only what its list names.
grep -qx 'mm:run_vmtests.sh' "$out/kselftest-list.txt" ||
	echo 'mm:run_vmtests.sh' >>"$out/kselftest-list.txt"
note "kselftests installed in $out"

#!/bin/bash
# build.sh - build a bzImage of build/linux for one flavour, out of tree.
#
# Usage: lib/build.sh [--flavour NAME] [--tree DIR] [--out DIR] [--target T]
#        lib/build.sh --list-flavours
#
# Flavours (the Kconfig fragments in configs/ merged onto allnoconfig with
# the kernel's own scripts/kconfig/merge_config.sh; --list-flavours prints
# them, one a line, for 'make help'):
#   test   qemu + feature + debug + kunit + zpool  (lockdep, DEBUG_VM, KUnit,
#          every zpool backend: make check)
#   perf   qemu + feature                  (no debug options: make demo,
#          make bench)
#   kasan  test + kasan                    (make check-kasan, make soak)
#   rt     test + rt                       (PREEMPT_RT: make check-rt)
#   lat    qemu + feature + lat            (perf + the preemptoff tracer:
#          make bench-latency)
# The object directory defaults to build/obj-FLAVOUR; the kernel image is
# printed on stdout when the build succeeds. --target makes another kbuild
# target than bzImage (lib/deb.sh: bindeb-pkg). ccache is used when present,
# with the project's own cache, shared by every clone on the machine:
# CCACHE_DIR (default ~/.cache/zram-series/ccache) holding at most
# CCACHE_MAXSIZE (default 8G); the user's ccache.conf is left alone.
# Every =y/=m/=value a fragment asks for must survive in the final .config,
# otherwise the build stops and names the option; a later fragment may
# override an earlier one (rt turns PREEMPT and THP off).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The flavours: name, then its fragments (configs/NAME.config), in order.
flavours="test qemu feature debug kunit zpool
perf qemu feature
kasan qemu feature debug kunit zpool kasan
rt qemu feature debug kunit zpool rt
lat qemu feature lat
lockstat qemu feature lockstat"

flavour="test"
out=
target=bzImage
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	--tree) need_arg "$@"; TREE=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	--target) need_arg "$@"; target=$2; shift 2 ;;
	--list-flavours)
		while read -r f frags; do
			printf '%-6s %s\n' "$f" "${frags// / + }"
		done <<<"$flavours"
		exit 0 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

frags=$(awk -v f="$flavour" '$1 == f { $1 = ""; print substr($0, 2) }' <<<"$flavours")
[ -n "$frags" ] ||
	die "unknown flavour '$flavour' ($(cut -d' ' -f1 <<<"$flavours" | paste -sd' '))"
out=${out:-$BUILD/obj-$flavour}

[ -f "$TREE/Makefile" ] || die "no kernel tree at $TREE: run lib/tree.sh first"
need_cmd make gcc flex bison bc
mkdir -p "$out"
out=$(cd "$out" && pwd)

files=()
for f in $frags; do
	files+=("$TOP/configs/$f.config")
done

kbuild_env

stamp=$(cat "${files[@]}" | sha1sum | cut -c1-40)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.fragments" 2>/dev/null)" != "$stamp" ]; then
	note "configuring $flavour in $out ($frags)"
	(cd "$TREE" && scripts/kconfig/merge_config.sh -n -O "$out" "${files[@]}") \
		>"$out/merge_config.log" 2>&1 ||
		{ tail -n 20 "$out/merge_config.log" >&2; die "merge_config.sh failed"; }
	bad=0
	for i in "${!files[@]}"; do
		f=${files[$i]}
		# An option a later fragment sets again is that fragment's to check.
		later=$(cat "${files[@]:i+1}" /dev/null | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p')
		while IFS= read -r line; do
			opt=${line%%=*}
			grep -qxF -- "$opt" <<<"$later" && continue
			case $line in
			CONFIG_*=n)
				if grep -q "^$opt=" "$out/.config"; then
					note "$f: $opt is set but the fragment asks for n"; bad=1
				fi ;;
			CONFIG_*=*)
				if ! grep -qxF "$line" "$out/.config"; then
					note "$f: '$line' did not survive: $(grep "^$opt=\|$opt is not set" "$out/.config" || echo unset)"
					bad=1
				fi ;;
			esac
		done < <(sed 's/[[:space:]]*#.*//' "$f")
	done
	[ $bad -eq 0 ] || { rm -f "$out/.fragments"; die "config fragments not satisfied (see above; log: $out/merge_config.log)"; }
	echo "$stamp" >"$out/.fragments"
fi

note "building $flavour $target in $out"
if ! make -C "$TREE" O="$out" CC="$KBUILD_CC" -j"$(nproc)" "$target" >"$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -n 20 >&2
	die "kernel build failed (log: $out/build.log)"
fi
echo "$out/arch/x86/boot/bzImage"

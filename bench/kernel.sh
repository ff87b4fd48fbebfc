#!/bin/bash
# kernel.sh - source tree and bzImage of one kernel the benchmarks compare.
#
# Usage: bench/kernel.sh [--flavour F] [--root DIR] NAME
#
# NAME is one of:
#   base     Debian's 6.12 as unpacked (the commit named in BASE)
#   pinned   base + bench/pinned.patch (zsmalloc pages unmovable, pre-2016)
#   series   base + the patches named in patches/series, with 'git am'
# The source is a clone of build/linux's base commit in DIR/NAME/src
# (build/linux itself is only read), the objects go to DIR/NAME/obj: the
# same relative layout for every NAME, so ccache hits across the builds.
# The tree is re-made only when the patches (or the base commit) change,
# recorded in DIR/NAME/stamp; the build is lib/build.sh --flavour F,
# incremental. Prints the bzImage on stdout.
#
# Options:
#   --flavour F   build flavour (default perf: 'make bench'; 'make
#                 bench-latency' uses lat)
#   --root DIR    where the trees go (default build/bench-src)
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

flavour=perf root=$BUILD/bench-src name=
while [ $# -gt 0 ]; do
	case $1 in
	--flavour) need_arg "$@"; flavour=$2; shift 2 ;;
	--root) need_arg "$@"; root=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	base|pinned|series) [ -z "$name" ] || die "one kernel name only (see --help)"; name=$1; shift ;;
	*) die "unknown kernel or option '$1' (kernels: base, pinned, series; see --help)" ;;
	esac
done
[ -n "$name" ] || die "no kernel name given (base, pinned or series; see --help)"
need_cmd git sha1sum

read -r _ base_commit <"$TOP/BASE"
git -C "$TREE" cat-file -e "$base_commit^{commit}" 2>/dev/null ||
	die "$TREE lacks the base commit $base_commit: run lib/tree.sh"

patches=()
case $name in
pinned) patches=("$TOP/bench/pinned.patch") ;;
series)
	while read -r p; do
		[ -n "$p" ] && patches+=("$TOP/patches/$p")
	done < <(sed 's/#.*//; s/[[:space:]]*$//' "$TOP/patches/series")
	[ ${#patches[@]} -gt 0 ] || die "patches/series names no patch"
	;;
esac
for p in "${patches[@]}"; do
	[ -f "$p" ] || die "patch $p not found"
done

dir=$root/$name
src=$dir/src
stamp=$( { echo "$base_commit"; [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; } |
	sha1sum | cut -c1-40)
mkdir -p "$dir"
if [ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ] || [ ! -f "$src/Makefile" ]; then
	note "$name: making the source tree in $src"
	rm -f "$dir/stamp"
	if [ ! -d "$src/.git" ]; then
		rm -rf "$src"
		# A local clone hard-links build/linux's objects: no copy, and
		# nothing here depends on build/linux staying as it is.
		git clone -q --no-checkout "$TREE" "$src" || die "git clone of $TREE failed"
	fi
	git -C "$src" fetch -q "$TREE" "$base_commit" 2>/dev/null || true
	git -C "$src" cat-file -e "$base_commit^{commit}" ||
		die "$src lacks the base commit $base_commit"
	git -C "$src" checkout -q -f -B bench "$base_commit"
	git -C "$src" clean -q -fdx
	git_id=(-c user.name=bench -c user.email=bench@localhost)
	case $name in
	pinned)
		git -C "$src" apply --index "${patches[0]}" ||
			die "bench/pinned.patch does not apply to $base_commit"
		git -C "$src" "${git_id[@]}" commit -q -m "bench: pinned zsmalloc pages" ;;
	series)
		git -C "$src" "${git_id[@]}" am -q "${patches[@]}" ||
			{ git -C "$src" am --abort 2>/dev/null; die "the series does not apply to $base_commit"; } ;;
	esac
	echo "$stamp" >"$dir/stamp"
fi
"$TOP/lib/build.sh" --flavour "$flavour" --tree "$src" --out "$dir/obj"

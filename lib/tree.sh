#!/bin/bash
# tree.sh - unpack Debian's linux-source-6.12 into build/linux and apply the series.
#
# Usage: lib/tree.sh [--force]
#
# build/linux becomes a git repository whose first commit (tagged 'base') is
# the unpacked source with a fixed author and date, so that the same Debian
# version always gives the same commit id. BASE records the expected version
# and commit id; a different installed version is used but reported loudly.
# The patches named in patches/series are then applied with 'git am'; a
# patch that does not apply stops the script and is named.
#
# An existing tree is reused when it already holds exactly the series. A tree
# holding commits or changes that patches/ lacks, or based on another
# package version, is left alone (export the work with lib/series.sh
# first) unless --force is given.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

force=0
while [ $# -gt 0 ]; do
	case $1 in
	--force) force=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
need_cmd git tar xz dpkg-query

read -r want_version want_commit <"$TOP/BASE"
tarball=/usr/src/linux-source-6.12.tar.xz
have_version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[ -n "$have_version" ] && [ -f "$tarball" ] ||
	die "linux-source-6.12 is not installed: run lib/deps.sh"
if [ "$have_version" != "$want_version" ]; then
	cat >&2 <<MSG
################################################################
# BASE CHANGED: the series was made against linux-source-6.12
# $want_version, this machine has $have_version.
# Going on with $have_version; patches may not apply.
################################################################
MSG
fi

git_id=(-c user.name="Debian linux-source" -c user.email="linux-source@debian.invalid")

make_base() {
	note "unpacking linux-source-6.12 $have_version into $TREE"
	rm -rf "$TREE" "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	tar -xJf "$tarball" -C "$TREE.tmp" --strip-components=1
	(
		cd "$TREE.tmp"
		git init -q -b master .
		git add -A -f .
		GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
			git "${git_id[@]}" commit -q -m "Debian linux-source-6.12 $have_version"
		git tag base
	)
	mv "$TREE.tmp" "$TREE"
}

if [ ! -d "$TREE/.git" ]; then
	[ ! -e "$TREE" ] || [ $force -eq 1 ] ||
		die "$TREE exists but is not a git tree: move it away or use --force"
	make_base
elif ! git -C "$TREE" rev-parse -q --verify base >/dev/null; then
	die "$TREE has no 'base' tag: move it away (or use --force to unpack anew)"
elif [ "$(git -C "$TREE" log -1 --format=%s base)" != "Debian linux-source-6.12 $have_version" ]; then
	# The installed package changed under an existing tree. Never throw
	# away commits: only an explicit --force unpacks the new base.
	[ $force -eq 1 ] ||
		die "$TREE is based on '$(git -C "$TREE" log -1 --format=%s base)', the installed package is $have_version: export your work (lib/series.sh), then use --force"
	make_base
fi
base_commit=$(git -C "$TREE" rev-parse base)
if [ "$have_version" = "$want_version" ] && [ "$base_commit" != "$want_commit" ]; then
	die "base commit is $base_commit, BASE expects $want_commit for $want_version: the package content changed"
fi

# Already up to date?
if "$TOP/lib/series.sh" --check >/dev/null 2>&1; then
	note "build/linux already holds the series ($(git -C "$TREE" rev-list --count base..HEAD) patches)"
	exit 0
fi

if [ $force -eq 0 ]; then
	[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
		die "build/linux has uncommitted changes: commit and export them (lib/series.sh) or use --force"
	# Every commit on the tree must be in patches/ (by patch id), or it is
	# work that would be lost.
	known=$(for p in "$TOP"/patches/*.patch; do
		[ -f "$p" ] && git -C "$TREE" patch-id --stable <"$p"
	done | awk '{print $1}' | sort -u)
	for c in $(git -C "$TREE" rev-list base..HEAD); do
		id=$(git -C "$TREE" show "$c" | git -C "$TREE" patch-id --stable | awk '{print $1}')
		grep -qx "$id" <<<"$known" ||
			die "build/linux commit $(git -C "$TREE" log -1 --format='%h %s' "$c") is not in patches/: export it (lib/series.sh) or use --force"
	done
fi

git -C "$TREE" checkout -q -f -B master base
git -C "$TREE" clean -q -fdx
n=0
if [ -f "$TOP/patches/series" ]; then
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		[ -f "$TOP/patches/$p" ] || die "patches/series names $p, which does not exist"
		if ! git -C "$TREE" -c user.name=series -c user.email=series@invalid \
			am -q --committer-date-is-author-date "$TOP/patches/$p" >/dev/null 2>&1; then
			git -C "$TREE" am --abort >/dev/null 2>&1 || true
			die "patch $p does not apply on linux-source-6.12 $have_version"
		fi
		n=$((n + 1))
	done <"$TOP/patches/series"
fi
note "build/linux: base $have_version + $n patches"

#!/bin/bash
# series.sh - export build/linux's base..HEAD to patches/, or check it is there.
#
# Usage: lib/series.sh [--check]
#
# Writes patches/NNNN-*.patch with 'git format-patch' (zero commit ids and a
# base-commit line, so that exporting an unchanged tree changes no file), a
# cover letter whose subject and text come from patches/cover-letter.txt
# (first line: subject; then a blank line and the body), and patches/series.
#
# --check exits 1, saying what differs, when build/linux holds commits or
# uncommitted changes that patches/ lacks (or the other way round).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check=0
while [ $# -gt 0 ]; do
	case $1 in
	--check) check=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
need_cmd git
[ -e "$TREE/.git" ] || die "no git tree at $TREE: run lib/tree.sh"
git -C "$TREE" rev-parse -q --verify base >/dev/null || die "$TREE has no 'base' tag"
pdir=$TOP/patches
cover=$pdir/cover-letter.txt
[ -f "$cover" ] || die "$cover is missing"

if [ $check -eq 1 ]; then
	dirty=$(git -C "$TREE" status --porcelain --untracked-files=no)
	[ -z "$dirty" ] || { echo "build/linux has uncommitted changes:"; echo "$dirty"; exit 1; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=$(git -C "$TREE" rev-list --count base..HEAD)
if [ "$n" -gt 0 ]; then
	# --cover-from-description reads the current branch's description.
	branch=$(git -C "$TREE" symbolic-ref -q --short HEAD) ||
		die "build/linux is on a detached HEAD: check out a branch"
	git -C "$TREE" -c core.abbrev=12 -c diff.noprefix=false -c diff.renames=true \
		-c branch."$branch".description="$(cat "$cover")" \
		format-patch -q --zero-commit --no-signature --base=base \
		--cover-letter --cover-from-description=subject \
		-o "$tmp" base..HEAD >/dev/null || die "git format-patch failed"
	# The cover letter's Date is 'now': pin it to the last patch's date.
	# shellcheck disable=SC2012,SC2010 # format-patch's NNNN-subject.patch names
	last=$(ls "$tmp"/0*.patch | tail -n 1)
	d=$(grep -m1 '^Date: ' "$last")
	sed -i "s/^Date: .*/$d/" "$tmp/0000-cover-letter.patch"
	# shellcheck disable=SC2010 # the same names
	(cd "$tmp" && ls [0-9]*.patch | grep -v '^0000-cover-letter' >series)
else
	: >"$tmp/series"
fi

if [ $check -eq 1 ]; then
	rc=0
	for f in "$tmp"/*; do
		b=$(basename "$f")
		cmp -s "$f" "$pdir/$b" || { echo "patches/$b differs from build/linux"; rc=1; }
	done
	for f in "$pdir"/*.patch; do
		[ -f "$f" ] || continue
		[ -f "$tmp/$(basename "$f")" ] || { echo "patches/$(basename "$f") is not in build/linux"; rc=1; }
	done
	[ $rc -eq 0 ] && echo "patches/ matches build/linux ($n patches)"
	exit $rc
fi

changed=0
for f in "$pdir"/*.patch; do
	[ -f "$f" ] || continue
	[ -f "$tmp/$(basename "$f")" ] || { rm -f "$f"; echo "removed patches/$(basename "$f")"; changed=1; }
done
for f in "$tmp"/*; do
	b=$(basename "$f")
	cmp -s "$f" "$pdir/$b" || { cp "$f" "$pdir/$b"; echo "wrote patches/$b"; changed=1; }
done
[ $changed -eq 1 ] || echo "patches/ already up to date ($n patches)"

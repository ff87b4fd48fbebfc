#!/bin/bash
# deb.sh - the series as Debian packages you can install (make deb).
#
# Usage: lib/deb.sh [--config FILE] [--out DIR]
#
# Builds build/linux (Debian's 6.12 + patches/) with the kernel's own
# 'make bindeb-pkg', out of tree in build/obj-deb, and moves the packages
# (linux-image-*, linux-libc-dev_*, and linux-headers-* when the
# configuration has modules; the perf flavour has none) and their
# .buildinfo/.changes to --out (default build/deb/), replacing those of an
# earlier run there. The configuration:
#   default        the perf flavour (configs/qemu.config + feature.config):
#                  zram, zsmalloc, zswap, compaction, CMA and virtio
#                  drivers, no debug options. It boots virtual machines
#                  (QEMU, KVM), not most real hardware: it has few drivers.
#   --config FILE  a full configuration to start from, for real hardware:
#                  Debian's own (/boot/config-$(uname -r)). feature.config
#                  is merged on top, the new options take their defaults
#                  (merge_config.sh's alldefconfig), and Debian's module
#                  signing keys, which the source package lacks, are
#                  dropped. Expect a build of hours on 2 cores.
# The kernel release ends in -zram-series (LOCALVERSION), so the packages
# install next to Debian's kernel. Prints the packages' paths.
# Exit status: non-zero on a failed build (its log named) or bad input.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

config= outdir=$BUILD/deb
while [ $# -gt 0 ]; do
	case $1 in
	--config) need_arg "$@"; config=$2; shift 2 ;;
	--out) need_arg "$@"; outdir=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -z "$config" ] || [ -f "$config" ] || die "--config: no file $config"
[ -z "$config" ] || config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")

"$TOP/lib/deps.sh" >&2
"$TOP/lib/tree.sh" >&2
need_cmd make gcc dpkg-buildpackage
obj=$BUILD/obj-deb
# The release ends in -zram-series: the perf flavour's CONFIG_LOCALVERSION
# is -zram already, a configuration given with --config gets it all here.
if [ -z "$config" ]; then
	export LOCALVERSION=-series
else
	export LOCALVERSION=-zram-series
fi
# No build-dependency check: lib/deps.sh installs what the kernel's
# debian/control asks for (debhelper, whose dh_listpackages
# debian/rules calls, among them), some under other names (gcc).
export DPKG_FLAGS=-d
# bindeb-pkg writes the packages next to the object directory.
rm -f "$(dirname "$obj")"/linux-*.deb "$(dirname "$obj")"/linux-upstream_*
if [ -z "$config" ]; then
	"$TOP/lib/build.sh" --flavour perf --out "$obj" --target bindeb-pkg >/dev/null
else
	mkdir -p "$obj"
	note "configuring $obj from $config + configs/feature.config"
	(cd "$TREE" && scripts/kconfig/merge_config.sh -O "$obj" "$config" \
		"$TOP/configs/feature.config") >"$obj/merge_config.log" 2>&1 ||
		{ tail -n 20 "$obj/merge_config.log" >&2; die "merge_config.sh failed (log: $obj/merge_config.log)"; }
	"$TREE/scripts/config" --file "$obj/.config" --set-str SYSTEM_TRUSTED_KEYS "" \
		--set-str SYSTEM_REVOCATION_KEYS "" --disable MODULE_SIG_ALL
	kbuild_env
	note "building bindeb-pkg in $obj"
	make -C "$TREE" O="$obj" CC="$KBUILD_CC" olddefconfig >"$obj/build.log" 2>&1 &&
		make -C "$TREE" O="$obj" CC="$KBUILD_CC" -j"$(nproc)" bindeb-pkg >>"$obj/build.log" 2>&1 ||
		{ grep -E 'error|Error' "$obj/build.log" | head -n 20 >&2; die "kernel build failed (log: $obj/build.log)"; }
fi
mkdir -p "$outdir"
shopt -s nullglob
pkgs=("$(dirname "$obj")"/linux-*.deb)
[ ${#pkgs[@]} -gt 0 ] || die "bindeb-pkg made no package (log: $obj/build.log)"
# The previous run's packages go: one kernel to install, not several.
rm -f "$outdir"/linux-image-*.deb "$outdir"/linux-headers-*.deb \
	"$outdir"/linux-libc-dev_*.deb "$outdir"/linux-upstream_*
mv "${pkgs[@]}" "$(dirname "$obj")"/linux-upstream_*.{buildinfo,changes} "$outdir"/
note "packages built in $((SECONDS / 60)) min $((SECONDS % 60)) s"
for p in "${pkgs[@]}"; do echo "$outdir/$(basename "$p")"; done

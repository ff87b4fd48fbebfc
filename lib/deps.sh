#!/bin/bash
# deps.sh - install what the project needs with apt-get (idempotent).
#
# Usage: lib/deps.sh [--list]
#
# Installs the kernel source (the version named in BASE when the mirror still
# has it, else the newest linux-source-6.12, said loudly), the kernel build
# dependencies, QEMU, and the tools used inside the guest (util-linux's
# zramctl, fio, stress-ng, rt-tests' cyclictest, jq) or on the host for the
# benchmarks and their report (jq, python3-matplotlib for bench/report.py),
# and debhelper for make deb (bindeb-pkg's debian/rules).
# Quiet when all is there. --list prints the package list and exits.
# Needs root (or sudo).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	build-essential bc bison flex libssl-dev libelf-dev cpio kmod git
	xz-utils zstd lz4 python3 ccache rsync
	qemu-system-x86 socat
	util-linux fio stress-ng rt-tests jq python3-matplotlib
	shellcheck pyflakes3
	libnuma-dev libcap-dev
	debhelper
)
case ${1:-} in
-h|--help) usage; exit 0 ;;
--list) printf '%s\n' linux-source-6.12 "${pkgs[@]}"; exit 0 ;;
'') ;;
*) die "unknown argument '$1' (see --help)" ;;
esac

read -r want_version _ <"$TOP/BASE"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
have_src=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
[ "$have_src" = "$want_version" ] && [ -f /usr/src/linux-source-6.12.tar.xz ] || missing+=(linux-source-6.12)
[ ${#missing[@]} -gt 0 ] || exit 0

note "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || die "apt-get update failed"
apt_args=()
for p in "${missing[@]}"; do
	if [ "$p" != linux-source-6.12 ]; then
		apt_args+=("$p")
	elif apt-cache madison linux-source-6.12 | awk '{print $3}' | grep -qxF "$want_version"; then
		apt_args+=("linux-source-6.12=$want_version")
	else
		newest=$(apt-cache madison linux-source-6.12 | awk 'NR==1 {print $3}')
		[ -n "$newest" ] || die "no linux-source-6.12 package in the apt sources"
		cat >&2 <<MSG
################################################################
# linux-source-6.12 $want_version (named in BASE) is no longer on
# the mirror; installing the newest, $newest, instead.
################################################################
MSG
		apt_args+=(linux-source-6.12)
	fi
done
$sudo apt-get install -y -qq --no-install-recommends --allow-downgrades "${apt_args[@]}" >/dev/null ||
	die "apt-get install failed for: ${missing[*]}"
note "installed: ${missing[*]}"

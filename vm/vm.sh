#!/bin/bash
# vm.sh - boot a kernel under QEMU, run one command inside, return its status.
#
# Usage: vm/vm.sh --kernel BZIMAGE [options] -- COMMAND [ARG...]
#
# The guest's root is the host's root shared read-only over virtio-9p, with
# tmpfs over /tmp, /run, /root, /var/...; vm/init runs COMMAND from the
# repository's top directory and stores its exit status. A host directory is
# shared read-write at /run/out (the guest sees it in $VM_OUT).
#
# Options:
#   --kernel FILE     bzImage to boot (required)
#   --mem SIZE        guest memory (default 2G)
#   --cpus N          vCPUs (default 2)
#   --numa N          split memory and CPUs into N NUMA nodes (default 1)
#   --append ARGS     extra kernel command line (cma=, movablecore=, ...)
#   --env NAME=VALUE  set a variable for COMMAND (repeatable)
#   --dimm SIZE       cold-plug a pc-dimm of SIZE, onlined movable (repeatable)
#   --cpu-flags LIST  added to the CPU model (max under TCG, host under
#                     KVM), e.g. hypervisor=off: CPUID without the
#                     hypervisor bit, so that x86 spinlocks stay queued
#                     spinlocks instead of virt_spin_lock()'s test-and-set
#   --balloon         add a virtio-balloon device
#   --qmp SOCKET      QMP unix socket, for a host-side controller
#   --timeout SEC     kill the guest after SEC seconds (default 900)
#   --out DIR         host directory for /run/out (default: fresh temp dir
#                     under build/vm)
#   --log FILE        serial log (default: DIR/serial.log)
#   --accel MODE      auto (default), kvm or tcg. auto probes KVM once with a
#                     short boot and falls back to TCG; the answer is kept in
#                     build/accel.
#   --quiet           do not copy the serial console to stdout
#
# Exit status: COMMAND's, or 124 when the guest timed out, 125 when it died
# (panic, reset) before COMMAND finished. The serial log path is printed on
# any failure.
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

kernel= mem=2G cpus=2 numa=1 append= balloon=0 qmp= timeout=900 out= log=
accel=auto quiet=0 dimms=() envs=() cpu_flags=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) need_arg "$@"; kernel=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--cpus) need_arg "$@"; cpus=$2; shift 2 ;;
	--numa) need_arg "$@"; numa=$2; shift 2 ;;
	--append) need_arg "$@"; append=$2; shift 2 ;;
	--dimm) need_arg "$@"; dimms+=("$2"); shift 2 ;;
	--env) need_arg "$@"; envs+=("$2"); shift 2 ;;
	--cpu-flags) need_arg "$@"; cpu_flags=$2; shift 2 ;;
	--balloon) balloon=1; shift ;;
	--qmp) need_arg "$@"; qmp=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout=$2; shift 2 ;;
	--out) need_arg "$@"; out=$2; shift 2 ;;
	--log) need_arg "$@"; log=$2; shift 2 ;;
	--accel) need_arg "$@"; accel=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given (see --help)"
[ -n "$kernel" ] || die "--kernel is required"
[ -f "$kernel" ] || die "kernel image '$kernel' not found: run lib/build.sh"
need_cmd qemu-system-x86_64 timeout

if [ -z "$out" ]; then
	mkdir -p "$BUILD/vm"
	out=$(mktemp -d "$BUILD/vm/run.XXXXXX")
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=${log:-$out/serial.log}
rm -f "$out/rc" "$out/cmd"

# The command, run by vm/init from the repository's top directory.
{
	echo "export VM_OUT=/run/out"
	for e in "${envs[@]}"; do
		printf 'export %q\n' "$e"
	done
	printf 'cd %q || exit 126\n' "$TOP"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$out/cmd"

# to_mb SIZE: 2G -> 2048, 512M -> 512.
to_mb() {
	case $1 in
	[0-9]*[Gg]) echo $(( ${1%?} * 1024 )) ;;
	[0-9]*[Mm]) echo "${1%?}" ;;
	*) die "'$1' is not a size like 2G or 512M" ;;
	esac
}
mem_mb=$(to_mb "$mem")

# shellcheck disable=SC2054 # QEMU's comma-separated values are one word each
qemu_args=(
	-nodefaults -no-reboot -display none -vga none
	-machine q35
	-kernel "$kernel"
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
	-fsdev "local,id=out,path=$out,security_model=none"
	-device virtio-9p-pci,fsdev=out,mount_tag=out
	-fsdev "local,id=top,path=$TOP,security_model=none,readonly=on"
	-device virtio-9p-pci,fsdev=top,mount_tag=top
	-chardev "stdio,id=ser0,signal=off,logfile=$log"
	-serial chardev:ser0
)
if [ ${#dimms[@]} -gt 0 ]; then
	total=0
	for d in "${dimms[@]}"; do
		total=$((total + $(to_mb "$d")))
	done
	qemu_args+=(-m "${mem_mb}M,slots=$(( ${#dimms[@]} + 1 )),maxmem=$((mem_mb + total + 1024))M")
	append="$append memhp_default_state=online_movable"
else
	qemu_args+=(-m "${mem_mb}M")
fi
if [ "$numa" -gt 1 ]; then
	# One socket per node, or the scheduler warns that cache siblings
	# sit on different nodes.
	[ $((cpus % numa)) -eq 0 ] || die "--cpus must be a multiple of --numa"
	qemu_args+=(-smp "$cpus,sockets=$numa,cores=$((cpus / numa)),threads=1")
	per=$((mem_mb / numa))
	for ((n = 0; n < numa; n++)); do
		qemu_args+=(-object "memory-backend-ram,id=node$n,size=${per}M"
			-numa "node,nodeid=$n,memdev=node$n,cpus=$((n * cpus / numa))-$(((n + 1) * cpus / numa - 1))")
	done
	[ $((per * numa)) -eq "$mem_mb" ] || die "--mem must divide evenly into $numa nodes"
else
	qemu_args+=(-smp "$cpus")
fi
i=0
for d in "${dimms[@]}"; do
	qemu_args+=(-object "memory-backend-ram,id=dimm$i,size=$d"
		-device "pc-dimm,id=dimm$i,memdev=dimm$i")
	i=$((i + 1))
done
# shellcheck disable=SC2054 # one word
[ $balloon -eq 0 ] || qemu_args+=(-device virtio-balloon-pci,id=balloon0)
[ -z "$qmp" ] || qemu_args+=(-qmp "unix:$qmp,server=on,wait=off")

cmdline="console=ttyS0 root=/dev/root rootfstype=9p ro"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose"
cmdline+=" init=$TOP/vm/init vmtop=$TOP panic=-1 oops=panic loglevel=7 $append"

# run_qemu ACCEL TIMEOUT: boot once, serial to $log (and stdout unless quiet).
run_qemu() {
	local a=$1 t=$2 cpu=max
	[ "$a" = kvm ] && cpu=host
	[ -z "$cpu_flags" ] || cpu+=",$cpu_flags"
	[ "$a" = tcg ] && a="tcg,thread=multi"
	if [ $quiet -eq 1 ]; then
		timeout -k 5 "$t" qemu-system-x86_64 -accel "$a" -cpu "$cpu" "${qemu_args[@]}" \
			-append "$cmdline" </dev/null >/dev/null 2>"$out/qemu.err"
	else
		timeout -k 5 "$t" qemu-system-x86_64 -accel "$a" -cpu "$cpu" "${qemu_args[@]}" \
			-append "$cmdline" </dev/null 2>"$out/qemu.err"
	fi
}

if [ "$accel" = auto ]; then
	if [ -f "$BUILD/accel" ]; then
		accel=$(cat "$BUILD/accel")
	elif [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		note "probing KVM with a 60 s boot"
		mv "$out/cmd" "$out/cmd.real"
		echo "exit 0" >"$out/cmd"
		if run_qemu kvm 60 >/dev/null 2>&1 && [ "$(cat "$out/rc" 2>/dev/null)" = 0 ]; then
			accel=kvm
		else
			note "KVM guest did not come up (log: $log); using TCG"
			accel=tcg
		fi
		mv "$out/cmd.real" "$out/cmd"
		rm -f "$out/rc"
		: >"$log"
		echo "$accel" >"$BUILD/accel"
	else
		accel=tcg
		echo "$accel" >"$BUILD/accel"
	fi
fi

if [ "$accel" = tcg ]; then
	# Under TCG each vCPU is a host thread; with more vCPUs than host
	# cores one can go unscheduled for tens of seconds, which the guest's
	# soft-lockup and RCU stall detectors report as a stuck CPU. Give them
	# their largest thresholds (120 s and 300 s); hung tasks: 300 s.
	cmdline+=" watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300"
fi
note "booting $(basename "$kernel") ($accel, $cpus cpus, $mem) for: $*"
set +e
run_qemu "$accel" "$timeout"
qrc=$?
set -e
if [ -f "$out/rc" ]; then
	rc=$(cat "$out/rc")
	[ "$rc" -eq 0 ] || note "guest command failed with $rc (serial log: $log)"
	exit "$rc"
fi
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
	note "guest timed out after ${timeout}s and was killed (serial log: $log)"
	exit 124
fi
grep -m1 -E 'Kernel panic|BUG:|Oops' "$log" >&2 || true
[ -s "$out/qemu.err" ] && cat "$out/qemu.err" >&2
note "guest died before the command finished (qemu status $qrc, serial log: $log)"
exit 125

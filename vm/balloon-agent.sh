#!/bin/bash
# balloon-agent.sh - resize a guest's virtio-balloon on the guest's request.
#
# Usage: vm/balloon-agent.sh --qmp SOCKET --dir OUT_DIR [--timeout SEC]
#
# The guest cannot talk to QMP, so this host-side process does it for it.
# Start it before the guest boots (in the background), with the QMP socket
# that vm/vm.sh gets through --qmp and the directory given to vm.sh's
# --out (the guest's $VM_OUT); the guest needs --balloon.
#
# Protocol, through files in OUT_DIR:
#   balloon-request  written by the guest: "SEQ MIB", SEQ a number that
#                    grows with each request, MIB the guest memory size
#                    to balloon to (QMP 'balloon'; the full RAM size
#                    deflates the balloon completely)
#   balloon-ack      written by the agent once QEMU took the request:
#                    "SEQ ok ACTUAL_MIB" or "SEQ error MESSAGE", ACTUAL_MIB
#                    the size QEMU reports at once (the balloon moves
#                    later, as the guest's driver gets to it)
# The guest should write balloon-request.tmp and rename it, so that the
# agent never reads half a request.
#
# The agent sends 'qmp_capabilities' and 'balloon' over a new connection
# for each request, with socat. It exits when QEMU has gone (the socket
# stops accepting connections, or OUT_DIR/rc appears), when the socket
# does not appear within 120 s, or after --timeout seconds (default 900).
# Its log goes to OUT_DIR/balloon-agent.log.
#
# Example:
#   vm/balloon-agent.sh --qmp build/vm/b/qmp.sock --dir build/vm/b &
#   vm/vm.sh ... --out build/vm/b --balloon --qmp build/vm/b/qmp.sock \
#       --env ZRAM_BALLOON_DIR=/run/out -- ...
set -euo pipefail
. "$(dirname "$0")/../lib/lib.sh"

qmp= dir= timeout=900
while [ $# -gt 0 ]; do
	case $1 in
	--qmp) need_arg "$@"; qmp=$2; shift 2 ;;
	--dir) need_arg "$@"; dir=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[ -n "$qmp" ] && [ -n "$dir" ] || die "--qmp and --dir are required (see --help)"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout takes seconds"
need_cmd socat
mkdir -p "$dir"
log=$dir/balloon-agent.log
: >"$log"
rm -f "$dir/balloon-request" "$dir/balloon-ack"
start=$(date +%s)

say()
{
	echo "$(date +%T) $*" >>"$log"
}

# qmp CMD...: send 'qmp_capabilities' and each CMD (JSON) on one connection,
# print QEMU's replies, one per line.
qmp()
{
	{ echo '{"execute":"qmp_capabilities"}'; printf '%s\n' "$@"; } |
		socat -t 3 - "UNIX-CONNECT:$qmp" 2>/dev/null || true
}

alive()
{
	[ -S "$qmp" ] || return 1
	# vm/init writes rc when the command is done (vm.sh removed any
	# old one before starting QEMU, so an old file is from a past run).
	if [ -e "$dir/rc" ] && [ "$(stat -c %Y "$dir/rc")" -ge "$start" ]; then
		return 1
	fi
	socat -u OPEN:/dev/null "UNIX-CONNECT:$qmp" 2>/dev/null
}

say "waiting for $qmp"
while ! alive; do
	if [ $(( $(date +%s) - start )) -ge 120 ]; then
		say "no QEMU on $qmp after 120 s, giving up"
		exit 1
	fi
	sleep 1
done
say "QEMU is up"

last=
checked=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$timeout" ]; do
	if [ -s "$dir/balloon-request" ]; then
		seq= mib=
		read -r seq mib <"$dir/balloon-request" || true
		if [ "$seq" != "$last" ]; then
			last=$seq
			if [[ ! $mib =~ ^[0-9]+$ ]]; then
				echo "$seq error bad size '$mib'" >"$dir/balloon-ack"
				say "request $seq: bad size '$mib'"
				continue
			fi
			reply=$(qmp "{\"execute\":\"balloon\",\"arguments\":{\"value\":$((mib << 20))}}" \
				'{"execute":"query-balloon"}')
			say "request $seq: $mib MiB: $(echo "$reply" | tr -d '\n')"
			actual=$(echo "$reply" | sed -n 's/.*"actual": *\([0-9]*\).*/\1/p' | tail -1)
			if echo "$reply" | grep -q '"error"' || [ -z "$actual" ]; then
				echo "$seq error $(echo "$reply" | grep -m1 '"error"' | tr -d '\n')" \
					>"$dir/balloon-ack.tmp"
			else
				echo "$seq ok $((actual >> 20))" >"$dir/balloon-ack.tmp"
			fi
			mv "$dir/balloon-ack.tmp" "$dir/balloon-ack"
		fi
	fi
	# Checking that QEMU lives costs a QMP connection: not every time.
	if [ $(( $(date +%s) - checked )) -ge 5 ]; then
		alive || { say "QEMU has gone, exiting"; exit 0; }
		checked=$(date +%s)
	fi
	sleep 0.5
done
say "timeout after $timeout s, exiting"
exit 0

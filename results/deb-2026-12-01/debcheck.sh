#!/bin/sh
uname -r
modprobe zram 2>/dev/null
echo 64M > /sys/block/zram0/disksize
dd if=/dev/urandom bs=1M count=8 2>/dev/null | base64 > /dev/zram0
sync
echo 1 > /proc/sys/vm/compact_memory
echo "mm_stat: $(cat /sys/block/zram0/mm_stat)"
mount -t debugfs none /sys/kernel/debug 2>/dev/null
echo "migration:"; cat /sys/kernel/debug/zsmalloc/zram0/migration

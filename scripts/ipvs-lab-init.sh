#!/bin/busybox sh
# /init of the IPVS lab guest (built into initrd.cpio by ipvs-lab.sh). Loads the modules,
# mounts the host's / (9p tag "hostroot", read-only) under a RAM overlay so the guest may
# write without reaching the host, mounts the exchange share (9p tag "xfer") at /tmp/xfer,
# runs /tmp/xfer/job.sh chrooted into that root, and powers off through qemu's
# isa-debug-exit port: qemu then exits with (code << 1) | 1, so 1 = job passed.
/bin/busybox --install -s /bin
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/mods/order); do
  insmod "/lib/mods/$m" 2>/dev/null || echo "ipvs-lab: insmod $m failed"
done
ip link set lo up
mkdir -p /host /lower /rw
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /lower \
  || echo "ipvs-lab: cannot mount the host root"
mount -t tmpfs -o size=512m rw /rw && mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /host \
  || { echo "ipvs-lab: no overlay, the root stays read-only"; mount --move /lower /host; }
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
mkdir -p /host/tmp/xfer
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 xfer /host/tmp/xfer \
  || echo "ipvs-lab: cannot mount the xfer share"
echo "ipvs-lab: guest ready at $(cut -d' ' -f1 /proc/uptime) s"
chroot /host /bin/sh -c 'cd /tmp/xfer && exec /bin/sh ./job.sh' </dev/console >/dev/console 2>&1
code=$?
echo "ipvs-lab: job exit $code at $(cut -d' ' -f1 /proc/uptime) s"
sync
[ "$code" -gt 0 ] && code=1
printf "\\$(printf %03o "$code")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
poweroff -f

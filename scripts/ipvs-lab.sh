#!/bin/bash
# Builds the IPVS lab: Debian's own kernel (it has ip_vs; the host kernel may not) booted
# under qemu by test/netns/lvs-ipvs.test.ts. Produces OUT/vmlinux (the raw ELF, booted
# through PVH: no xz decompression under TCG), OUT/initrd.cpio (static busybox, the
# ip_vs/9p/virtio/overlay modules in load order, ipvs-lab-init.sh as /init) and
# OUT/stamp. The guest runs the host's own /usr/bin/node and /usr/sbin/ipvsadm over a
# read-only 9p share of /, so those come from the host's packages.
#
# usage: scripts/ipvs-lab.sh [OUT]   (OUT default: $KTS_IPVS_LAB or /tmp/kts-lvs-lab/build)
# Idempotent: returns at once when OUT/stamp matches this recipe. Fails loudly (exit 1,
# the reason on stderr) when a package, the kernel or a build step is missing.
# The kernel package is fetched with `apt-get download` and unpacked with `dpkg-deb -x`:
# installing linux-image-* would run update-initramfs for minutes and touch /boot.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-${KTS_IPVS_LAB:-/tmp/kts-lvs-lab/build}}
INIT=$HERE/ipvs-lab-init.sh
# Every scheduler 6.1 offers (twos came in 6.7; the guest cannot autoload: its chroot has no modules of
# this kernel), 9p + overlay for the host root, virtio for the shares, dummy for the
# sync daemon's interface, the SIP persistence engine (persistence_engine sip).
MODS="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh
      ip_vs_sed ip_vs_nq ip_vs_mh ip_vs_fo ip_vs_ovf ip_vs_pe_sip
      9p 9pnet_virtio virtio_pci overlay dummy"
# command:package pairs the build and the test need on the host.
NEEDS="qemu-system-x86_64:qemu-system-x86 busybox:busybox-static modprobe:kmod depmod:kmod
       cpio:cpio xz:xz-utils ipvsadm:ipvsadm dpkg-deb:dpkg timeout:coreutils"

die() { echo "ipvs-lab: $*" >&2; exit 1; }
log() { echo "ipvs-lab: $*" >&2; }
[ "$(id -u)" = 0 ] || die "run as root (apt-get, depmod)"

# The stamp names the recipe (this script, the init, the module list) and the kernel.
recipe=$(cat "$0" "$INIT" | sha256sum | cut -c1-16)
if [ -s "$OUT/stamp" ] && [ -s "$OUT/vmlinux" ] && [ -s "$OUT/initrd.cpio" ] \
   && grep -qx "recipe $recipe" "$OUT/stamp"; then
  missing=""
  for c in $NEEDS; do command -v "${c%%:*}" >/dev/null || missing="$missing ${c#*:}"; done
  [ -z "$missing" ] && exit 0
  log "lab built but packages are gone:$missing; rebuilding"
fi

t0=$(date +%s.%N)
missing=""
for c in $NEEDS; do command -v "${c%%:*}" >/dev/null || missing="$missing ${c#*:}"; done
# The initramfs needs the static busybox (the dynamic one would need its libraries).
case "$missing " in *" busybox-static "*) ;; *) dpkg -s busybox-static >/dev/null 2>&1 || missing="$missing busybox-static" ;; esac
if [ -n "$missing" ]; then
  log "installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing >&2
fi
for c in $NEEDS; do command -v "${c%%:*}" >/dev/null || die "${c%%:*} (${c#*:}) is missing after install"; done
# ldd succeeds only on a dynamic executable.
ldd "$(command -v busybox)" >/dev/null 2>&1 && die "busybox is dynamically linked: need busybox-static"

mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d "${OUT%/}.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
pkg=$(kernel_pkg)
[ -n "$pkg" ] || { apt-get update -q >&2; pkg=$(kernel_pkg); }
[ -n "$pkg" ] || die "apt-cache cannot resolve linux-image-amd64 to a kernel package"
KVER=${pkg#linux-image-}
# As root into a private directory: apt's _apt sandbox user could not write there.
dl() { apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2; }
log "fetching $pkg (apt-get download + dpkg-deb -x; /boot untouched)"
(cd "$WORK" && { dl || { apt-get update -q >&2 && dl; }; }) \
  || die "apt-get download $pkg failed"
KROOT=$WORK/kroot
dpkg-deb -x "$WORK/${pkg}"_*.deb "$KROOT" || die "dpkg-deb -x failed"
rm -f "$WORK/${pkg}"_*.deb
VMLINUZ=$KROOT/boot/vmlinuz-$KVER
[ -s "$VMLINUZ" ] || die "no $VMLINUZ in $pkg"
depmod -b "$KROOT" "$KVER" || die "depmod failed"

# Debian's bzImage carries an xz stream; the ELF inside boots through PVH (CONFIG_PVH=y).
off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$VMLINUZ" | head -1 | cut -d: -f1)
[ -n "$off" ] || die "no xz stream in $VMLINUZ"
tail -c +$((off + 1)) "$VMLINUZ" | xz -dc 2>/dev/null > "$WORK/vmlinux" || true # trailing data after the stream
[ "$(head -c4 "$WORK/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "vmlinux extraction failed (not an ELF)"

ROOT=$WORK/initrd
mkdir -p "$ROOT"/{bin,proc,sys,dev,tmp,lib/mods}
cp "$(command -v busybox)" "$ROOT/bin/busybox"
: > "$ROOT/lib/mods/order"
# shellcheck disable=SC2086
for m in $MODS; do
  modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}' | grep . \
    || die "module $m not found in $pkg"
done | awk '!seen[$0]++' | while read -r ko; do
  base=$(basename "$ko"); base=${base%.xz}; base=${base%.zst}
  case "$ko" in
    *.xz) xz -dc "$ko" > "$ROOT/lib/mods/$base" ;;
    *.zst) zstd -qdc "$ko" > "$ROOT/lib/mods/$base" ;;
    *) cp "$ko" "$ROOT/lib/mods/$base" ;;
  esac
  echo "$base" >> "$ROOT/lib/mods/order"
done
grep -qx 'ip_vs.ko' "$ROOT/lib/mods/order" || die "ip_vs.ko missing from the initramfs"
cp "$INIT" "$ROOT/init" && chmod 755 "$ROOT/init"
(cd "$ROOT" && find . -print0 | cpio --null -o -H newc --quiet) > "$WORK/initrd.cpio"

mkdir -p "$OUT"
rm -f "$OUT/stamp"
mv -f "$WORK/vmlinux" "$OUT/vmlinux"
mv -f "$WORK/initrd.cpio" "$OUT/initrd.cpio"
printf 'recipe %s\nkernel %s\nmodules %s\n' "$recipe" "$pkg" "$(wc -l < "$ROOT/lib/mods/order")" > "$OUT/stamp"
log "built $OUT (kernel $KVER, initrd $(du -h "$OUT/initrd.cpio" | cut -f1)) in $(echo "$t0 $(date +%s.%N)" | awk '{printf "%.1f", $2-$1}') s"

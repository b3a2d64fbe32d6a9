#!/bin/bash
# Builds the test guest: Debian's kernel and a busybox initramfs with the virtio, 9p and
# virtio-serial modules, and (given AGENT_BIN_DIR) vms-agentd and vms-agent with their libraries.
# Output: OUTDIR/vmlinuz and OUTDIR/initrd.img.
# Rebuilt only when an input changes (this script, the init, the kernel or busybox package, the agent).
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail

OUTDIR=${1:?usage: build.sh OUTDIR [AGENT_BIN_DIR]}
AGENT_BIN_DIR=${2:-}
AGENT_BINS=()
if [ -n "$AGENT_BIN_DIR" ]; then
    AGENT_BINS=("$AGENT_BIN_DIR/vms-agentd" "$AGENT_BIN_DIR/vms-agent")
    for b in "${AGENT_BINS[@]}"; do [ -x "$b" ] || { echo "build.sh: $b is not built" >&2; exit 70; }; done
fi
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${APPLIANCE_IMAGE_CACHE:-/var/cache/appliance/images}
MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover
virtio_net virtio_console netfs fscache 9pnet 9pnet_virtio 9p evdev button"

KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$KPKG" ] || { echo "build.sh: cannot resolve the kernel package; run 'apt-get update' first" >&2; exit 69; }
KVER=$(apt-cache policy "$KPKG" | awk '/Candidate:/{print $2}')
BBVER=$(dpkg-query -W -f '${Version}' busybox-static)

STAMP_WANT=$( (echo "$KPKG $KVER $BBVER $MODULES"; cat "$0" "$HERE/init" "$HERE/udhcpc.script" "${AGENT_BINS[@]}") | sha256sum | cut -c1-16)
if [ -f "$OUTDIR/stamp" ] && [ "$(cat "$OUTDIR/stamp")" = "$STAMP_WANT" ] \
   && [ -f "$OUTDIR/vmlinuz" ] && [ -f "$OUTDIR/initrd.img" ]; then
    echo "test guest image is up to date ($OUTDIR)"
    exit 0
fi

echo "building the test guest image in $OUTDIR ($KPKG $KVER, busybox $BBVER)"
mkdir -p "$CACHE" "$OUTDIR"
DEB="$CACHE/${KPKG}_${KVER}.deb"
if [ ! -f "$DEB" ]; then
    (cd "$CACHE" && apt-get download -q "$KPKG=$KVER" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    mv "$CACHE/${KPKG}_"*"${KVER#*:}"*_amd64.deb "$DEB" 2>/dev/null || true
    [ -f "$DEB" ] || { echo "build.sh: could not download $KPKG" >&2; exit 69; }
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
dpkg-deb -x "$DEB" "$WORK/kernel"
ROOT="$WORK/root"
mkdir -p "$ROOT"/{bin,sbin,etc/acpi/PWRF,proc,sys,dev,lib/modules,mnt,run,tmp,var/run,var/log}
cp /bin/busybox "$ROOT/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"
done
MODDIR=$(echo "$WORK"/kernel/lib/modules/*)
for m in $MODULES; do
    f=$(find "$MODDIR" -name "$m.ko" -o -name "$m.ko.xz" | head -n1)
    [ -n "$f" ] || { echo "build.sh: module $m not found in $KPKG" >&2; exit 70; }
    case "$f" in *.xz) xz -dc "$f" > "$ROOT/lib/modules/$m.ko" ;; *) cp "$f" "$ROOT/lib/modules/$m.ko" ;; esac
done
echo $MODULES > "$ROOT/etc/modules-order"
install -m 0755 "$HERE/init" "$ROOT/init"
# The agent and the shared libraries it needs, at the paths its loader expects.
if [ ${#AGENT_BINS[@]} -gt 0 ]; then
    mkdir -p "$ROOT/usr/bin"
    for b in "${AGENT_BINS[@]}"; do
        install -m 0755 "$b" "$ROOT/usr/bin/"
        strip "$ROOT/usr/bin/$(basename "$b")"
        for lib in $(ldd "$b" | awk '/=> \//{print $3} /^[ \t]*\/lib/{print $1}'); do
            mkdir -p "$ROOT$(dirname "$lib")"
            [ -f "$ROOT$lib" ] || cp -L "$lib" "$ROOT$lib"
        done
    done
fi
install -m 0755 "$HERE/udhcpc.script" "$ROOT/etc/udhcpc.script"
printf '#!/bin/sh\n# Restarts vms-agentd when it exits, as systemd does in a full guest.\nwhile true; do vms-agentd >> /tmp/vms-agentd.log 2>&1; sleep 1; done\n' > "$ROOT/bin/vms-agentd-supervise"
chmod 0755 "$ROOT/bin/vms-agentd-supervise"
printf '#!/bin/sh\necho "appliance-test-guest: power button, powering off" > /dev/kmsg\npoweroff -f\n' > "$ROOT/etc/acpi/PWRF/00000080"
chmod 0755 "$ROOT/etc/acpi/PWRF/00000080"

(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUTDIR/initrd.img.new"
cp "$WORK"/kernel/boot/vmlinuz-* "$OUTDIR/vmlinuz.new"
chmod 0644 "$OUTDIR/initrd.img.new" "$OUTDIR/vmlinuz.new"
mv "$OUTDIR/initrd.img.new" "$OUTDIR/initrd.img"
mv "$OUTDIR/vmlinuz.new" "$OUTDIR/vmlinuz"
echo "$STAMP_WANT" > "$OUTDIR/stamp"
echo "test guest image built: $OUTDIR/vmlinuz $OUTDIR/initrd.img"

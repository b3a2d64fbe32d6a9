#!/bin/bash
# Builds a VMS guest image: Debian 12 with one real VMS product (KIND motion: motion 4.5.1;
# KIND zoneminder: ZoneMinder 1.36 with MariaDB and Apache), systemd as PID 1, DHCP on the virtio
# NIC, a root shell on the serial console, the appliance's 9p share and a unit for the agent.
#
#   build.sh KIND OUTDIR [AGENT_BIN_DIR]
#
# Output: OUTDIR/vmlinuz, OUTDIR/initrd.img, OUTDIR/rootfs.qcow2 (ext4 on the whole disk; boot
# with "root=/dev/vda console=ttyS0"); for zoneminder also OUTDIR/zm-admin.pass (root only).
# Boot every VM from its own overlay, never from rootfs.qcow2 itself:
#   qemu-img create -f qcow2 -F qcow2 -b OUTDIR/rootfs.qcow2 VM.qcow2
# A rebuild replaces rootfs.qcow2: make new overlays after one.
#
# Two stages, each redone only when its inputs change:
#  1. the tree (minutes): mmdebstrap from this machine's Debian apt sources, then the files under
#     common/ and KIND/. Keyed on this script, the package lists, those files, and apt's candidate
#     version of every listed package. Cached in $APPLIANCE_IMAGE_CACHE/vms-KIND/tree.
#  2. the disk (under a minute): the tree plus vms-agentd, vms-agent, vms-wall (and vms-adapter if built) from AGENT_BIN_DIR
#     (hard-linked staging copy; the cached tree is never modified), mkfs.ext4 -d, qemu-img convert.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
umask 022
HERE=$(cd "$(dirname "$0")" && pwd)

# Called by mmdebstrap's customize hook: put our files into the new root and configure it.
if [ "${1:-}" = --customize-root ]; then
    KIND=$2 ROOT=$3
    for src in "$HERE/common/rootfs" "$HERE/$KIND/rootfs"; do
        # Files only, owned by root, never group/world-writable; directories the packages made keep
        # their owner and mode.
        (cd "$src" && find . -type f -o -type l | LC_ALL=C sort) \
            | tar -C "$src" --owner=0 --group=0 --numeric-owner --mode=go-w --no-recursion -T - -cf - \
            | tar -C "$ROOT" -xf -
    done
    # The agent's unit is the project's one (systemd/), as for every daemon.
    install -m 0644 "$HERE/../../systemd/vms-agentd.service" "$ROOT/etc/systemd/system/vms-agentd.service"
    install -m 0644 "$HERE/../../systemd/vms-wall.service" "$ROOT/etc/systemd/system/vms-wall.service"
    install -m 0755 "$HERE/common/setup.sh" "$ROOT/tmp/common-setup.sh"
    install -m 0755 "$HERE/$KIND/setup.sh" "$ROOT/tmp/$KIND-setup.sh"
    chroot "$ROOT" /tmp/common-setup.sh "vms-$KIND"
    chroot "$ROOT" "/tmp/$KIND-setup.sh"
    rm -f "$ROOT/tmp/common-setup.sh" "$ROOT/tmp/$KIND-setup.sh"
    exit 0
fi

usage="usage: build.sh motion|zoneminder OUTDIR [AGENT_BIN_DIR]"
KIND=${1:?$usage}
OUTDIR=${2:?$usage}
AGENT_BIN_DIR=${3:-}
case "$KIND" in motion|zoneminder) ;; *) echo "$usage" >&2; exit 64 ;; esac
AGENT_BINS=()
if [ -n "$AGENT_BIN_DIR" ]; then
    AGENT_BINS=("$AGENT_BIN_DIR/vms-agentd" "$AGENT_BIN_DIR/vms-agent" "$AGENT_BIN_DIR/vms-wall")
    for b in "${AGENT_BINS[@]}"; do [ -x "$b" ] || { echo "build.sh: $b is not built" >&2; exit 70; }; done
    # vms-adapter (the VMS adapters by hand, for diagnosis) when it was built too.
    [ -x "$AGENT_BIN_DIR/vms-adapter" ] && AGENT_BINS+=("$AGENT_BIN_DIR/vms-adapter")
fi
for tool in mmdebstrap mkfs.ext4 qemu-img; do
    command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (apt-get install mmdebstrap e2fsprogs qemu-utils)" >&2; exit 69; }
done
CACHE=${APPLIANCE_IMAGE_CACHE:-/var/cache/appliance/images}/vms-$KIND
DISK_SIZE=${VMS_GUEST_DISK_SIZE:-8G}   # sparse: the qcow2 holds only what is used
# The Debian sources the tree comes from: this machine's own (and nothing but Debian's).
SOURCES=${VMS_GUEST_APT_SOURCES:-}
if [ -z "$SOURCES" ]; then
    for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
        [ -s "$f" ] && { SOURCES=$f; break; }
    done
fi
[ -n "$SOURCES" ] || { echo "build.sh: no Debian apt sources found; set VMS_GUEST_APT_SOURCES" >&2; exit 69; }

mapfile -t PKGS < <(cat "$HERE/packages" "$HERE/$KIND/packages" | sed 's/#.*//' | tr -s ' \t' '\n' | sed '/^$/d')
# apt's candidate version of every listed package: a new version in the archive means a new tree.
CANDIDATES=$(apt-cache policy "${PKGS[@]}" 2>/dev/null | awk '/^[^ ]/{p=$1} /Candidate:/{print p, $2}')
for p in "${PKGS[@]}"; do
    v=$(awk -v p="$p:" '$1==p{print $2}' <<<"$CANDIDATES")
    if [ -z "$v" ] || [ "$v" = "(none)" ]; then
        echo "build.sh: no candidate for package $p; run 'apt-get update' first" >&2
        exit 69
    fi
done

TREE_STAMP=$( (cat "$HERE/build.sh" "$HERE/packages" "$SOURCES" "$HERE/../../systemd/vms-agentd.service" \
                   "$HERE/../../systemd/vms-wall.service"; echo "$CANDIDATES"
               cd "$HERE" && find common "$KIND" -type f -printf '%p %m\n' | LC_ALL=C sort
               find common "$KIND" -type f -print0 | LC_ALL=C sort -z | xargs -0 cat) | sha256sum | cut -c1-16)
AGENT_SUM=$( (for b in "${AGENT_BINS[@]}"; do sha256sum < "$b"; done) | sha256sum | cut -c1-16)
DISK_STAMP="$TREE_STAMP-$AGENT_SUM-$DISK_SIZE"

if [ -f "$OUTDIR/stamp" ] && [ "$(cat "$OUTDIR/stamp")" = "$DISK_STAMP" ] \
   && [ -f "$OUTDIR/vmlinuz" ] && [ -f "$OUTDIR/initrd.img" ] && [ -f "$OUTDIR/rootfs.qcow2" ]; then
    echo "vms-$KIND guest image is up to date ($OUTDIR)"
    exit 0
fi

mkdir -p "$CACHE" "$OUTDIR"
exec 9>"$CACHE/lock"
flock 9   # one build per KIND at a time

# --- Stage 1: the tree -------------------------------------------------------------------------
TREE=$CACHE/tree
if [ -f "$CACHE/tree.stamp" ] && [ "$(cat "$CACHE/tree.stamp")" = "$TREE_STAMP" ] && [ -d "$TREE/usr" ]; then
    echo "vms-$KIND tree is up to date ($TREE)"
else
    echo "building the vms-$KIND tree in $TREE (mmdebstrap; several minutes)"
    start=$(date +%s)
    rm -rf "$CACHE/tree.new" "$TREE" "$CACHE/tree.stamp"
    INCLUDE=$(IFS=,; echo "${PKGS[*]}")
    HOOK="$(printf '%q' "$HERE/build.sh") --customize-root $KIND \"\$1\""
    # The initramfs: only what this guest needs to find its root (virtio disk, ext4), set up before
    # the kernel's package makes it. Small, so it unpacks quickly under TCG.
    nice -n 10 mmdebstrap --variant=minbase --mode=root --include="$INCLUDE" \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/info/*' \
        --setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d"' \
        --setup-hook='printf "MODULES=list\nRESUME=none\n" > "$1/etc/initramfs-tools/conf.d/appliance-vms.conf"' \
        --setup-hook='printf "virtio_pci\nvirtio_blk\ncrc32c_generic\next4\n" > "$1/usr/share/initramfs-tools/modules.d/appliance-vms"' \
        --customize-hook="$HOOK" \
        bookworm "$CACHE/tree.new" "$SOURCES"
    mv "$CACHE/tree.new" "$TREE"
    echo "$TREE_STAMP" > "$CACHE/tree.stamp"
    echo "vms-$KIND tree built in $(( $(date +%s) - start )) s: $(du -sh "$TREE" | cut -f1)"
fi

# --- Stage 2: the disk -------------------------------------------------------------------------
start=$(date +%s)
SRC=$TREE
STAGE=$CACHE/stage
rm -rf "$STAGE"
if [ ${#AGENT_BINS[@]} -gt 0 ]; then
    # New files only go into a hard-linked copy: the cached tree stays as mmdebstrap left it.
    cp -al "$TREE" "$STAGE"
    for b in "${AGENT_BINS[@]}"; do
        install -m 0755 "$b" "$STAGE/usr/bin/$(basename "$b")"
        strip "$STAGE/usr/bin/$(basename "$b")" 2>/dev/null || true
        missing=$(chroot "$STAGE" ldd "/usr/bin/$(basename "$b")" | awk '/not found/{print $1}')
        [ -z "$missing" ] || { echo "build.sh: $(basename "$b") needs libraries the guest lacks: $missing (add them to packages)" >&2; exit 70; }
    done
    SRC=$STAGE
fi
RAW=$CACHE/rootfs.raw
rm -f "$RAW"
truncate -s "$DISK_SIZE" "$RAW"
nice -n 10 mkfs.ext4 -q -F -L vms-root -m 1 -d "$SRC" "$RAW"
nice -n 10 qemu-img convert -f raw -O qcow2 "$RAW" "$OUTDIR/rootfs.qcow2.new"
rm -f "$RAW"
rm -rf "$STAGE"
KVER=$(basename "$(ls -d "$TREE"/lib/modules/* | sort -V | tail -n1)")
install -m 0644 "$TREE/boot/vmlinuz-$KVER" "$OUTDIR/vmlinuz.new"
install -m 0644 "$TREE/boot/initrd.img-$KVER" "$OUTDIR/initrd.img.new"
if [ -f "$TREE/etc/appliance-vms/zm-admin.pass" ]; then
    install -m 0600 "$TREE/etc/appliance-vms/zm-admin.pass" "$OUTDIR/zm-admin.pass"
fi
mv "$OUTDIR/rootfs.qcow2.new" "$OUTDIR/rootfs.qcow2"
mv "$OUTDIR/vmlinuz.new" "$OUTDIR/vmlinuz"
mv "$OUTDIR/initrd.img.new" "$OUTDIR/initrd.img"
echo "$DISK_STAMP" > "$OUTDIR/stamp"
echo "vms-$KIND guest image built in $(( $(date +%s) - start )) s: $OUTDIR (kernel $KVER," \
     "rootfs.qcow2 $(du -h "$OUTDIR/rootfs.qcow2" | cut -f1), agent: ${AGENT_BIN_DIR:-none})"

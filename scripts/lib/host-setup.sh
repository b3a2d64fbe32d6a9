#!/bin/bash
# Shared set-up for the README's two commands: packages, the libvirt daemons, the build and the
# test guest image. Sourced, not run. Works on a fresh Debian 12 machine as root, with or without
# systemd as PID 1.
# SPDX-License-Identifier: GPL-2.0-or-later

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGE_DIR=${APPLIANCE_IMAGE_DIR:-/var/lib/appliance/images/test-guest}
# The VMS guest images go beside it (applianced's image_root is the test guest's parent).
VMS_IMAGE_ROOT=$(dirname "$IMAGE_DIR")

PACKAGES=(
    cmake ninja-build g++ pkg-config git ccache
    libvirt-dev libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86 qemu-utils
    libspdlog-dev nlohmann-json3-dev libasio-dev libsqlite3-dev sqlite3 libssl-dev libjpeg-dev
    libgtest-dev libbenchmark-dev
    busybox-static cpio xz-utils iproute2 procps mmdebstrap e2fsprogs
    clang libclang-rt-14-dev systemd
    qt6-base-dev qt6-declarative-dev qml6-module-qtquick qml6-module-qtquick-controls
    qml6-module-qtquick-layouts qml6-module-qtquick-window qml6-module-qtqml-workerscript
    qml6-module-qtquick-templates qt6-qpa-plugins xvfb xauth libvncserver-dev x11vnc libx11-dev virt-viewer
    gsoap libgsoap-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
    gstreamer1.0-x onvif-tools
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit "${2:-1}"; }

require_root() {
    [ "$(id -u)" = 0 ] || die "run this as root (it installs packages and starts libvirtd): sudo $0" 77
}

install_packages() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${#missing[@]} packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null || die "apt-get update failed" 69
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/appliance-apt.log 2>&1 \
            || { tail -20 /tmp/appliance-apt.log; die "apt-get install failed (log: /tmp/appliance-apt.log)" 69; }
    fi
    # The test guest's kernel comes from the archive; its index must be there even if nothing was missing.
    apt-cache depends linux-image-amd64 >/dev/null 2>&1 || apt-get update -q >/dev/null
}

# Without udev (no systemd as PID 1) nobody applies Debian's rule that gives /dev/kvm to group kvm.
# libvirt then finds KVM "enabled when probing but not available now" and re-probes QEMU on every
# call, which makes each API call take seconds. Apply what the udev rule would.
fix_kvm_device() {
    if [ -c /dev/kvm ] && [ "$(stat -c %G /dev/kvm)" != kvm ] && getent group kvm >/dev/null; then
        chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
        return 0
    fi
    return 1
}

daemon_running() { pgrep -x "$1" >/dev/null; }

start_libvirt() {
    local restart=0
    fix_kvm_device && restart=1
    if [ -d /run/systemd/system ]; then
        systemctl start virtlogd.socket virtlogd libvirtd.socket libvirtd 2>/dev/null || true
    fi
    if ! daemon_running virtlogd; then
        say "starting virtlogd"
        virtlogd -d || die "virtlogd did not start" 69
    fi
    if daemon_running libvirtd && [ $restart = 1 ]; then
        say "restarting libvirtd (it saw /dev/kvm with the wrong owner)"
        pkill -x libvirtd; sleep 1
    fi
    if ! daemon_running libvirtd; then
        say "starting libvirtd"
        libvirtd -d || die "libvirtd did not start" 69
    fi
    for _ in $(seq 50); do
        virsh -c qemu:///system version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    die "libvirtd is running but qemu:///system does not answer; see /var/log/libvirt/libvirtd.log" 69
}

build_project() {
    local preset=${1:-dev} status
    say "building (preset $preset)"
    # One compiler cache for every clone on this machine, whoever's HOME the scripts run with.
    export CCACHE_DIR=${CCACHE_DIR:-/var/cache/appliance/ccache} CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-6G}
    # Presets are read from the working directory: build from the top of the tree, wherever we are.
    (cd "$REPO" && cmake --preset "$preset") >/tmp/appliance-cmake.log 2>&1 \
        || { cat /tmp/appliance-cmake.log; die "cmake configure failed" 70; }
    set +e
    (cd "$REPO" && cmake --build --preset "$preset" -j "$(nproc)") 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] '
    status=${PIPESTATUS[0]}
    set -e
    [ "$status" = 0 ] || die "build failed (preset $preset)" 70
}

build_test_guest() {
    local preset=${1:-dev}
    say "test guest image"
    "$REPO/images/test-guest/build.sh" "$IMAGE_DIR" "$REPO/build/$preset/vms-agent" \
        || die "building the test guest image failed" 70
}

# The VMS guest images (ZoneMinder, motion) with this build's agent. Each is rebuilt only when an
# input changed (its package list, its files, the agent): seconds when nothing did, minutes the
# first time (see images/vms-guest/README.md).
build_vms_images() {
    local preset=${1:-dev} kind
    for kind in motion zoneminder; do
        say "VMS guest image: $kind"
        "$REPO/images/vms-guest/build.sh" "$kind" "$VMS_IMAGE_ROOT/vms-$kind" "$REPO/build/$preset/vms-agent" \
            > "/tmp/appliance-vms-$kind-image.log" 2>&1 \
            || { tail -30 "/tmp/appliance-vms-$kind-image.log"; die "building the $kind guest image failed (log: /tmp/appliance-vms-$kind-image.log)" 70; }
        tail -1 "/tmp/appliance-vms-$kind-image.log"
        # Each VM's QEMU runs as a user of its own and only reads the image behind its disk.
        # Older builds let libvirt hand the image to whichever VM started last: root's again.
        chown root:root "$VMS_IMAGE_ROOT/vms-$kind"/{rootfs.qcow2,vmlinuz,initrd.img}
        chmod 0644 "$VMS_IMAGE_ROOT/vms-$kind"/{rootfs.qcow2,vmlinuz,initrd.img}
    done
}

# The shipped agent policy, unless the administrator already has one.
install_default_policy() {
    if [ ! -d /etc/appliance/policy.d ]; then
        install -d /etc/appliance/policy.d
        install -m 0644 "$REPO/appliance/policy.d/"*.policy /etc/appliance/policy.d/
        say "installed the default agent policy in /etc/appliance/policy.d"
    fi
}

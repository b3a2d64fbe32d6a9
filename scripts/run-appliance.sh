#!/bin/bash
# The main job: set up this machine, build, create the demo guests "legacy-vms" and "new-vms" if
# they do not exist, start them, start eight simulated ONVIF cameras in a network namespace of
# their own, and run applianced in the foreground. Ctrl-C stops applianced and
# says what it left running.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
source "$(dirname "$0")/lib/host-setup.sh"

require_root
install_packages
start_libvirt
build_project dev
build_test_guest dev
install_default_policy

BIN="$REPO/build/dev/appliance"
CAMERA_NS=appliance-cameras
CAMERAS_PID=
SOCK=/run/appliance/admin.sock
CTL="$BIN/appliancectl --socket $SOCK"

"$BIN/applianced" --set admin_socket=$SOCK &
DAEMON=$!
CONSOLE_PIDS=()
stop() {
    trap - INT TERM EXIT
    for p in "${CONSOLE_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    # Ctrl-C reaches the whole process group: the cameras may be gone already (set -e must not stop here).
    if [ -n "$CAMERAS_PID" ]; then
        kill -TERM "$CAMERAS_PID" 2>/dev/null || true
        wait "$CAMERAS_PID" 2>/dev/null || true
    fi
    ip netns del "$CAMERA_NS" 2>/dev/null || true
    kill -TERM $DAEMON 2>/dev/null && wait $DAEMON 2>/dev/null || true
    echo
    say "applianced stopped. Still running under libvirt (they keep running without applianced):"
    virsh -c qemu:///system list --name 2>/dev/null | sed '/^$/d; s/^/    /'
    echo "    stop them with: virsh destroy NAME   (or start applianced again and use appliancectl)"
    exit 0
}
trap stop INT TERM EXIT

for _ in $(seq 100); do $CTL status >/dev/null 2>&1 && break; sleep 0.1; done
$CTL status >/dev/null || die "applianced did not come up" 69

create_demo() {   # name, banner colour (ANSI background)
    if ! $CTL vm info "$1" >/dev/null 2>&1; then
        $CTL vm create "$1" --memory 256 --cmdline "console=ttyS0 appliance.name=$1 appliance.color=$2" \
            --description "demo VMS guest" >/dev/null
        say "created demo guest $1"
    fi
    if ! $CTL vm info "$1" --json | grep -q '"state": "running"'; then
        $CTL vm start "$1" >/dev/null && say "started $1"
    fi
}
create_demo legacy-vms 41
create_demo new-vms 44

# The kiosk console. With a display, on it; without one, on a private X server served by VNC on
# loopback only (Qt's own vnc platform cannot bind to loopback, so it is not used here).
CONSOLE_BIN="$REPO/build/dev/console/appliance-console"
CONSOLE_AT="(not built)"
if [ -x "$CONSOLE_BIN" ]; then
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        "$CONSOLE_BIN" --admin-socket $SOCK & CONSOLE_PIDS+=($!)
        CONSOLE_AT="on your display"
    else
        Xvfb :73 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & CONSOLE_PIDS+=($!)
        sleep 1
        DISPLAY=:73 QT_QUICK_BACKEND=software "$CONSOLE_BIN" --admin-socket $SOCK >/dev/null 2>&1 & CONSOLE_PIDS+=($!)
        x11vnc -display :73 -localhost -rfbport 5973 -forever -shared -nopw -quiet >/dev/null 2>&1 & CONSOLE_PIDS+=($!)
        CONSOLE_AT="vnc://127.0.0.1:5973 (loopback only; e.g. ssh -L 5973:127.0.0.1:5973 this-host, then a VNC viewer)"
    fi
fi

# Simulated cameras: in a network namespace of their own, so WS-Discovery multicast stays inside it.
MIGRATOR="$REPO/build/dev/camera-migrator"
CAMERAS_AT="(not started)"
if [ -x "$MIGRATOR/onvif-camera-sim" ]; then
    ip netns del "$CAMERA_NS" 2>/dev/null || true
    if ip netns add "$CAMERA_NS" 2>/dev/null &&
        ip netns exec "$CAMERA_NS" sh -c 'ip link set lo up && ip link set lo multicast on && ip route add 239.0.0.0/8 dev lo'; then
        ip netns exec "$CAMERA_NS" "$MIGRATOR/onvif-camera-sim" --cameras 8 --name-prefix "Demo camera" \
            --onvif-port-base 8001 --rtsp-port-base 8554 >/run/appliance/cameras.json 2>/run/appliance/cameras.log &
        CAMERAS_PID=$!
        for _ in $(seq 100); do grep -q ready /run/appliance/cameras.json 2>/dev/null && break; sleep 0.1; done
        if grep -q ready /run/appliance/cameras.json; then
            CAMERAS_AT="8 cameras (admin/admin) in network namespace $CAMERA_NS; list: /run/appliance/cameras.json"
        else
            CAMERAS_AT="failed to start: see /run/appliance/cameras.log"
        fi
    else
        CAMERAS_AT="not started: cannot create network namespace $CAMERA_NS (ip netns add)"
    fi
fi

echo
$CTL vm list
cat <<EOT

applianced is running (Ctrl-C stops it; the guests keep running). In another shell:
    export APPLIANCE_ADMIN_SOCKET=$SOCK
    $BIN/appliancectl vm list
    $BIN/appliancectl vm info legacy-vms
    $BIN/appliancectl vm shutdown new-vms --timeout 30
    $BIN/appliancectl vm start new-vms
    $BIN/appliancectl events            # live state changes
    $BIN/appliancectl audit             # who did what
The kiosk console: $CONSOLE_AT
    it shows whichever target has the display; Ctrl+Alt+Right/Left cycles, Ctrl+Alt+Home is the admin console.
A guest's display: $(echo /run/appliance/vms/legacy-vms/vnc.sock) (VNC on a Unix socket).
Simulated cameras: $CAMERAS_AT
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator discover
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator probe 127.0.0.1:8001 --user admin --password admin
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator verify rtsp://127.0.0.1:8554/cam01/main --user admin --password admin
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator snapshot 127.0.0.1:8001 --user admin --password admin --out /tmp/cam01.jpg

EOT
wait $DAEMON

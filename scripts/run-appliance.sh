#!/bin/bash
# The main job: set up this machine, build, create the demo guests if they do not exist
# ("legacy-vms": ZoneMinder, "new-vms": motion), start them, start eight simulated ONVIF cameras
# in a network namespace of their own, have ZoneMinder record all eight (motion records none: the
# migration's starting point), start camera-migratord, and run applianced in the foreground.
# Ctrl-C stops applianced and camera-migratord and says what it left running.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
source "$(dirname "$0")/lib/host-setup.sh"

require_root
install_packages
start_libvirt
build_project dev
build_test_guest dev
build_vms_images dev
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
    ip link del appl-cam-host 2>/dev/null || true
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

create_demo() {   # name, VMS image, memory (MiB), then HOSTPORT:GUESTPORT for its web pages
    local description="demo VMS guest: $2"
    if $CTL --json vm info "$1" 2>/dev/null | grep -q '"description": "demo VMS guest"'; then
        # A demo guest from before the VMS images (a busybox shell): replace it.
        $CTL vm destroy "$1" >/dev/null 2>&1 || true
        $CTL vm delete "$1" >/dev/null && say "deleted the old demo guest $1"
    fi
    if ! $CTL vm info "$1" >/dev/null 2>&1; then
        $CTL vm create "$1" --image "$2" --memory "$3" --description "$description" >/dev/null
        say "created demo guest $1 ($2)"
    fi
    if ! $CTL --json vm info "$1" | grep -q '"state": "running"'; then
        $CTL vm start "$1" >/dev/null && say "started $1"
    fi
    # Its VMS's web pages on the host's loopback only (user-mode networking has no other way in).
    local name=$1 fwd
    shift 3
    for fwd in "$@"; do
        virsh -c qemu:///system qemu-monitor-command --hmp "$name" "hostfwd_add hostnet0 tcp:127.0.0.1:${fwd%%:*}-:${fwd##*:}" \
            >/dev/null 2>&1 || echo "    (could not forward 127.0.0.1:${fwd%%:*} to $name)"
    done
}
create_demo legacy-vms vms-zoneminder 1536 8090:80
create_demo new-vms vms-motion 1024 8080:8080 8081:8081

# The kiosk console. With a display, on it; without one, on a private X server served by VNC on
# loopback only (Qt's own vnc platform cannot bind to loopback, so it is not used here).
CONSOLE_BIN="$REPO/build/dev/console/appliance-console"
CONSOLE_AT="(not built)"
if [ -x "$CONSOLE_BIN" ]; then
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        "$CONSOLE_BIN" --admin-socket $SOCK --migrator-socket /run/camera-migrator/admin.sock & CONSOLE_PIDS+=($!)
        CONSOLE_AT="on your display"
    else
        Xvfb :73 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & CONSOLE_PIDS+=($!)
        sleep 1
        DISPLAY=:73 QT_QUICK_BACKEND=software "$CONSOLE_BIN" --admin-socket $SOCK --migrator-socket /run/camera-migrator/admin.sock >/dev/null 2>&1 & CONSOLE_PIDS+=($!)
        x11vnc -display :73 -localhost -rfbport 5973 -forever -shared -nopw -quiet >/dev/null 2>&1 & CONSOLE_PIDS+=($!)
        CONSOLE_AT="vnc://127.0.0.1:5973 (loopback only; e.g. ssh -L 5973:127.0.0.1:5973 this-host, then a VNC viewer)"
    fi
fi

# Simulated cameras: in a network namespace of their own, so WS-Discovery multicast stays inside it
# (on its loopback). The cameras serve ONVIF and RTSP at $CAMERA_IP, on a veth pair between that
# namespace and the host: the host reaches them there, and so do the guests, whose user-mode
# networking makes their connections from the host. 198.18.0.0/15 is reserved for tests and never
# routed; no packet leaves this machine.
MIGRATOR="$REPO/build/dev/camera-migrator"
CAMERAS_AT="(not started)"
CAMERA_IP=198.18.54.2
if [ -x "$MIGRATOR/onvif-camera-sim" ]; then
    ip netns del "$CAMERA_NS" 2>/dev/null || true
    ip link del appl-cam-host 2>/dev/null || true
    if ip netns add "$CAMERA_NS" 2>/dev/null &&
        ip link add appl-cam-host type veth peer name appl-cam netns "$CAMERA_NS" &&
        ip addr add 198.18.54.1/30 dev appl-cam-host && ip link set appl-cam-host up &&
        ip netns exec "$CAMERA_NS" sh -c "ip link set lo up && ip link set lo multicast on && ip route add 239.0.0.0/8 dev lo &&
            ip addr add $CAMERA_IP/30 dev appl-cam && ip link set appl-cam up"; then
        ip netns exec "$CAMERA_NS" "$MIGRATOR/onvif-camera-sim" --cameras 8 --name-prefix "Demo camera" \
            --host "$CAMERA_IP" --interface 127.0.0.1 --sub 320x180@5 \
            --onvif-port-base 8001 --rtsp-port-base 8554 >/run/appliance/cameras.json 2>/run/appliance/cameras.log &
        CAMERAS_PID=$!
        for _ in $(seq 100); do grep -q ready /run/appliance/cameras.json 2>/dev/null && break; sleep 0.1; done
        if grep -q ready /run/appliance/cameras.json; then
            CAMERAS_AT="8 cameras (admin/admin) at $CAMERA_IP in network namespace $CAMERA_NS; list: /run/appliance/cameras.json"
        else
            CAMERAS_AT="failed to start: see /run/appliance/cameras.log"
        fi
    else
        CAMERAS_AT="not started: cannot create network namespace $CAMERA_NS (ip netns add)"
    fi
fi

# legacy-vms records every camera, as a site's old VMS would; new-vms starts with none. Waits for
# ZoneMinder to be ready (minutes under TCG) in the background, so applianced serves meanwhile.
seed_legacy_cameras() {
    for _ in $(seq 120); do
        $CTL --json vms info legacy-vms 2>/dev/null | grep -q '"ready": true' && break
        sleep 5
    done
    if ! grep -q ready /run/appliance/cameras.json 2>/dev/null; then
        echo "the cameras did not start; legacy-vms gets none"; return 1
    fi
    local have n
    have=$($CTL --json vms cameras legacy-vms | grep -c '"id"' || true)
    [ "$have" -ge 8 ] && { echo "legacy-vms already records $have cameras"; return 0; }
    printf 'admin\n' > /run/appliance/demo-camera.pass
    for n in 01 02 03 04 05 06 07 08; do
        # Each camera with its ONVIF identity (the simulator prints one JSON line per camera), the
        # key the migration knows it by, whatever its address.
        local id
        id=$(sed -n "$((10#$n))p" /run/appliance/cameras.json | sed -n 's/.*"endpoint_reference":"\([^"]*\)".*/\1/p')
        $CTL vms camera add legacy-vms --name "Demo camera $n" --uri "rtsp://$CAMERA_IP:$((8553 + 10#$n))/cam$n/sub" \
            ${id:+--onvif-id "$id"} --user admin --password-file /run/appliance/demo-camera.pass || echo "camera $n was not added"
    done
    rm -f /run/appliance/demo-camera.pass
    # ZoneMinder, starting eight cameras under TCG, may answer slowly: the list is for the log, and
    # the inventory below asks with patience of its own.
    $CTL vms cameras legacy-vms || echo "(ZoneMinder is busy starting the cameras; the inventory asks it again)"
}

# camera-migratord: the migration engine, here as root (systemd/camera-migratord.service runs it
# as its own user in the appliance-admin group). Its inventory is taken once ZoneMinder records.
MIGRATOR_SOCK=/run/camera-migrator/admin.sock
MIGRATOR_AT="(not built)"
if [ -x "$MIGRATOR/camera-migratord" ]; then
    install -d -m 0700 /var/lib/camera-migrator
    "$MIGRATOR/camera-migratord" --config "" --set appliance_socket=$SOCK --set admin_socket=$MIGRATOR_SOCK \
        >/run/appliance/camera-migratord.log 2>&1 & CONSOLE_PIDS+=($!)
    MIGRATOR_AT="running (log: /run/appliance/camera-migratord.log)"
fi
take_inventory() {
    seed_legacy_cameras
    [ -x "$MIGRATOR/camera-migrator" ] || return 0
    local try
    for try in 1 2 3 4 5; do
        CAMERA_MIGRATOR_SOCKET=$MIGRATOR_SOCK "$MIGRATOR/camera-migrator" inventory && break
        if [ "$try" = 5 ]; then
            echo "the inventory failed 5 times; take it by hand: camera-migrator inventory"
        else
            echo "the inventory failed (attempt $try of 5); trying again in 30 s"
            sleep 30
        fi
    done
    # The VMSs know each camera's stream; the wizard's thumbnails need its ONVIF service too.
    local line id url
    while read -r line; do
        id=$(echo "$line" | sed -n 's/.*"endpoint_reference":"\([^"]*\)".*/\1/p')
        url=$(echo "$line" | sed -n 's/.*"device_url":"\([^"]*\)".*/\1/p')
        [ -n "$id" ] && [ -n "$url" ] || continue
        CAMERA_MIGRATOR_SOCKET=$MIGRATOR_SOCK "$MIGRATOR/camera-migrator" camera add "$id" --device-url "$url" >/dev/null ||
            echo "camera $id: its ONVIF address was not registered"
    done < /run/appliance/cameras.json
    printf 'admin\n' | CAMERA_MIGRATOR_SOCKET=$MIGRATOR_SOCK "$MIGRATOR/camera-migrator" credentials --all --user admin --password-file -
}
take_inventory > /run/appliance/demo-cameras.log 2>&1 &
CONSOLE_PIDS+=($!)

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
    $BIN/appliancectl vms info legacy-vms
    $BIN/appliancectl vms cameras legacy-vms   # ZoneMinder records the 8 cameras (once it is up:
                                               # minutes under TCG; progress in /run/appliance/demo-cameras.log)
    $BIN/appliancectl vms cameras new-vms      # motion: none yet
The VMSs' own web pages, on this host's loopback:
    ZoneMinder (legacy-vms): http://127.0.0.1:8090/zm/  (user admin, password in
        /var/lib/appliance/images/vms-zoneminder/zm-admin.pass)
    motion (new-vms): web control http://127.0.0.1:8080/ (plain text), streams http://127.0.0.1:8081/
The kiosk console: $CONSOLE_AT
    it shows whichever target has the display; Ctrl+Alt+Right/Left cycles, Ctrl+Alt+Home is the admin console.
A guest's display: $(echo /run/appliance/vms/legacy-vms/vnc.sock) (VNC on a Unix socket).
camera-migratord: $MIGRATOR_AT. Move the 8 cameras from ZoneMinder to motion (motion takes 4: the
plan proposes a second motion instance, new-vms-2, and --new-instance confirms it):
    export CAMERA_MIGRATOR_SOCKET=$MIGRATOR_SOCK
    $MIGRATOR/camera-migrator inventory        # what each VMS records (taken once at start too)
    $MIGRATOR/camera-migrator cameras
    printf 'admin\n' | $MIGRATOR/camera-migrator credentials --all --user admin --password-file -
    $MIGRATOR/camera-migrator plan --from legacy-vms --to new-vms --all --new-instance
    $MIGRATOR/camera-migrator run 1
    $MIGRATOR/camera-migrator status 1 --watch # steps as they happen; Ctrl-C leaves it running
    $MIGRATOR/camera-migrator pause 1 | resume 1 | skip ID | retry ID | rollback ID
    $MIGRATOR/camera-migrator assignments
Simulated cameras: $CAMERAS_AT
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator discover
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator probe 127.0.0.1:8001 --user admin --password admin
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator verify rtsp://127.0.0.1:8554/cam01/main --user admin --password admin
    ip netns exec $CAMERA_NS $MIGRATOR/camera-migrator snapshot 127.0.0.1:8001 --user admin --password admin --out /tmp/cam01.jpg

EOT
wait $DAEMON

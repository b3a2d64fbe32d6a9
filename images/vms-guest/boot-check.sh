#!/bin/bash
# Boots a VMS guest image by hand under QEMU (TCG unless VMS_GUEST_ACCEL says otherwise) from a
# throw-away qcow2 overlay, waits until its VMS answers from the host, and reports the seconds
# from QEMU's start to "ready" and the QEMU process's CPU use while idle.
#
#   boot-check.sh KIND IMAGEDIR [--keep]
#
# KIND motion: ready = motion's web control answers "Motion 4.5.1 Running" on 127.0.0.1:$PORT.
# KIND zoneminder: ready = POST /zm/api/host/login.json with IMAGEDIR/zm-admin.pass gives an
# access_token, then host/daemonCheck.json says ZoneMinder's daemons run (127.0.0.1:$PORT).
# Networking: user-mode with restrict=on, so the guest reaches nothing outside QEMU except the
# host ports in CAMERA_PORTS (space-separated), which it sees at 10.0.2.100:PORT (guestfwd; needs
# socat). Host side: only 127.0.0.1.
# --keep leaves the VM running and prints how to reach it; otherwise it is stopped at the end.
# Environment: PORT (default 18080 motion / 18090 zoneminder), STREAM_PORT (motion, default
# 18081), MEM (MiB, default 1024 / 1536), SETTLE_SECONDS (wait after ready before measuring,
# default 60), IDLE_SECONDS (default 60), RUN_DIR (default a new directory under /tmp), CAMERA_PORTS.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
KIND=${1:?usage: boot-check.sh motion|zoneminder IMAGEDIR [--keep]}
IMG=${2:?usage: boot-check.sh motion|zoneminder IMAGEDIR [--keep]}
KEEP=${3:-}
case "$KIND" in
    motion) PORT=${PORT:-18080}; MEM=${MEM:-1024}; STREAM_PORT=${STREAM_PORT:-18081}
            FWD="hostfwd=tcp:127.0.0.1:$PORT-:8080,hostfwd=tcp:127.0.0.1:$STREAM_PORT-:8081" ;;
    zoneminder) PORT=${PORT:-18090}; MEM=${MEM:-1536}
            FWD="hostfwd=tcp:127.0.0.1:$PORT-:80"
            [ -r "$IMG/zm-admin.pass" ] || { echo "boot-check.sh: $IMG/zm-admin.pass is missing" >&2; exit 66; } ;;
    *) echo "boot-check.sh: KIND is motion or zoneminder" >&2; exit 64 ;;
esac
IDLE_SECONDS=${IDLE_SECONDS:-60}
SETTLE_SECONDS=${SETTLE_SECONDS:-60}
RUN=${RUN_DIR:-$(mktemp -d /tmp/vms-$KIND.XXXXXX)}
mkdir -p "$RUN"
for p in ${CAMERA_PORTS:-}; do FWD="$FWD,guestfwd=tcp:10.0.2.100:$p-cmd:socat - TCP:127.0.0.1:$p"; done
ACCEL=${VMS_GUEST_ACCEL:-tcg}

qemu-img create -q -f qcow2 -F qcow2 -b "$IMG/rootfs.qcow2" "$RUN/overlay.qcow2"
t0=$(date +%s.%N)
qemu-system-x86_64 -machine q35 -accel "$ACCEL" -m "$MEM" -smp 1 -no-reboot \
    -kernel "$IMG/vmlinuz" -initrd "$IMG/initrd.img" -append 'root=/dev/vda console=ttyS0' \
    -drive "file=$RUN/overlay.qcow2,if=virtio" \
    -nic "user,model=virtio-net-pci,restrict=on,$FWD" \
    -chardev "socket,id=s0,path=$RUN/console.sock,server=on,wait=off,logfile=$RUN/console.log" -serial chardev:s0 \
    -monitor none -display none -pidfile "$RUN/qemu.pid" -daemonize
PID=$(cat "$RUN/qemu.pid")
stop() { kill "$PID" 2>/dev/null || true; }
[ "$KEEP" = --keep ] || trap stop EXIT

since() { echo "$(date +%s.%N) - $1" | bc | xargs printf '%.1f'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$PID/stat"; }
ready=""
for _ in $(seq 600); do
    kill -0 "$PID" 2>/dev/null || { echo "QEMU exited; console: $RUN/console.log" >&2; exit 1; }
    if [ "$KIND" = motion ]; then
        curl -s -m 2 "http://127.0.0.1:$PORT/" 2>/dev/null | grep -q 'Motion 4.5.1 Running' && ready=$(since "$t0")
    else
        tok=$(curl -s -m 5 -X POST --data-urlencode user=admin --data-urlencode "pass=$(cat "$IMG/zm-admin.pass")" \
              "http://127.0.0.1:$PORT/zm/api/host/login.json" 2>/dev/null \
              | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' || true)
        if [ -n "$tok" ]; then
            [ -n "${login:-}" ] || login=$(since "$t0")
            curl -s -m 5 "http://127.0.0.1:$PORT/zm/api/host/daemonCheck.json?token=$tok" | grep -q '"result":1' \
                && ready=$(since "$t0")
        fi
    fi
    [ -n "$ready" ] && break
    sleep 1
done
[ -n "$ready" ] || { echo "not ready after 600 s; console: $RUN/console.log" >&2; exit 1; }
if [ "$KIND" = zoneminder ]; then
    echo "vms-$KIND: API login after $login s, ZoneMinder daemons running after $ready s (QEMU start = 0)"
else
    echo "vms-$KIND: web control answering after $ready s (QEMU start = 0)"
fi
boot_cpu=$(echo "scale=1; $(cpu_ticks) / $(getconf CLK_TCK)" | bc)
echo "QEMU CPU until ready: $boot_cpu s"
# The rest of the boot (units after the VMS) settles first; then the idle figure.
sleep "$SETTLE_SECONDS"
a=$(cpu_ticks); sleep "$IDLE_SECONDS"; b=$(cpu_ticks)
echo "QEMU CPU idle ($SETTLE_SECONDS s after ready, over $IDLE_SECONDS s): $(echo "scale=1; 100 * ($b - $a) / $(getconf CLK_TCK) / $IDLE_SECONDS" | bc) % of one host core"
echo "overlay: $(du -h "$RUN/overlay.qcow2" | cut -f1) written"
if [ "$KEEP" = --keep ]; then
    echo "VM left running: pid $PID; serial console socket $RUN/console.sock (log $RUN/console.log);" \
         "VMS at http://127.0.0.1:$PORT/; stop it with: kill $PID"
fi

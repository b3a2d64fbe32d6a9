#!/bin/bash
# Runs inside the motion guest's root file system (chroot) after motion/rootfs is in place.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
# camera_dir: a fixed number of spare camera slots, loaded when motion starts. The agent (root)
# turns a spare into a camera and back through motion's web control, restarting that slot only;
# a new slot would need a reload, which restarts every camera (~23 s without recording each).
# So the number of slots is the guest's camera limit: four (motion decodes every frame; one
# 320x184 @ 5 fps camera costs ~9 % of a host core under TCG). A file holds a camera's password
# once one is attached: root:motion 0640 (motion runs as user motion and must read it; no other
# user can). vms-agent/adapters/motion_camera_files.cpp writes the same spare file on detach.
SLOTS=4
install -d -o root -g motion -m 0750 /etc/motion/cameras
for id in $(seq 101 $((100 + SLOTS))); do
    f=/etc/motion/cameras/cam-$id.conf
    {
        echo "# Spare camera slot $id of the appliance's motion guest: vms-agentd puts a camera"
        echo "# here without restarting motion's other cameras (images/vms-guest/README.md)."
        echo "camera_id $id"
        echo "camera_name spare-$id"
        echo "netcam_url rtsp://127.0.0.1:1/spare"
    } > "$f"
    chown root:motion "$f"
    chmod 0640 "$f"
done
# Recordings: motion runs as user motion (Debian's unit).
install -d -o motion -g adm -m 2750 /var/lib/motion
systemctl enable motion.service
motion -h 2>&1 | head -n 3 || true

#!/bin/bash
# Runs inside the motion guest's root file system (chroot) after motion/rootfs is in place.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
# camera_dir: empty at first; the agent (root) writes one CAMERA.conf per camera.
install -d -m 0755 /etc/motion/cameras
# Recordings: motion runs as user motion (Debian's unit).
install -d -o motion -g adm -m 2750 /var/lib/motion
systemctl enable motion.service
motion -h 2>&1 | head -n 3 || true

#!/bin/bash
# Runs inside the new root file system (chroot, from build.sh's mmdebstrap customize hook) after
# the files of common/rootfs are in place. Argument: the guest's host name.
# SPDX-License-Identifier: GPL-2.0-or-later
set -euo pipefail
NAME=${1:?host name}

echo "$NAME" > /etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$NAME" > /etc/hosts
# No name servers: the guest only ever talks to addresses it is given (10.0.2.2 = the host's
# loopback); nothing in it should resolve or reach names outside the machine.
printf '# no name servers on purpose (see images/vms-guest/README.md)\n' > /etc/resolv.conf

systemctl enable systemd-networkd.service appliance-share.service vms-agentd.service vms-wall.service
# Nothing in the guest may reach the Internet on its own: no apt timers.
systemctl mask apt-daily.timer apt-daily-upgrade.timer
# Housekeeping that only costs CPU in a disposable, emulated guest: ext4 scrubbing (needs LVM),
# TRIM, dpkg database backups, gettys on virtual consoles 2-6 (tty1 and ttyS0 stay).
systemctl mask e2scrub_reap.service e2scrub_all.timer fstrim.timer dpkg-db-backup.timer getty-static.service
# The guest's writable state lives in each VM's qcow2 overlay; keep the journal in memory.
mkdir -p /etc/systemd/journald.conf.d
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=32M\n' > /etc/systemd/journald.conf.d/appliance.conf
mkdir -p /mnt/appliance /etc/appliance-vms
chmod 0700 /etc/appliance-vms

// SPDX-License-Identifier: GPL-2.0-or-later
// Which user a VM's QEMU process runs as. Each VM made by applianced gets a user id of its own
// (a libvirt DAC label), so the QEMU of one VM cannot read another VM's directory share, which
// holds that VM's agent secret. Its group is libvirt's QEMU group, without which QEMU cannot
// reach its own files below /var/lib/libvirt/qemu; files are the user's alone (no group access).
// VMs made before ids were assigned, or made while vm_uid_count = 0, run as the shared qemu_user.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "common/result.h"
#include "state/state_store.h"

namespace appliance {

struct QemuUsers {
    std::string sharedUser = "libvirt-qemu";  ///< libvirt's own qemu user (qemu.conf)
    std::string group = "libvirt-qemu";       ///< qemu.conf's group: owns libvirt's per-domain state
    uint32_t firstUid = 1879048192;           ///< 0x70000000: above the ranges Debian and systemd hand out
    uint32_t uidCount = 65536;                ///< 0: new VMs run as sharedUser
};

struct QemuIdentity {
    uint32_t uid = 0;
    uint32_t gid = 0;
    bool ownUser = false;  ///< false: the shared user
};

/// The VM's identity: the id it was given, if any (whatever uidCount says now, as its domain runs
/// with it); with `assign` and uidCount > 0, a VM without one is given an id that neither a host
/// account nor `inUse` (other domains' labels) has (vm.create).
Result<QemuIdentity> qemuIdentity(StateStore& store, const QemuUsers& users, const std::string& vm, bool assign,
                                  const std::set<uint32_t>& inUse = {});

}  // namespace appliance

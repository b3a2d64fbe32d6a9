// SPDX-License-Identifier: GPL-2.0-or-later
// Lets one more group open a device node, with a POSIX ACL entry (as logind does for a seat's
// user). A VM's own QEMU user is in no supplementary group (it has no account), so on a KVM host
// it would find /dev/kvm (root:kvm 0660) closed. Every such QEMU runs with libvirt's QEMU group:
// one entry for that group opens /dev/kvm to all of them, and the ACL does not grow per VM.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace appliance {

/// Adds (or widens) the entry "group:GID:rw-" of `path`'s access ACL, keeping every other entry.
Status grantGroupReadWrite(const std::string& path, uint32_t gid);

}  // namespace appliance

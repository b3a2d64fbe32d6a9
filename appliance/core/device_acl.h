// SPDX-License-Identifier: GPL-2.0-or-later
// Lets one more user open a device node, with a POSIX ACL entry (as logind does for a seat's
// user). A VM's own QEMU user is in no supplementary group (it has no account), so on a KVM host
// it would find /dev/kvm (root:kvm 0660) closed; applianced grants each such user rw on it.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace appliance {

/// Adds (or widens) the entry "user:UID:rw-" of `path`'s access ACL, keeping every other entry.
Status grantReadWrite(const std::string& path, uint32_t uid);

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Whether hardware virtualization really works here. libvirt's capabilities can list KVM on hosts
// where a KVM guest hangs (see DESIGN.md), so we decide from evidence, never from what is advertised.
#pragma once

#include <string>

namespace appliance {

struct KvmProbe {
    bool usable = false;
    std::string reason;  ///< why it is or is not usable, for the log and `server.status`
};

KvmProbe probeKvm();
/// "kvm" or "qemu" for `mode` "auto", "kvm" or "qemu" (TCG).
std::string chooseDomainType(const std::string& mode, const KvmProbe& probe);

}  // namespace appliance

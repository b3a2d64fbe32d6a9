// SPDX-License-Identifier: GPL-2.0-or-later
// The libvirt domain definition of a VMS guest. Everything later work relies on is here: the display
// on a per-VM VNC Unix socket, the agent's virtio-serial channel on a per-VM Unix socket, the per-VM
// read-only directory share, networking, and the appliance's metadata element that marks the domain
// as ours (and which instance of applianced owns it).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "hypervisor/vm_types.h"

namespace appliance {

inline constexpr const char* kMetadataUri = "urn:appliance:vm:1";
inline constexpr const char* kMetadataPrefix = "appliance";
inline constexpr const char* kAgentChannelName = "org.appliance.agent.0";
inline constexpr const char* kShareTag = "appliance-share";

/// Where a VM's files live on the host.
struct VmPaths {
    std::string runDir;       ///< sockets and console log: RUN_DIR/NAME
    std::string shareDir;     ///< the read-only directory share: SHARE_DIR/NAME
    std::string vncSocket() const { return runDir + "/vnc.sock"; }
    std::string agentSocket() const { return runDir + "/agent.sock"; }
    std::string consoleLog() const { return runDir + "/console.log"; }
};

VmPaths vmPaths(const std::string& runRoot, const std::string& shareRoot, const std::string& name);

struct DomainTemplateInput {
    VmCreateSpec spec;
    VmPaths paths;
    std::string domainType;   ///< "kvm" or "qemu"
    std::string instance;     ///< which applianced owns it
    struct DacUser {
        uint32_t uid = 0, gid = 0;
    };
    std::optional<DacUser> qemuUser;  ///< QEMU's own user for this VM; none: libvirt's qemu user
    /// The qcow2 image behind the disk (shared by VMs): named so that libvirt leaves its owner alone.
    std::string backingImage;
};

std::string buildDomainXml(const DomainTemplateInput& in);
/// The user ids of a domain's DAC labels (`<seclabel model='dac'><label>+UID:...`), its own and
/// its devices'.
std::set<uint32_t> dacUidsFromDomainXml(const std::string& domainXml);
/// The metadata element alone (what virDomainSetMetadata stores).
std::string metadataElement(const std::string& instance);
/// The owning instance named in a metadata element, or "" if the element is not ours.
std::string instanceFromMetadata(const std::string& metadataXml);
std::string xmlEscape(const std::string& s);

}  // namespace appliance

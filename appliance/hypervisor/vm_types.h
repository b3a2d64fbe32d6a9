// SPDX-License-Identifier: GPL-2.0-or-later
// What the appliance knows about a guest, independent of the hypervisor behind it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace appliance {

enum class VmState { Invalid = 0, NoState, Running, Blocked, Paused, ShuttingDown, ShutOff, Crashed, PmSuspended };

std::string_view vmStateName(VmState s);
/// Running in the sense an operator means: the guest's processes exist (running, blocked, paused...).
bool vmIsActive(VmState s);

struct VmInfo {
    std::string name;
    std::string uuid;
    VmState state = VmState::Invalid;
    std::string reason;          ///< libvirt's reason for the state: "booted", "crashed", "user", ...
    int vcpus = 0;               ///< current (persistent config when not running)
    int maxVcpus = 0;
    uint64_t memoryKib = 0;
    uint64_t maxMemoryKib = 0;
    bool autostart = false;
    std::string description;
    uint64_t cpuTimeNs = 0;
    double startedAtS = 0;       ///< epoch seconds the VM's process started; 0 when not known
    std::string domainType;      ///< "kvm" or "qemu" (TCG)
    /// Settings in the persistent definition that differ from the running VM (apply at next boot).
    bool pendingConfig = false;
};

/// A lifecycle change as the hypervisor reported it, with the VM's state re-read after it.
struct VmUpdate {
    std::string name;
    std::string event;           ///< "started", "stopped", "suspended", "resumed", "defined", "undefined", ...
    std::string detail;          ///< e.g. "crashed", "destroyed", "shutdown", "booted"
    double observedAtS = 0;      ///< when the hypervisor's callback ran (epoch seconds)
    std::optional<VmInfo> info;  ///< absent when the VM no longer exists
};

struct VmStats {
    std::string name;
    double cpuPercent = 0;       ///< of one host CPU; can exceed 100 with several vCPUs
    uint64_t memoryKib = 0;
    uint64_t residentKib = 0;    ///< host memory the guest really occupies (QEMU's RSS); 0: unknown
};

/// What `vm create` asks for. Validated by the core before it reaches a hypervisor.
struct VmCreateSpec {
    std::string name;
    int vcpus = 1;
    int maxVcpus = 0;            ///< 0: same as vcpus
    uint64_t memoryMib = 256;
    std::string kernelPath;      ///< kernel+initrd boot, or
    std::string initrdPath;
    std::string kernelCmdline;
    std::string diskPath;        ///< disk boot (qcow2 or raw), or the VM's own overlay on baseImage
    /// A VMS guest image's root file system (qcow2), shared read-only by every VM made from it:
    /// each VM gets its own copy-on-write overlay (diskRoot/NAME.qcow2), so a rebuild of the image
    /// or another VM never changes this VM's disk.
    std::string baseImage;
    std::string network = "user";  ///< "user" or "none"
    bool autostart = false;
    std::string description;
};

/// What `vm set` asks for; unset fields stay as they are.
struct VmConfigChange {
    std::optional<int> vcpus;
    std::optional<uint64_t> memoryMib;
    std::optional<bool> autostart;
    std::optional<std::string> description;
};

struct VmConfigOutcome {
    std::vector<std::string> appliedNow;       ///< took effect on the running VM (or it is off)
    std::vector<std::string> atNextBoot;       ///< saved, applies when the VM next starts
};

}  // namespace appliance

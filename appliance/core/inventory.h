// SPDX-License-Identifier: GPL-2.0-or-later
// The core's picture of the appliance's VMs, built from the hypervisor's snapshots, updates and
// stats. It reports each real change once, so subscribers see every transition and no repeats.
// Context: core thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hypervisor/vm_types.h"

namespace appliance {

struct VmRecord {
    VmInfo info;
    double cpuPercent = 0;
    uint64_t residentKib = 0;  ///< host memory in use by the guest (last sample)
};

struct InventoryChange {
    enum class Kind { Invalid = 0, Added, Removed, StateChanged, Rebooted };
    Kind kind = Kind::Invalid;
    std::string name;
    VmState previous = VmState::Invalid;
    VmState state = VmState::Invalid;
    std::string reason;
    std::string event;       ///< the hypervisor's event ("stopped", ...) or "resync"
    std::string detail;
    double observedAtS = 0;
};

class Inventory {
public:
    using Listener = std::function<void(const InventoryChange&)>;
    void addListener(Listener l) { m_listeners.push_back(std::move(l)); }

    /// Replaces everything with a full list (after a (re)connect); reports what differs.
    void replaceAll(std::vector<VmInfo> vms, double observedAtS);
    void apply(const VmUpdate& update);
    void applyStats(const std::vector<VmStats>& stats);
    /// Applies a freshly read VmInfo (after a command), reporting a state change if there is one.
    void refresh(const VmInfo& info, double observedAtS);

    const VmRecord* find(const std::string& name) const;
    std::vector<const VmRecord*> all() const;  ///< sorted by name
    std::size_t size() const { return m_vms.size(); }

private:
    void upsert(const VmInfo& info, const std::string& event, const std::string& detail, double atS);
    void emit(const InventoryChange& c);
    std::map<std::string, VmRecord> m_vms;
    std::map<std::string, double> m_lastRebootS;
    std::vector<Listener> m_listeners;
};

}  // namespace appliance

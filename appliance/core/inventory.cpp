// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/inventory.h"

#include <set>

namespace appliance {

void Inventory::emit(const InventoryChange& c) {
    for (auto& l : m_listeners) l(c);
}

void Inventory::upsert(const VmInfo& info, const std::string& event, const std::string& detail, double atS) {
    auto it = m_vms.find(info.name);
    if (it == m_vms.end()) {
        m_vms[info.name] = VmRecord{info, 0};
        emit({InventoryChange::Kind::Added, info.name, VmState::Invalid, info.state, info.reason, event, detail, atS});
        return;
    }
    VmState previous = it->second.info.state;
    std::string previousReason = it->second.info.reason;
    it->second.info = info;
    if (!vmIsActive(info.state)) it->second.cpuPercent = 0;
    if (previous != info.state || (previousReason != info.reason && !vmIsActive(info.state)))
        emit({InventoryChange::Kind::StateChanged, info.name, previous, info.state, info.reason, event, detail, atS});
}

void Inventory::replaceAll(std::vector<VmInfo> vms, double observedAtS) {
    std::set<std::string> present;
    for (const auto& v : vms) present.insert(v.name);
    for (auto it = m_vms.begin(); it != m_vms.end();) {
        if (present.count(it->first)) {
            ++it;
            continue;
        }
        InventoryChange c{InventoryChange::Kind::Removed, it->first, it->second.info.state, VmState::Invalid, "",
                          "resync", "", observedAtS};
        it = m_vms.erase(it);
        emit(c);
    }
    for (const auto& v : vms) upsert(v, "resync", "", observedAtS);
}

void Inventory::apply(const VmUpdate& u) {
    if (!u.info) {
        auto it = m_vms.find(u.name);
        if (it == m_vms.end()) return;
        InventoryChange c{InventoryChange::Kind::Removed, u.name, it->second.info.state, VmState::Invalid, "",
                          u.event, u.detail, u.observedAtS};
        m_vms.erase(it);
        emit(c);
        return;
    }
    upsert(*u.info, u.event, u.detail, u.observedAtS);
    // libvirt reports one ACPI reboot twice (QEMU's reset and its own fake-reboot path).
    auto& lastReboot = m_lastRebootS[u.name];
    if (u.event == "rebooted" && u.observedAtS - lastReboot > 1.0) {
        lastReboot = u.observedAtS;
        emit({InventoryChange::Kind::Rebooted, u.name, u.info->state, u.info->state, u.info->reason, u.event, "",
              u.observedAtS});
    }
}

void Inventory::refresh(const VmInfo& info, double observedAtS) { upsert(info, "refresh", "", observedAtS); }

void Inventory::applyStats(const std::vector<VmStats>& stats) {
    for (const auto& s : stats) {
        auto it = m_vms.find(s.name);
        if (it == m_vms.end() || !vmIsActive(it->second.info.state)) continue;
        it->second.cpuPercent = s.cpuPercent;
        it->second.info.memoryKib = s.memoryKib;
        it->second.residentKib = s.residentKib;
    }
}

const VmRecord* Inventory::find(const std::string& name) const {
    auto it = m_vms.find(name);
    return it == m_vms.end() ? nullptr : &it->second;
}

std::vector<const VmRecord*> Inventory::all() const {
    std::vector<const VmRecord*> out;
    out.reserve(m_vms.size());
    for (const auto& [_, rec] : m_vms) out.push_back(&rec);
    return out;
}

}  // namespace appliance

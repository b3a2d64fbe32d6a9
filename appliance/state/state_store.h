// SPDX-License-Identifier: GPL-2.0-or-later
// applianced's state in SQLite: settings, the last state seen for each VM (so changes that happened
// while applianced was down are noticed and audited), and the audit log of every admin action and
// every state change the hypervisor reported. Context: core thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/sqlite.h"


namespace appliance {

struct AuditEntry {
    int64_t id = 0;
    double timestampS = 0;
    std::optional<int64_t> uid;  ///< the peer's uid for admin actions; none for hypervisor events
    std::string actor;           ///< user name, or "hypervisor" / "applianced"
    std::string action;          ///< the verb, or "vm.state"
    std::string target;          ///< usually the VM's name
    std::string arguments;       ///< JSON, secrets redacted
    std::string result;          ///< "ok", "denied", an error class, or the new state
    std::string detail;
    int64_t repeats = 1;         ///< identical denials within a short time share one row
};

struct RememberedVmState {
    std::string state;
    std::string reason;
};

class StateStore {
public:
    static Result<std::unique_ptr<StateStore>> open(const std::string& path);

    /// Stores the entry as given and returns its id. Callers go through AuditLog, which bounds it.
    Result<int64_t> insertAudit(const AuditEntry& entry);
    Status setAuditOutcome(int64_t id, const std::string& result, const std::string& detail);
    Status addAuditRepeat(int64_t id);
    /// Entries whose outcome was never written (applianced died in between) say so.
    Status markUnfinishedAudit(const std::string& result, const std::string& detail);
    /// Keeps at most `maxRows` entries and none older than `olderThanS`; returns how many went.
    Result<int64_t> pruneAudit(int64_t maxRows, double olderThanS);
    Result<int64_t> auditCount();
    /// Newest first; `target` empty means every target; `beforeId` 0 means from the newest.
    Result<std::vector<AuditEntry>> listAudit(int limit, const std::string& target, int64_t beforeId);
    Status rememberVmState(const std::string& name, const std::string& state, const std::string& reason);
    /// The new state and its audit entry, in one transaction (one fsync).
    Status recordStateChange(const std::string& name, const std::string& state, const std::string& reason,
                             const AuditEntry& entry);
    /// The new focus and its audit entry, in one transaction.
    Status recordFocus(const std::string& target, const AuditEntry& entry);
    Result<std::map<std::string, RememberedVmState>> rememberedVmStates();
    Status forgetVm(const std::string& name);
    /// The VM's agent secret, created on first use; only the VM's own directory share holds a copy.
    Result<std::string> vmSecret(const std::string& name);
    Status forgetVmSecret(const std::string& name);
    /// The user id the VM's QEMU runs as, if it was given one of its own.
    Result<std::optional<uint32_t>> vmUid(const std::string& name);
    /// Gives the VM the lowest free id of [first, first + count) that `taken` (a host account)
    /// does not already use; a VM that has one keeps it.
    Result<uint32_t> assignVmUid(const std::string& name, uint32_t first, uint32_t count,
                                 const std::function<bool(uint32_t)>& taken);
    Status forgetVmUid(const std::string& name);
    Status setSetting(const std::string& key, const std::string& value);
    Result<std::optional<std::string>> setting(const std::string& key);
    Result<std::string> integrityCheck() { return m_db->integrityCheck(); }

private:
    explicit StateStore(std::unique_ptr<sqlite::Database> db) : m_db(std::move(db)) {}
    std::unique_ptr<sqlite::Database> m_db;
};

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// The one path every audit entry of applianced takes. It bounds what a peer can make it store
// (fields truncated, control characters escaped, arguments redacted and capped), folds a flood of
// identical denials into one row with a count, keeps the log within its retention (rows and age),
// and writes a write verb's intent before it acts and its outcome after, so a crash in between
// still says who did what. A failed write is logged loudly, never silently dropped.
// Context: core thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "state/state_store.h"

namespace appliance {

struct AuditLimits {
    std::size_t fieldBytes = 128;        ///< actor, action, target
    std::size_t argumentsBytes = 4096;   ///< the redacted JSON arguments
    std::size_t detailBytes = 1024;
    int64_t maxRows = 200000;
    int maxAgeDays = 400;
    double coalesceWindowS = 300;        ///< identical denials within this share a row
};

class AuditLog {
public:
    AuditLog(StateStore& store, AuditLimits limits) : m_store(store), m_limits(limits) {}

    /// Marks entries a previous run left without outcome, and applies the retention.
    void startUp();
    void record(AuditEntry entry);
    /// The intent of a write verb, before it acts (result "in-progress"); returns its id (0 if
    /// it could not be written, which finish() then records as a fresh entry).
    int64_t begin(AuditEntry entry);
    void finish(int64_t id, AuditEntry outcome);
    /// The entry as it will be stored: bounded and escaped. For callers that write it in their own
    /// transaction (the focus and its entry).
    AuditEntry bounded(AuditEntry entry) const;
    /// Call after a caller's own transaction stored `entry`.
    void wroteElsewhere() { afterInsert(); }
    const AuditLimits& limits() const { return m_limits; }

private:
    void afterInsert();
    bool coalesce(const AuditEntry& e);

    struct Recent {
        int64_t id;
        double firstS;
    };
    StateStore& m_store;
    AuditLimits m_limits;
    std::map<std::string, Recent> m_recentDenials;  ///< key of a denial → its row
    int64_t m_insertsSincePrune = 0;
};


}  // namespace appliance

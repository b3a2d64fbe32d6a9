// SPDX-License-Identifier: GPL-2.0-or-later
#include "audit/audit_log.h"

#include "common/logging.h"
#include "common/plain_text.h"
#include "common/protocol.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.audit");
    return l;
}

// What a caller can repeat at will (a guest or a local user hammering a verb, refused or left to
// the operator); state changes and real outcomes are never folded together.
bool isDenial(const AuditEntry& e) {
    for (const char* r : {"denied", "PermissionDenied", "TooManyRequests", "InvalidArgument", "CommandNotFound", "TooLarge",
                          "pending", "withdrawn"})
        if (e.result == r) return true;
    return false;
}
}  // namespace

AuditEntry AuditLog::bounded(AuditEntry e) const {
    e.actor = plainText(e.actor, m_limits.fieldBytes);
    e.action = plainText(e.action, m_limits.fieldBytes);
    e.target = plainText(e.target, m_limits.fieldBytes);
    e.detail = plainText(e.detail, m_limits.detailBytes);
    if (e.arguments.size() > m_limits.argumentsBytes)  // still valid JSON, and says it was cut
        e.arguments = protocol::Json{{"truncated_from_bytes", e.arguments.size()},
                                     {"start", plainText(e.arguments, m_limits.argumentsBytes / 2)}}
                          .dump(-1, ' ', false, protocol::Json::error_handler_t::replace);
    return e;
}

void AuditLog::startUp() {
    if (auto s = m_store.markUnfinishedAudit("interrupted", "applianced stopped before the outcome was recorded; "
                                                            "check the VM's state");
        !s)
        log()->error("cannot mark unfinished audit entries: {}", s.error().message);
    m_insertsSincePrune = m_limits.maxRows;  // prune now
    afterInsert();
}

bool AuditLog::coalesce(const AuditEntry& e) {
    if (!isDenial(e)) return false;
    const std::string key = e.actor + '\n' + e.action + '\n' + e.target + '\n' + e.result + '\n' + e.detail;
    double now = protocol::nowTimestampS();
    auto it = m_recentDenials.find(key);
    if (it != m_recentDenials.end() && now - it->second.firstS < m_limits.coalesceWindowS) {
        if (auto s = m_store.addAuditRepeat(it->second.id); s) return true;
    }
    if (m_recentDenials.size() >= 1024) m_recentDenials.clear();  // bounded memory; worst case a new row
    auto id = m_store.insertAudit(e);
    if (!id) {
        log()->error("cannot write the audit log ({}): {} {} {} {}", id.error().message, e.actor, e.action, e.target, e.result);
        return true;
    }
    m_recentDenials[key] = {*id, now};
    afterInsert();
    return true;
}

void AuditLog::record(AuditEntry entry) {
    AuditEntry e = bounded(std::move(entry));
    if (coalesce(e)) return;
    if (auto id = m_store.insertAudit(e); !id)
        log()->error("cannot write the audit log ({}): {} {} {} {}", id.error().message, e.actor, e.action, e.target, e.result);
    else
        afterInsert();
}

int64_t AuditLog::begin(AuditEntry entry) {
    AuditEntry e = bounded(std::move(entry));
    e.result = "in-progress";
    auto id = m_store.insertAudit(e);
    if (!id) {
        log()->error("cannot write the audit log ({}): {} {} {}", id.error().message, e.actor, e.action, e.target);
        return 0;
    }
    afterInsert();
    return *id;
}

void AuditLog::finish(int64_t id, AuditEntry outcome) {
    AuditEntry e = bounded(std::move(outcome));
    if (id == 0) return record(std::move(e));
    if (auto s = m_store.setAuditOutcome(id, e.result, e.detail); !s)
        log()->error("cannot write the outcome of audit entry {} ({}): {}", id, s.error().message, e.result);
}

void AuditLog::afterInsert() {
    // Pruning costs a query; doing it every tenth of the row limit keeps the overshoot at 10 %.
    if (++m_insertsSincePrune < std::max<int64_t>(1, m_limits.maxRows / 10)) return;
    m_insertsSincePrune = 0;
    double cutoff = protocol::nowTimestampS() - double(m_limits.maxAgeDays) * 86400;
    auto removed = m_store.pruneAudit(m_limits.maxRows, cutoff);
    if (!removed) log()->error("cannot apply the audit retention: {}", removed.error().message);
    else if (*removed > 0) log()->info("audit retention removed {} old entries", *removed);
}

}  // namespace appliance

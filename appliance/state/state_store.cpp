// SPDX-License-Identifier: GPL-2.0-or-later
#include "state/state_store.h"

#include <set>

#include "common/agent_auth.h"
#include "common/protocol.h"

namespace appliance {

namespace {
// Numbered migrations: entry i brings the schema to version i+1. Never edit a shipped one; append.
const std::vector<std::string> kMigrations = {
    R"sql(
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE vm_state (
        name TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        changed_at REAL NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts REAL NOT NULL,
        uid INTEGER,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        arguments TEXT NOT NULL DEFAULT '{}',
        result TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_target ON audit(target, id);
    )sql",
    // 2: per-VM secrets for agents that reach the host over TCP (challenge-response).
    R"sql(
    CREATE TABLE vm_secret (name TEXT PRIMARY KEY, secret TEXT NOT NULL);
    )sql",
    // 3: identical denials coalesce into one row with a count; retention prunes by age.
    R"sql(
    ALTER TABLE audit ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE audit ADD COLUMN last_ts INTEGER;
    CREATE INDEX audit_ts ON audit(ts);
    )sql",
    // 4: each VM's QEMU runs as a user of its own, so no VM's QEMU reads another VM's secret.
    R"sql(
    CREATE TABLE vm_uid (name TEXT PRIMARY KEY, uid INTEGER NOT NULL UNIQUE);
    )sql",
};
}  // namespace

Result<std::unique_ptr<StateStore>> StateStore::open(const std::string& path) {
    auto db = sqlite::Database::open(path, kMigrations);
    if (!db) return db.error();
    return std::unique_ptr<StateStore>(new StateStore(std::move(*db)));
}

Result<int64_t> StateStore::insertAudit(const AuditEntry& e) {
    auto st = m_db->prepare(
        "INSERT INTO audit (ts, uid, actor, action, target, arguments, result, detail, repeats) VALUES (?,?,?,?,?,?,?,?,?)");
    if (!st) return st.error();
    double ts = e.timestampS > 0 ? e.timestampS : protocol::nowTimestampS();
    st->bind(1, int64_t(ts * 1e6)).bind(2, e.uid).bind(3, e.actor).bind(4, e.action).bind(5, e.target);
    st->bind(6, e.arguments.empty() ? std::string("{}") : e.arguments).bind(7, e.result).bind(8, e.detail);
    st->bind(9, e.repeats);
    if (auto s = st->run(); !s) return s.error();
    return m_db->lastInsertId();
}

Status StateStore::setAuditOutcome(int64_t id, const std::string& result, const std::string& detail) {
    auto st = m_db->prepare("UPDATE audit SET result = ?, detail = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, result).bind(2, detail).bind(3, id);
    return st->run();
}

Status StateStore::addAuditRepeat(int64_t id) {
    auto st = m_db->prepare("UPDATE audit SET repeats = repeats + 1, last_ts = ? WHERE id = ?");
    if (!st) return st.error();
    st->bind(1, int64_t(protocol::nowTimestampS() * 1e6)).bind(2, id);
    return st->run();
}

Status StateStore::markUnfinishedAudit(const std::string& result, const std::string& detail) {
    auto st = m_db->prepare("UPDATE audit SET result = ?, detail = ? WHERE result = 'in-progress'");
    if (!st) return st.error();
    st->bind(1, result).bind(2, detail);
    return st->run();
}

Result<int64_t> StateStore::pruneAudit(int64_t maxRows, double olderThanS) {
    int64_t removed = 0;
    auto s = m_db->transaction([&]() -> Status {
        auto byAge = m_db->prepare("DELETE FROM audit WHERE ts < ?");
        if (!byAge) return byAge.error();
        byAge->bind(1, int64_t(olderThanS * 1e6));
        if (auto r = byAge->run(); !r) return r;
        auto count = m_db->prepare("SELECT changes()");
        if (!count) return count.error();
        if (auto row = count->step(); !row) return row.error();
        removed += count->columnInt(0);
        auto byRows = m_db->prepare("DELETE FROM audit WHERE id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)");
        if (!byRows) return byRows.error();
        byRows->bind(1, maxRows);
        if (auto r = byRows->run(); !r) return r;
        auto count2 = m_db->prepare("SELECT changes()");
        if (!count2) return count2.error();
        if (auto row = count2->step(); !row) return row.error();
        removed += count2->columnInt(0);
        return okStatus();
    });
    if (!s) return s.error();
    return removed;
}

Result<int64_t> StateStore::auditCount() {
    auto st = m_db->prepare("SELECT count(*) FROM audit");
    if (!st) return st.error();
    if (auto row = st->step(); !row) return row.error();
    return st->columnInt(0);
}

Result<std::vector<AuditEntry>> StateStore::listAudit(int limit, const std::string& target, int64_t beforeId) {
    auto st = m_db->prepare(
        "SELECT id, ts, uid, actor, action, target, arguments, result, detail, repeats FROM audit "
        "WHERE (?1 = '' OR target = ?1) AND (?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, target).bind(2, beforeId).bind(3, int64_t(limit));
    std::vector<AuditEntry> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        AuditEntry e;
        e.id = st->columnInt(0);
        e.timestampS = double(st->columnInt(1)) / 1e6;
        if (!st->columnIsNull(2)) e.uid = st->columnInt(2);
        e.actor = st->columnText(3);
        e.action = st->columnText(4);
        e.target = st->columnText(5);
        e.arguments = st->columnText(6);
        e.result = st->columnText(7);
        e.detail = st->columnText(8);
        e.repeats = st->columnInt(9);
        out.push_back(std::move(e));
    }
    return out;
}

Status StateStore::rememberVmState(const std::string& name, const std::string& state, const std::string& reason) {
    auto st = m_db->prepare(
        "INSERT INTO vm_state (name, state, reason, changed_at) VALUES (?,?,?,?) "
        "ON CONFLICT(name) DO UPDATE SET state = excluded.state, reason = excluded.reason, "
        "changed_at = excluded.changed_at");
    if (!st) return st.error();
    st->bind(1, name).bind(2, state).bind(3, reason).bind(4, int64_t(protocol::nowTimestampS() * 1e6));
    return st->run();
}

Status StateStore::recordStateChange(const std::string& name, const std::string& state, const std::string& reason,
                                     const AuditEntry& entry) {
    return m_db->transaction([&]() -> Status {
        if (auto s = rememberVmState(name, state, reason); !s) return s;
        if (auto id = insertAudit(entry); !id) return id.error();
        return okStatus();
    });
}

Status StateStore::recordFocus(const std::string& target, const AuditEntry& entry) {
    return m_db->transaction([&]() -> Status {
        if (auto s = setSetting("focus", target); !s) return s;
        if (auto id = insertAudit(entry); !id) return id.error();
        return okStatus();
    });
}

Result<std::map<std::string, RememberedVmState>> StateStore::rememberedVmStates() {
    auto st = m_db->prepare("SELECT name, state, reason FROM vm_state");
    if (!st) return st.error();
    std::map<std::string, RememberedVmState> out;
    for (;;) {
        auto row = st->step();
        if (!row) return row.error();
        if (!*row) break;
        out[st->columnText(0)] = {st->columnText(1), st->columnText(2)};
    }
    return out;
}

Status StateStore::forgetVm(const std::string& name) {
    auto st = m_db->prepare("DELETE FROM vm_state WHERE name = ?");
    if (!st) return st.error();
    st->bind(1, name);
    return st->run();
}

Result<std::string> StateStore::vmSecret(const std::string& name) {
    auto get = m_db->prepare("SELECT secret FROM vm_secret WHERE name = ?");
    if (!get) return get.error();
    get->bind(1, name);
    auto row = get->step();
    if (!row) return row.error();
    if (*row) return get->columnText(0);
    std::string secret = agent_auth::randomHex(32);
    auto put = m_db->prepare("INSERT INTO vm_secret (name, secret) VALUES (?, ?)");
    if (!put) return put.error();
    put->bind(1, name).bind(2, secret);
    if (auto s = put->run(); !s) return s.error();
    return secret;
}

Status StateStore::forgetVmSecret(const std::string& name) {
    auto st = m_db->prepare("DELETE FROM vm_secret WHERE name = ?");
    if (!st) return st.error();
    st->bind(1, name);
    return st->run();
}

Result<std::optional<uint32_t>> StateStore::vmUid(const std::string& name) {
    auto st = m_db->prepare("SELECT uid FROM vm_uid WHERE name = ?");
    if (!st) return st.error();
    st->bind(1, name);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<uint32_t>{};
    return std::optional<uint32_t>(static_cast<uint32_t>(st->columnInt(0)));
}

Result<uint32_t> StateStore::assignVmUid(const std::string& name, uint32_t first, uint32_t count,
                                         const std::function<bool(uint32_t)>& taken) {
    if (auto existing = vmUid(name); !existing) return existing.error();
    else if (*existing) return **existing;
    std::set<uint32_t> used;
    auto all = m_db->prepare("SELECT uid FROM vm_uid");
    if (!all) return all.error();
    for (auto row = all->step(); row && *row; row = all->step()) used.insert(static_cast<uint32_t>(all->columnInt(0)));
    for (uint64_t uid = first; uid < uint64_t(first) + count; ++uid) {
        if (used.count(uint32_t(uid)) || taken(uint32_t(uid))) continue;
        auto put = m_db->prepare("INSERT INTO vm_uid (name, uid) VALUES (?, ?)");
        if (!put) return put.error();
        put->bind(1, name).bind(2, int64_t(uid));
        if (auto s = put->run(); !s) return s.error();
        return uint32_t(uid);
    }
    return makeError(ErrorClass::Unavailable, "every user id of vm_uid_first/vm_uid_count (" + std::to_string(count) +
                                                  " from " + std::to_string(first) +
                                                  ") is in use; delete unused VMs or widen the range");
}

Status StateStore::forgetVmUid(const std::string& name) {
    auto st = m_db->prepare("DELETE FROM vm_uid WHERE name = ?");
    if (!st) return st.error();
    st->bind(1, name);
    return st->run();
}

Status StateStore::setSetting(const std::string& key, const std::string& value) {
    auto st = m_db->prepare("INSERT INTO settings (key, value) VALUES (?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st) return st.error();
    st->bind(1, key).bind(2, value);
    return st->run();
}

Result<std::optional<std::string>> StateStore::setting(const std::string& key) {
    auto st = m_db->prepare("SELECT value FROM settings WHERE key = ?");
    if (!st) return st.error();
    st->bind(1, key);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>(st->columnText(0));
}

}  // namespace appliance

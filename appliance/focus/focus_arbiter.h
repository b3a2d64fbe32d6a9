// SPDX-License-Identifier: GPL-2.0-or-later
// The one authoritative focus: which target owns the physical display, keyboard and mouse (a VM,
// or the admin console). It changes only here, in order, and every change is persisted, audited
// and announced. When the focused VM stops or disappears, focus falls back to the admin console.
// Requests a policy marks "ask" wait here for the operator's answer, up to a timeout: at most one
// per requester (a newer one replaces the older, visibly), decided by id, and withdrawn when the
// requester stops or loses its right before the operator answers.
// Context: core thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/protocol.h"
#include "core/inventory.h"
#include "audit/audit_log.h"
#include "state/state_store.h"

namespace appliance {

inline constexpr const char* kAdminConsole = "admin-console";

struct FocusActor {
    std::string name;              ///< "root", "agent:legacy-vms", "applianced"
    std::optional<int64_t> uid;    ///< for admin callers
    std::string vm;                ///< for agents: the VM the request came from
};

class FocusArbiter {
public:
    using Json = protocol::Json;
    using Reply = std::function<void(Result<Json>)>;
    using EventSink = std::function<void(const std::string& name, const Json& data, double timestampS)>;

    /// Whether a pending ask's requester still has the right to it (checked before it is decided).
    using StillEntitled = std::function<Status()>;

    FocusArbiter(asio::io_context& io, StateStore& store, AuditLog& audit, const Inventory& inventory, int askTimeoutS);

    void setEventSink(EventSink sink) { m_sink = std::move(sink); }
    /// Restores the persisted focus; call after the first sync with the hypervisor.
    void restore();
    const std::string& current() const { return m_focus; }
    double changedAtS() const { return m_changedAtS; }

    /// Changes focus now (the caller has already been allowed to).
    void set(const std::string& target, const FocusActor& actor, Reply reply);
    /// Holds the request for the operator; answers when decide() is called, the timeout passes, or
    /// it is withdrawn. A pending ask of the same requester is withdrawn first.
    void ask(const std::string& target, const FocusActor& actor, StillEntitled entitled, Reply reply);
    /// The operator's answer to a pending ask.
    Result<Json> decide(int64_t askId, bool allow, const FocusActor& operatorActor);
    Json pendingAsks() const;

    /// Keeps focus valid as VMs come and go.
    void onInventoryChange(const InventoryChange& change);
    /// A target is valid if it is the admin console or a running VM; the error names the fix.
    Status validTarget(const std::string& target) const;

private:
    struct PendingAsk {
        int64_t id;
        std::string target;
        FocusActor actor;
        StillEntitled entitled;
        Reply reply;
        std::unique_ptr<asio::steady_timer> timer;
    };
    void apply(const std::string& target, const FocusActor& actor, const std::string& why);
    /// Ends a pending ask without a decision: its requester gets `why`, the console an event.
    void withdraw(int64_t id, const std::string& why);

    asio::io_context& m_io;
    StateStore& m_store;
    AuditLog& m_audit;
    const Inventory& m_inventory;
    int m_askTimeoutS;
    EventSink m_sink;
    std::string m_focus = kAdminConsole;
    double m_changedAtS = 0;
    int64_t m_nextAskId = 1;
    std::map<int64_t, PendingAsk> m_asks;
};

}  // namespace appliance

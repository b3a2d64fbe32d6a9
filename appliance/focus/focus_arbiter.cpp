// SPDX-License-Identifier: GPL-2.0-or-later
#include "focus/focus_arbiter.h"

#include "common/logging.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.focus");
    return l;
}
}  // namespace

FocusArbiter::FocusArbiter(asio::io_context& io, StateStore& store, AuditLog& audit, const Inventory& inventory,
                           int askTimeoutS)
    : m_io(io), m_store(store), m_audit(audit), m_inventory(inventory), m_askTimeoutS(askTimeoutS) {}

void FocusArbiter::restore() {
    auto saved = m_store.setting("focus");
    std::string target = saved && *saved ? **saved : kAdminConsole;
    m_changedAtS = protocol::nowTimestampS();
    if (validTarget(target)) {
        m_focus = target;
        return;
    }
    m_focus = target;  // so the fallback below records where it came from
    apply(kAdminConsole, {"applianced", std::nullopt}, "the focused VM '" + target + "' is not running");
}

Status FocusArbiter::validTarget(const std::string& target) const {
    if (target == kAdminConsole) return okStatus();
    const VmRecord* rec = m_inventory.find(target);
    if (!rec)
        return makeError(ErrorClass::NotFound, "there is no target named '" + target +
                                                   "'; the targets are the admin console and the appliance's VMs");
    if (!vmIsActive(rec->info.state) || rec->info.state == VmState::Paused)
        return makeError(ErrorClass::Conflict, "VM '" + target + "' is not running (" +
                                                   std::string(vmStateName(rec->info.state)) +
                                                   "), so it cannot take the display; start it first");
    return okStatus();
}

void FocusArbiter::apply(const std::string& target, const FocusActor& actor, const std::string& why) {
    std::string previous = m_focus;
    double at = protocol::nowTimestampS();
    // Durable first (the focus and its audit entry in one transaction), announced after the commit:
    // nobody hears of a focus that a crash would undo.
    AuditEntry entry = m_audit.bounded({0, at, actor.uid, actor.name, "focus.set", target, Json{{"target", target}}.dump(),
                                        "ok", "from " + previous + (why.empty() ? "" : " (" + why + ")")});
    if (auto s = m_store.recordFocus(target, entry); !s)
        log()->error("cannot persist the focus (it changes anyway, the operator must not be stuck): {}", s.error().message);
    else
        m_audit.wroteElsewhere();
    m_focus = target;
    m_changedAtS = at;
    Json data{{"target", target}, {"previous", previous}, {"by", actor.name}};
    if (!why.empty()) data["reason"] = why;
    if (m_sink) m_sink("focus.changed", data, m_changedAtS);
    log()->info("focus: {} -> {} by {}{}", previous, target, actor.name, why.empty() ? "" : " (" + why + ")");
}

void FocusArbiter::set(const std::string& target, const FocusActor& actor, Reply reply) {
    if (auto s = validTarget(target); !s) return reply(s.error());
    if (target != m_focus) apply(target, actor, "");
    reply(Json{{"target", m_focus}, {"changed_at", m_changedAtS}});
}

void FocusArbiter::ask(const std::string& target, const FocusActor& actor, StillEntitled entitled, Reply reply) {
    if (auto s = validTarget(target); !s) return reply(s.error());
    for (auto it = m_asks.begin(); it != m_asks.end();) {
        auto next = std::next(it);
        if (it->second.actor.name == actor.name) withdraw(it->first, "replaced by a newer request from " + actor.name);
        it = next;
    }
    int64_t id = m_nextAskId++;
    auto timer = std::make_unique<asio::steady_timer>(m_io, std::chrono::seconds(m_askTimeoutS));
    timer->async_wait([this, id](const asio::error_code& ec) {
        if (ec) return;
        auto it = m_asks.find(id);
        if (it == m_asks.end()) return;
        auto reply = std::move(it->second.reply);
        m_asks.erase(it);
        if (m_sink) m_sink("focus.ask-expired", Json{{"id", id}}, protocol::nowTimestampS());
        reply(makeError(ErrorClass::PermissionDenied, "the operator did not answer within " +
                                                          std::to_string(m_askTimeoutS) + " s; ask again"));
    });
    m_asks[id] = PendingAsk{id, target, actor, std::move(entitled), std::move(reply), std::move(timer)};
    m_audit.record({0, 0, actor.uid, actor.name, "focus.ask", target, Json{{"id", id}, {"target", target}}.dump(),
                    "pending", "waiting for the operator"});
    if (m_sink)
        m_sink("focus.ask", Json{{"id", id}, {"target", target}, {"by", actor.name}, {"timeout_s", m_askTimeoutS}},
               protocol::nowTimestampS());
}

void FocusArbiter::withdraw(int64_t id, const std::string& why) {
    auto it = m_asks.find(id);
    if (it == m_asks.end()) return;
    PendingAsk ask = std::move(it->second);
    m_asks.erase(it);
    ask.timer->cancel();
    m_audit.record({0, 0, ask.actor.uid, ask.actor.name, "focus.ask", ask.target, Json{{"id", id}}.dump(), "withdrawn", why});
    if (m_sink) m_sink("focus.ask-withdrawn", Json{{"id", id}, {"reason", why}}, protocol::nowTimestampS());
    ask.reply(makeError(ErrorClass::Conflict, "the request to give the display to '" + ask.target + "' was withdrawn: " + why));
}

Result<FocusArbiter::Json> FocusArbiter::decide(int64_t askId, bool allow, const FocusActor& operatorActor) {
    auto it = m_asks.find(askId);
    if (it == m_asks.end())
        return makeError(ErrorClass::NotFound, "no pending request with id " + std::to_string(askId) +
                                                   " (answered, replaced, withdrawn or timed out); `focus.asks` lists them");
    if (it->second.entitled) {
        if (auto s = it->second.entitled(); !s) {
            std::string why = s.error().message;
            withdraw(askId, why);
            return makeError(ErrorClass::Conflict, "request " + std::to_string(askId) + " was withdrawn before your answer: " + why);
        }
    }
    PendingAsk ask = std::move(it->second);
    m_asks.erase(it);
    ask.timer->cancel();
    m_audit.record({0, 0, operatorActor.uid, operatorActor.name, "focus.decide", ask.target,
                    Json{{"id", askId}, {"allow", allow}, {"requested_by", ask.actor.name}}.dump(),
                    allow ? "allowed" : "denied", ""});
    if (!allow) {
        ask.reply(makeError(ErrorClass::PermissionDenied, "the operator denied the switch to '" + ask.target + "'"));
        return Json{{"id", askId}, {"allowed", false}};
    }
    if (auto s = validTarget(ask.target); !s) {
        ask.reply(s.error());
        return s.error();
    }
    if (ask.target != m_focus) apply(ask.target, ask.actor, "allowed by " + operatorActor.name);
    ask.reply(Json{{"target", m_focus}, {"changed_at", m_changedAtS}});
    return Json{{"id", askId}, {"allowed", true}};
}

FocusArbiter::Json FocusArbiter::pendingAsks() const {
    Json out = Json::array();
    for (const auto& [id, a] : m_asks) out.push_back({{"id", id}, {"target", a.target}, {"by", a.actor.name}});
    return out;
}

void FocusArbiter::onInventoryChange(const InventoryChange& c) {
    bool stopped = c.kind == InventoryChange::Kind::Removed ||
                   (c.kind == InventoryChange::Kind::StateChanged && (!vmIsActive(c.state) || c.state == VmState::Paused));
    if (stopped) {
        // Asks from a VM that stopped, or for a target that stopped, can no longer be answered.
        std::vector<std::pair<int64_t, std::string>> gone;
        for (const auto& [id, a] : m_asks) {
            if (a.actor.vm == c.name) gone.emplace_back(id, "VM '" + c.name + "', which asked, is no longer running");
            else if (a.target == c.name) gone.emplace_back(id, "the target '" + c.name + "' is no longer running");
        }
        for (const auto& [id, why] : gone) withdraw(id, why);
    }
    if (c.name != m_focus) return;
    bool gone = c.kind == InventoryChange::Kind::Removed ||
                (c.kind == InventoryChange::Kind::StateChanged && (!vmIsActive(c.state) || c.state == VmState::Paused));
    if (gone)
        apply(kAdminConsole, {"applianced", std::nullopt},
              "VM '" + c.name + "' is " + (c.kind == InventoryChange::Kind::Removed ? "gone" : std::string(vmStateName(c.state))));
}

}  // namespace appliance

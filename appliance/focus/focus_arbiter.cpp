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

FocusArbiter::FocusArbiter(asio::io_context& io, StateStore& store, const Inventory& inventory, int askTimeoutS)
    : m_io(io), m_store(store), m_inventory(inventory), m_askTimeoutS(askTimeoutS) {}

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
    m_focus = target;
    m_changedAtS = protocol::nowTimestampS();
    Json data{{"target", target}, {"previous", previous}, {"by", actor.name}};
    if (!why.empty()) data["reason"] = why;
    if (m_sink) m_sink("focus.changed", data, m_changedAtS);
    auto persisted = m_store.setSetting("focus", target);
    if (!persisted) log()->error("cannot persist the focus: {}", persisted.error().message);
    (void)m_store.appendAudit({0, m_changedAtS, actor.uid, actor.name, "focus.set", target,
                               Json{{"target", target}}.dump(), "ok",
                               "from " + previous + (why.empty() ? "" : " (" + why + ")")});
    log()->info("focus: {} -> {} by {}{}", previous, target, actor.name, why.empty() ? "" : " (" + why + ")");
}

void FocusArbiter::set(const std::string& target, const FocusActor& actor, Reply reply) {
    if (auto s = validTarget(target); !s) return reply(s.error());
    if (target != m_focus) apply(target, actor, "");
    reply(Json{{"target", m_focus}, {"changed_at", m_changedAtS}});
}

void FocusArbiter::ask(const std::string& target, const FocusActor& actor, Reply reply) {
    if (auto s = validTarget(target); !s) return reply(s.error());
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
    m_asks[id] = PendingAsk{id, target, actor, std::move(reply), std::move(timer)};
    if (m_sink)
        m_sink("focus.ask", Json{{"id", id}, {"target", target}, {"by", actor.name}, {"timeout_s", m_askTimeoutS}},
               protocol::nowTimestampS());
}

Result<FocusArbiter::Json> FocusArbiter::decide(int64_t askId, bool allow, const FocusActor& operatorActor) {
    auto it = m_asks.find(askId);
    if (it == m_asks.end())
        return makeError(ErrorClass::NotFound, "no pending request with id " + std::to_string(askId) +
                                                   " (answered already or timed out); `focus.asks` lists them");
    PendingAsk ask = std::move(it->second);
    m_asks.erase(it);
    ask.timer->cancel();
    (void)m_store.appendAudit({0, 0, operatorActor.uid, operatorActor.name, "focus.decide", ask.target,
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
    if (c.name != m_focus) return;
    bool gone = c.kind == InventoryChange::Kind::Removed ||
                (c.kind == InventoryChange::Kind::StateChanged && (!vmIsActive(c.state) || c.state == VmState::Paused));
    if (gone)
        apply(kAdminConsole, {"applianced", std::nullopt},
              "VM '" + c.name + "' is " + (c.kind == InventoryChange::Kind::Removed ? "gone" : std::string(vmStateName(c.state))));
}

}  // namespace appliance

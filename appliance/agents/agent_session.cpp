// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/agent_session.h"

#include <cstdio>

#include "admin/arguments.h"
#include "agents/agent_server.h"
#include "common/agent_auth.h"
#include "common/logging.h"
#include "vms/guest_answers.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.agents");
    return l;
}
}  // namespace

AgentSession::AgentSession(AgentServer& server, std::string vm, std::shared_ptr<LineChannel> conn)
    : m_server(server), m_vm(std::move(vm)), m_conn(std::move(conn)),
      m_bucket(server.m_settings.requestsPerSecond, server.m_settings.burst) {}

AgentSession::AgentSession(AgentServer& server, std::shared_ptr<LineChannel> conn, std::string challenge, std::string peer,
                           uint64_t pendingId, std::shared_ptr<asio::steady_timer> deadline)
    : m_server(server), m_challenge(std::move(challenge)), m_peer(std::move(peer)), m_pendingId(pendingId),
      m_deadline(std::move(deadline)), m_conn(std::move(conn)), m_bucket(server.m_settings.requestsPerSecond, server.m_settings.burst) {}

void AgentSession::start() {
    auto self = shared_from_this();
    m_conn->start({[this, self](Result<std::string> frame) { onFrame(std::move(frame)); },
                   [this, self](const std::string& why) {
                       log()->info("agent {} of '{}' closed: {}", viaChannel() ? "channel" : "connection from " + m_peer,
                                   m_vm.empty() ? "(unauthenticated)" : m_vm, why);
                       failCommands(why);
                       m_server.dropSession(self);
                   }});
    if (!viaChannel())
        send(protocol::encodeGreeting({{"server", "applianced"},
                                       {"version", protocol::kVersion},
                                       {"challenge", m_challenge},
                                       {"auth", "hmac-sha256(secret, challenge:vm:server_fingerprint)"}}));
}

void AgentSession::authenticate(const protocol::Message& msg) {
    Arguments args("agent agent.auth", msg.body);
    auto fail = [&](const std::string& claimed, const std::string& why) {
        log()->warn("agent from {} failed to authenticate as '{}': {}", m_peer, claimed, why);
        m_server.m_audit.record({0, 0, std::nullopt, "tcp:" + m_peer, "agent.auth", claimed, "{}", "denied", why});
        send(protocol::encodeError(ErrorClass::PermissionDenied,
                                   "authentication failed; an agent needs its VM's directory (the secret in it) and "
                                   "the VM must be running",
                                   msg.id));
        m_conn->closeAfterWrite();
    };
    if (msg.name != "agent.auth") return fail("", "sent '" + msg.name.substr(0, 64) + "' before agent.auth");
    if (auto s = args.onlyKeys({"vm", "proof"}); !s) return fail("", s.error().message);
    auto vm = args.vmName("vm");
    auto proof = args.string("proof", 128);
    if (!vm || !proof || !*proof) return fail("", "agent.auth needs 'vm' and 'proof'");
    const VmRecord* rec = m_server.m_vms.inventory().find(*vm);
    if (!rec) return fail(*vm, "no such VM");
    if (!vmIsActive(rec->info.state)) return fail(*vm, "the VM is not running");
    auto secret = m_server.m_store.vmSecret(*vm);
    if (!secret) return fail(*vm, secret.error().message);
    std::string expected = agent_auth::proof(*secret, m_challenge, *vm, m_server.m_tls.fingerprint);
    if (!agent_auth::equalConstantTime(expected, **proof)) return fail(*vm, "wrong proof (wrong secret, or a replay)");
    if (m_deadline) m_deadline->cancel();
    if (!m_server.tcpAuthenticated(m_pendingId)) {
        log()->warn("agent from {} proved it is '{}', but the limit of TCP agents is reached", m_peer, *vm);
        send(protocol::encodeError(ErrorClass::TooManyRequests,
                                   "applianced serves its maximum of TCP agents; use the VM's virtio-serial channel "
                                   "or try again later",
                                   msg.id));
        return m_conn->closeAfterWrite();
    }
    m_vm = *vm;
    m_lastHeard = std::chrono::steady_clock::now();
    m_challenge = "used";  // one connection, one proof
    m_server.m_audit.record({0, 0, std::nullopt, "agent:" + m_vm, "agent.auth", m_vm, "{}", "ok", "tcp from " + m_peer});
    log()->info("agent from {} authenticated as '{}'", m_peer, m_vm);
    send(protocol::encodeReturn({{"vm", m_vm}}, msg.id));
}

void AgentSession::close() { m_conn->close("applianced is closing the channel"); }

void AgentSession::pushEvent(const std::string& line) {
    if (m_subscribed) send(line);
}

void AgentSession::onFrame(Result<std::string> frame) {
    // Every frame, good or bad, spends a token: a flooding guest costs the host a bounded effort.
    // Until a TCP peer has proved which VM it is, its own connection's bucket applies.
    TokenBucket& bucket = m_vm.empty() ? m_bucket : m_server.bucketFor(m_vm);
    if (!bucket.take()) {
        auto now = std::chrono::steady_clock::now();
        if (now - m_lastThrottleNotice > std::chrono::seconds(1)) {
            m_lastThrottleNotice = now;
            log()->warn("agent of '{}' exceeds its rate limit; dropping its requests", m_vm);
            send(protocol::encodeError(ErrorClass::TooManyRequests,
                                       "too many requests from this VM; requests are being dropped, slow down",
                                       nullptr));
        }
        return;
    }
    if (!frame) {
        // The agent runs the host's commands one at a time, so an oversized line is the answer to
        // the oldest command waiting: fail that one now rather than let it time out.
        if (frame.error().cls == ErrorClass::TooLarge && !m_vm.empty() && !m_commands.empty())
            finishCommand(m_commands.begin()->first,
                          makeError(ErrorClass::TooLarge, "the agent of '" + m_vm + "' answered with more than " +
                                                              std::to_string(m_server.m_settings.maxAnswerBytes) +
                                                              " bytes; the answer was dropped"));
        return send(protocol::encodeError(frame.error().cls, frame.error().message, nullptr));
    }
    const auto& settings = m_server.m_settings;
    // Answers to the host's commands may be larger than requests (the framer allows it only while
    // a command waits); a request is held to the request limit either way.
    const bool answerExpected = !m_vm.empty() && !m_commands.empty();
    auto msg = protocol::decode(frame.value(), {answerExpected ? settings.maxAnswerBytes : settings.maxFrameBytes, 8});
    if (!msg) return send(protocol::encodeError(msg.error().cls, msg.error().message, nullptr));
    if (!m_vm.empty() && (msg->kind == protocol::Kind::Return || msg->kind == protocol::Kind::Error))
        return onAnswer(*msg);
    if (msg->kind != protocol::Kind::Command)
        return send(protocol::encodeError(ErrorClass::InvalidArgument, "expected a command", msg->id));
    if (frame.value().size() > settings.maxFrameBytes)
        return send(protocol::encodeError(ErrorClass::TooLarge, "a request may be at most " +
                                                                    std::to_string(settings.maxFrameBytes) + " bytes",
                                          msg->id));
    if (m_vm.empty()) return authenticate(*msg);
    m_lastHeard = std::chrono::steady_clock::now();
    handle(*msg);
}

void AgentSession::command(const std::string& verb, const Json& args, std::chrono::milliseconds timeout, CommandDone done) {
    if (m_vm.empty() || m_conn->closed())
        return done(makeError(ErrorClass::Unavailable, m_vm.empty() ? std::string("the agent's connection is not open")
                                                                    : "the connection to the agent of VM '" + m_vm +
                                                                          "' is closed (the guest may be rebooting)"));
    if (m_commands.size() >= m_server.m_settings.maxCommandsPerVm)
        return done(makeError(ErrorClass::TooManyRequests, "the agent of '" + m_vm + "' is still busy with " +
                                                               std::to_string(m_commands.size()) +
                                                               " commands; try again when they are done"));
    const uint64_t number = m_nextCommandId++;
    auto timer = std::make_unique<asio::steady_timer>(m_server.m_io, timeout);
    std::weak_ptr<AgentSession> weak = shared_from_this();
    timer->async_wait([weak, number, timeout](const asio::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        auto it = self->m_commands.find(number);
        if (it == self->m_commands.end()) return;
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.1f", double(timeout.count()) / 1000.0);
        self->finishCommand(number, makeError(ErrorClass::Timeout,
                                              "the agent of '" + self->m_vm + "' did not answer " + it->second.verb +
                                                  " within " + seconds +
                                                  " s; check that vms-agentd and the VMS run in the guest"));
    });
    if (m_commands.empty()) m_conn->setMaxFrameBytes(m_server.m_settings.maxAnswerBytes);
    m_commands.emplace(number, HostCommand{verb, std::move(done), std::move(timer)});
    send(protocol::encodeCommand(verb, args, "h" + std::to_string(number)));
}

void AgentSession::onAnswer(const protocol::Message& msg) {
    // Our ids are "h" and a number; anything else matches nothing.
    uint64_t number = 0;
    if (msg.id.is_string()) {
        const std::string& id = msg.id.get_ref<const std::string&>();
        if (id.size() > 1 && id.size() <= 20 && id[0] == 'h' && id.find_first_not_of("0123456789", 1) == std::string::npos)
            number = std::stoull(id.substr(1));
    }
    if (!m_commands.count(number)) {
        // Late (after a timeout) or made up: nothing waits for it. Say so now and then, no more.
        auto now = std::chrono::steady_clock::now();
        if (now - m_lastStrayNotice > std::chrono::seconds(10)) {
            m_lastStrayNotice = now;
            log()->warn("agent of '{}' sent an answer nobody waits for (late, or not asked for); ignored", m_vm);
        }
        return send(protocol::encodeError(ErrorClass::InvalidArgument,
                                          "no command of the host waits for this answer (it came too late, or "
                                          "nothing was asked); it was ignored",
                                          msg.id));
    }
    m_lastHeard = std::chrono::steady_clock::now();
    if (msg.kind == protocol::Kind::Error) return finishCommand(number, vms::guestError(m_vm, msg.error));
    finishCommand(number, msg.body);
}

void AgentSession::finishCommand(uint64_t number, Result<Json> result) {
    auto node = m_commands.extract(number);
    if (node.empty()) return;
    if (m_commands.empty()) m_conn->setMaxFrameBytes(m_server.m_settings.maxFrameBytes);
    node.mapped().timer->cancel();
    node.mapped().done(std::move(result));
}

void AgentSession::failCommands(const std::string& why) {
    auto commands = std::move(m_commands);
    m_commands.clear();
    for (auto& [id, c] : commands) {
        c.timer->cancel();
        c.done(makeError(ErrorClass::Unavailable, "the connection to the agent of '" + m_vm + "' closed before it answered " +
                                                      c.verb + " (" + why + ")"));
    }
}

AgentSession::Json AgentSession::targets() const {
    const FocusArbiter& focus = m_server.m_focus;
    Json out = Json::array();
    out.push_back({{"name", kAdminConsole}, {"kind", "console"}, {"state", "running"},
                   {"focused", focus.current() == kAdminConsole}, {"you", false}});
    for (const VmRecord* rec : m_server.m_vms.inventory().all())
        out.push_back({{"name", rec->info.name},
                       {"kind", "vm"},
                       {"state", vmStateName(rec->info.state)},
                       {"focused", focus.current() == rec->info.name},
                       {"you", rec->info.name == m_vm}});
    return out;
}

void AgentSession::answer(const Json& id, const std::string& verb, const std::string& target, Result<Json> result) {
    if (verb != "targets.list" && verb != "focus.get" && verb != "agent.hello") {
        // Reads are frequent and harmless; what could change something is audited.
        m_server.m_audit.record({0, 0, std::nullopt, "agent:" + m_vm, "agent." + verb, target,
                                 Json{{"target", target}}.dump(-1, ' ', false, Json::error_handler_t::replace),
                                 result ? "ok" : std::string(errorClassName(result.error().cls)),
                                 result ? "" : result.error().message});
    }
    if (result) send(protocol::encodeReturn(result.value(), id));
    else send(protocol::encodeError(result.error().cls, result.error().message, id));
}

void AgentSession::handle(const protocol::Message& msg) {
    const std::string& verb = msg.name;
    Arguments args("agent " + verb, msg.body);
    auto reply = [this, id = msg.id, verb](const std::string& target, Result<Json> r) { answer(id, verb, target, std::move(r)); };
    const bool hasFocus = m_server.m_focus.current() == m_vm;

    // Every verb goes through the policy, with the source's focus as the host sees it now.
    auto allowed = [&](const std::string& target) -> Status {
        PolicyDecision d = m_server.policy().decide(m_vm, verb, target, hasFocus);
        if (d.action == PolicyAction::Deny)
            return makeError(ErrorClass::PermissionDenied, "the appliance's policy does not let '" + m_vm + "' " +
                                                               (verb == "focus.request" ? "switch to '" + target + "'" : "use " + verb) +
                                                               " (" + d.why + ")" +
                                                               (verb == "focus.request" && !hasFocus
                                                                    ? "; only the VM that has the display may ask for it"
                                                                    : "; ask the administrator"));
        return okStatus();
    };

    if (verb == "agent.hello") {
        if (auto s = args.onlyKeys({"version", "agent"}); !s) return reply("", s.error());
        if (auto s = allowed(""); !s) return reply("", s.error());
        m_subscribed = false;  // a (re)started agent starts afresh
        return reply("", Json{{"server", "applianced"},
                              {"version", protocol::kVersion},
                              {"vm", m_vm},
                              {"focus", m_server.m_focus.current()},
                              {"capabilities", {"events", "focus"}}});
    }
    if (verb == "events.subscribe" || verb == "events.unsubscribe") {
        if (auto s = args.onlyKeys({}); !s) return reply("", s.error());
        if (verb == "events.subscribe")
            if (auto s = allowed(""); !s) return reply("", s.error());
        m_subscribed = verb == "events.subscribe";
        return reply("", Json{{"subscribed", m_subscribed}});
    }
    if (verb == "targets.list" || verb == "focus.get") {
        if (auto s = args.onlyKeys({}); !s) return reply("", s.error());
        if (auto s = allowed(""); !s) return reply("", s.error());
        if (verb == "targets.list") return reply("", targets());
        return reply("", Json{{"target", m_server.m_focus.current()}, {"changed_at", m_server.m_focus.changedAtS()}});
    }
    if (verb == "focus.request") {
        if (auto s = args.onlyKeys({"target"}); !s) return reply("", s.error());
        auto target = args.string("target", 64);
        if (!target || !*target) return reply("", makeError(ErrorClass::InvalidArgument, "agent focus.request: argument 'target' is required"));
        if (**target != kAdminConsole && !validVmName(**target))
            return reply("", makeError(ErrorClass::InvalidArgument, "agent focus.request: 'target' is not a valid target name"));
        PolicyDecision d = m_server.policy().decide(m_vm, verb, **target, hasFocus);
        // A guest in the background never takes the display by itself, whatever a rule says: at
        // most the operator is asked.
        if (d.action == PolicyAction::Allow && !hasFocus) d.action = PolicyAction::Ask;
        FocusActor actor{"agent:" + m_vm, std::nullopt, m_vm};
        std::weak_ptr<AgentSession> weak = shared_from_this();
        auto done = [weak, reply, t = **target](Result<Json> r) {
            if (auto self = weak.lock()) reply(t, std::move(r));
        };
        if (d.action == PolicyAction::Allow) return m_server.m_focus.set(**target, actor, done);
        if (d.action == PolicyAction::Ask) {
            send(protocol::encodeEvent("focus.pending", Json{{"target", **target}}, protocol::nowTimestampS()));
            // Before the operator's answer counts, the requester must still be running and allowed.
            AgentServer* server = &m_server;
            auto entitled = [server, vm = m_vm, t = **target]() -> Status {
                const VmRecord* rec = server->m_vms.inventory().find(vm);
                if (!rec || !vmIsActive(rec->info.state))
                    return makeError(ErrorClass::Conflict, "VM '" + vm + "', which asked, is no longer running");
                PolicyDecision now = server->policy().decide(vm, "focus.request", t, server->m_focus.current() == vm);
                if (now.action == PolicyAction::Deny)
                    return makeError(ErrorClass::PermissionDenied, "the policy no longer lets '" + vm + "' ask (" + now.why + ")");
                return okStatus();
            };
            return m_server.m_focus.ask(**target, actor, entitled, done);
        }
        return reply(**target, allowed(**target).error());
    }
    reply("", makeError(ErrorClass::CommandNotFound, "unknown agent command; agents may use agent.hello, targets.list, "
                                                     "focus.get, focus.request, events.subscribe"));
}

}  // namespace appliance

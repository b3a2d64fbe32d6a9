// SPDX-License-Identifier: GPL-2.0-or-later
// One guest agent's connection. On a VM's virtio-serial channel it is bound to that VM from the
// start; on TCP+TLS it is nobody until it proves, by challenge-response on the VM's secret, which
// VM it belongs to.
// Context: core thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <asio/steady_timer.hpp>

#include "agents/token_bucket.h"
#include "common/protocol.h"
#include "common/line_connection.h"

namespace appliance {

class AgentServer;

class AgentSession : public std::enable_shared_from_this<AgentSession> {
public:
    using Json = protocol::Json;
    /// A session on `vm`'s channel.
    AgentSession(AgentServer& server, std::string vm, std::shared_ptr<LineChannel> conn);
    /// A TCP session from `peer`, which must answer `challenge` first (before `deadline` fires;
    /// `pendingId` is its place among the server's peers that have not authenticated).
    AgentSession(AgentServer& server, std::shared_ptr<LineChannel> conn, std::string challenge, std::string peer,
                 uint64_t pendingId, std::shared_ptr<asio::steady_timer> deadline);
    void start();
    void close();
    void pushEvent(const std::string& line);
    using CommandDone = std::function<void(Result<Json>)>;
    /// The other direction: sends `verb` to this guest's agent. `done` gets the agent's answer
    /// (untrusted: the caller validates it), or Timeout when none came within `timeout`, or
    /// Unavailable when the connection closed first. At most maxCommandsPerVm at once.
    void command(const std::string& verb, const Json& args, std::chrono::milliseconds timeout, CommandDone done);
    bool authenticated() const { return !m_vm.empty(); }
    /// When the agent last sent anything valid (zero: never): the server sends commands to the
    /// connection an agent is really on.
    std::chrono::steady_clock::time_point lastHeard() const { return m_lastHeard; }
    const std::string& vm() const { return m_vm; }
    bool viaChannel() const { return m_pendingId == 0; }
    uint64_t pendingId() const { return m_pendingId; }

private:
    void onFrame(Result<std::string> frame);
    void handle(const protocol::Message& msg);
    void answer(const Json& id, const std::string& verb, const std::string& target, Result<Json> result);
    void send(std::string line) { m_conn->send(std::move(line)); }
    Json targets() const;
    void authenticate(const protocol::Message& msg);
    void onAnswer(const protocol::Message& msg);
    void finishCommand(uint64_t number, Result<Json> result);
    void failCommands(const std::string& why);

    AgentServer& m_server;
    std::string m_vm;         ///< who this is, as the host established it (empty: not yet)
    std::string m_challenge;  ///< TCP only
    std::string m_peer;       ///< TCP only: address:port, for the audit log
    uint64_t m_pendingId = 0; ///< TCP only
    std::shared_ptr<asio::steady_timer> m_deadline;  ///< TCP only, until authenticated
    std::shared_ptr<LineChannel> m_conn;
    TokenBucket m_bucket;  ///< before authentication only; then the VM's bucket in the server
    std::chrono::steady_clock::time_point m_lastThrottleNotice{};
    bool m_subscribed = false;
    struct HostCommand {
        std::string verb;
        CommandDone done;
        std::unique_ptr<asio::steady_timer> timer;
    };
    std::map<uint64_t, HostCommand> m_commands;  ///< by number (sent as id "h1", "h2", ...): oldest first
    uint64_t m_nextCommandId = 1;
    std::chrono::steady_clock::time_point m_lastStrayNotice{};
    std::chrono::steady_clock::time_point m_lastHeard{};
};

}  // namespace appliance

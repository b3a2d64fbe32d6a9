// SPDX-License-Identifier: GPL-2.0-or-later
// One guest agent's connection, bound to the VM whose channel it arrived on.
// Context: core thread.
#pragma once

#include <memory>
#include <string>

#include "agents/token_bucket.h"
#include "common/protocol.h"
#include "common/line_connection.h"

namespace appliance {

class AgentServer;

class AgentSession : public std::enable_shared_from_this<AgentSession> {
public:
    using Json = protocol::Json;
    AgentSession(AgentServer& server, std::string vm, LineConnection::Socket socket);
    void start();
    void close();
    void pushEvent(const std::string& line);
    const std::string& vm() const { return m_vm; }

private:
    void onFrame(Result<std::string> frame);
    void handle(const protocol::Message& msg);
    void answer(const Json& id, const std::string& verb, const std::string& target, Result<Json> result);
    void send(std::string line) { m_conn->send(std::move(line)); }
    Json targets() const;

    AgentServer& m_server;
    std::string m_vm;   ///< who this is, as the host's plumbing says
    std::shared_ptr<LineConnection> m_conn;
    TokenBucket m_bucket;
    std::chrono::steady_clock::time_point m_lastThrottleNotice{};
    bool m_subscribed = false;
};

}  // namespace appliance

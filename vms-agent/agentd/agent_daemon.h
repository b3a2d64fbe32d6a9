// SPDX-License-Identifier: GPL-2.0-or-later
// vms-agentd: the agent inside a guest. It follows the appliance's directory (polled, so a changed
// endpoint is picked up without a restart), keeps one connection to the agent server with
// reconnects and backoff, and serves a local socket for the CLI and the tray: their requests are
// forwarded upstream and the answers routed back; events are fanned out to local subscribers.
// Context: one thread (the io_context's).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>

#include "common/line_connection.h"
#include "agentd/host_commands.h"
#include "agentd/upstream.h"
#include "common/protocol.h"

namespace appliance::agent {

struct AgentOptions {
    std::string directoryPath = "/mnt/appliance/directory.json";
    std::string socketPath = "/run/vms-agent.sock";
    std::string endpointOverride;  ///< e.g. "unix:/path" to test on a host
    std::chrono::milliseconds pollInterval{1000};
    std::chrono::milliseconds helloTimeout{5000};
    std::chrono::milliseconds maxBackoff{5000};
    std::string vmsProduct = "auto";  ///< which VMS adapter answers the host: auto, motion, zoneminder, none
};

class AgentDaemon {
public:
    using Json = protocol::Json;
    AgentDaemon(asio::io_context& io, AgentOptions options);
    Status start();
    void stop();

private:
    struct LocalClient {
        std::shared_ptr<LineChannel> conn;
        bool subscribed = false;
    };
    struct Pending {
        std::weak_ptr<LocalClient> client;
        Json id;
    };

    void tick();
    void reloadDirectory();
    void connectUpstream();
    void connectTls();
    void attachUpstream(std::shared_ptr<LineChannel> conn);
    void upstreamFailed(const std::string& why);
    void upstreamSend(const std::string& verb, const Json& args, const std::string& id);
    void onUpstreamFrame(Result<std::string> frame);
    void onUpstreamClosed(const std::string& why);
    void onHostCommand(const protocol::Message& msg);
    void accept();
    void onLocalFrame(const std::shared_ptr<LocalClient>& client, Result<std::string> frame);
    void fanOut(const std::string& line);
    Json status() const;

    asio::io_context& m_io;
    AgentOptions m_opt;
    asio::local::stream_protocol::acceptor m_acceptor;
    asio::steady_timer m_tick;
    asio::steady_timer m_helloTimer;
    std::set<std::shared_ptr<LocalClient>> m_clients;

    Json m_directory;
    std::string m_directoryText;
    Endpoint m_endpoint;
    asio::ssl::context m_tlsContext{asio::ssl::context::tls_client};
    bool m_connecting = false;
    std::shared_ptr<LineChannel> m_upstream;
    bool m_ready = false;           ///< the server answered our hello
    std::string m_identity;         ///< as the server established it
    std::string m_focus;
    std::string m_lastError;
    std::chrono::steady_clock::time_point m_nextAttempt{};
    std::chrono::milliseconds m_backoff{1000};
    uint64_t m_nextId = 1;
    std::map<std::string, Pending> m_pending;
    HostCommands m_hostCommands;
};

}  // namespace appliance::agent

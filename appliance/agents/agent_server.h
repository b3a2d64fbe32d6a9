// SPDX-License-Identifier: GPL-2.0-or-later
// The agent server: the host end of every guest agent. For each running VM it connects to that
// VM's virtio-serial channel socket; whatever arrives there comes from that VM, whatever the
// message claims (the identity is the channel, never the message). Agents may list targets, read
// and request focus, and subscribe to focus and VM events, as the policy allows; every request is
// audited with the identity the host established, and each VM is rate-limited.
// Context: core thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <set>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>

#include "agents/tls_identity.h"
#include "common/line_connection.h"
#include "audit/audit_log.h"
#include "agents/token_bucket.h"
#include "common/policy.h"
#include "common/protocol.h"
#include "core/vm_manager.h"
#include "focus/focus_arbiter.h"
#include "state/state_store.h"

namespace appliance {

struct AgentServerSettings {
    std::string policyDir = "/etc/appliance/policy.d";
    double requestsPerSecond = 10;
    double burst = 20;
    std::size_t maxFrameBytes = 16 * 1024;   ///< a request from a guest
    /// An answer to the host's command (a VMS's camera list): the larger limit applies only while
    /// a command is waiting, so an idle guest's connection never buffers more than maxFrameBytes.
    std::size_t maxAnswerBytes = 256 * 1024;
    std::size_t maxCommandsPerVm = 4;
    std::size_t maxQueuedBytes = 256 * 1024;
    std::chrono::milliseconds reconnectDelay{1000};
    std::string tcpListen = "127.0.0.1:0";   ///< "" disables the TCP+TLS endpoint
    std::size_t maxTcpSessions = 2048;             ///< authenticated TCP agents
    /// A TCP peer must finish TLS and prove its VM within this time, or it is dropped.
    std::chrono::milliseconds authTimeout{5000};
    /// Peers still in TLS handshake or authentication, per source address and in all. When a cap
    /// is reached the oldest such peer is dropped, so silent connections cannot keep a real agent
    /// out; they never count toward maxTcpSessions.
    std::size_t maxPendingPerSource = 64;
    std::size_t maxPending = 256;
};

class AgentSession;

class AgentServer {
public:
    using Json = protocol::Json;
    AgentServer(asio::io_context& io, VmManager& vms, FocusArbiter& focus, StateStore& store, AuditLog& audit,
                AgentServerSettings settings);
    ~AgentServer();

    /// Listens for agents on TCP+TLS; returns the port it got.
    Result<int> listenTcp(const TlsIdentity& identity);
    /// Keeps one channel connection per running VM.
    void onInventoryChange(const InventoryChange& change);
    /// Connects to every running VM (after the first sync).
    void connectAll();
    /// Events agents may see: focus changes and VM state.
    void broadcast(const std::string& event, const Json& data, double timestampS);
    void close();

    std::size_t sessionCount() const { return m_sessions.size() + m_tcpSessions.size(); }
    std::size_t pendingTcpCount() const { return m_pending.size(); }
    /// The policy as it is now (re-read when a file in the directory changed).
    const Policy& policy();
    /// Sends a command to `vm`'s agent (its channel if connected, else its newest TCP session) and
    /// calls `done` with the answer or an error; see AgentSession::command.
    void commandAgent(const std::string& vm, const std::string& verb, const Json& args, std::chrono::milliseconds timeout,
                      std::function<void(Result<Json>)> done);
    /// One rate limit per VM, whichever connections its requests arrive on.
    TokenBucket& bucketFor(const std::string& vm);

private:
    friend class AgentSession;
    void connect(const std::string& vm);
    void scheduleReconnect(const std::string& vm);
    void dropSession(const std::shared_ptr<AgentSession>& session);
    void acceptTcp();
    void startTcpPeer(asio::ip::tcp::socket socket);
    /// A pending TCP peer proved its VM; false if the authenticated limit is reached.
    bool tcpAuthenticated(uint64_t pendingId);
    void forgetPending(uint64_t pendingId);

    asio::io_context& m_io;
    VmManager& m_vms;
    FocusArbiter& m_focus;
    StateStore& m_store;
    AuditLog& m_audit;
    AgentServerSettings m_settings;
    std::map<std::string, std::shared_ptr<AgentSession>> m_sessions;   ///< channel sessions, by VM
    std::set<std::shared_ptr<AgentSession>> m_tcpSessions;
    struct PendingPeer {
        std::string source;  ///< the peer's address (no port)
        std::weak_ptr<LineChannel> conn;
    };
    std::map<uint64_t, PendingPeer> m_pending;  ///< by accept order: the first is the oldest
    uint64_t m_nextPendingId = 1;
    std::size_t m_authenticatedTcp = 0;
    asio::steady_timer m_acceptBackoff{m_io};
    std::chrono::milliseconds m_acceptDelay{0};
    asio::ssl::context m_sslContext{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor m_tcpAcceptor{m_io};
    TlsIdentity m_tls;
    std::map<std::string, std::unique_ptr<asio::steady_timer>> m_retry;
    std::map<std::string, TokenBucket> m_buckets;
    Policy m_policy;
    std::string m_policyStamp;
    bool m_closing = false;
};

}  // namespace appliance

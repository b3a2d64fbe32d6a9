// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/agent_server.h"

#include <algorithm>
#include <filesystem>

#include <asio/local/stream_protocol.hpp>

#include "agents/agent_session.h"
#include "agents/tls_socket.h"
#include "common/agent_auth.h"
#include "common/line_connection.h"
#include "common/logging.h"
#include "hypervisor/domain_xml.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.agents");
    return l;
}

// Names, sizes and times of the policy files: when it changes, the policy is read again.
std::string policyStamp(const std::string& dir) {
    namespace fs = std::filesystem;
    std::string stamp;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        auto t = fs::last_write_time(e.path(), ec).time_since_epoch().count();
        stamp += e.path().filename().string() + ":" + std::to_string(e.file_size(ec)) + ":" + std::to_string(t) + ";";
    }
    return ec ? "unreadable" : stamp;
}
}  // namespace

AgentServer::AgentServer(asio::io_context& io, VmManager& vms, FocusArbiter& focus, StateStore& store, AuditLog& audit,
                         AgentServerSettings settings)
    : m_io(io), m_vms(vms), m_focus(focus), m_store(store), m_audit(audit), m_settings(std::move(settings)) {}

AgentServer::~AgentServer() { close(); }

const Policy& AgentServer::policy() {
    std::string stamp = policyStamp(m_settings.policyDir);
    if (stamp == m_policyStamp && !m_policyStamp.empty()) return m_policy;
    m_policyStamp = stamp;
    auto loaded = Policy::loadDirectory(m_settings.policyDir);
    if (loaded) {
        m_policy = std::move(*loaded);
        log()->info("policy loaded from {}: {} rules", m_settings.policyDir, m_policy.rules().size());
    } else {
        m_policy = Policy::denyAll(loaded.error().message);
        log()->error("{}; denying every agent request until it is fixed", loaded.error().message);
    }
    return m_policy;
}

TokenBucket& AgentServer::bucketFor(const std::string& vm) {
    auto it = m_buckets.find(vm);
    if (it == m_buckets.end())
        it = m_buckets.emplace(vm, TokenBucket(m_settings.requestsPerSecond, m_settings.burst)).first;
    return it->second;
}

void AgentServer::connectAll() {
    for (const VmRecord* rec : m_vms.inventory().all())
        if (vmIsActive(rec->info.state)) connect(rec->info.name);
}

void AgentServer::onInventoryChange(const InventoryChange& c) {
    bool running = c.kind != InventoryChange::Kind::Removed && vmIsActive(c.state);
    if (running && !m_sessions.count(c.name)) connect(c.name);
    if (!running && c.kind != InventoryChange::Kind::Rebooted) {
        m_retry.erase(c.name);
        if (auto it = m_sessions.find(c.name); it != m_sessions.end()) it->second->close();
    }
}

void AgentServer::connect(const std::string& vm) {
    if (m_closing || m_sessions.count(vm)) return;
    const std::string path = vmPaths(m_vms.settings().runRoot, m_vms.settings().shareRoot, vm).agentSocket();
    auto socket = std::make_shared<asio::local::stream_protocol::socket>(m_io);
    socket->async_connect(asio::local::stream_protocol::endpoint(path), [this, vm, socket, path](const asio::error_code& ec) {
        const VmRecord* rec = m_vms.inventory().find(vm);
        if (m_closing || !rec || !vmIsActive(rec->info.state) || m_sessions.count(vm)) return;
        if (ec) {
            log()->debug("cannot reach the agent channel of '{}' at {}: {}", vm, path, ec.message());
            return scheduleReconnect(vm);
        }
        auto conn = std::make_shared<FdLineConnection>(asio::posix::stream_descriptor(m_io, socket->release()),
                                                       m_settings.maxFrameBytes, m_settings.maxQueuedBytes);
        auto session = std::make_shared<AgentSession>(*this, vm, conn);
        m_sessions[vm] = session;
        session->start();
        log()->info("agent channel of '{}' connected", vm);
    });
}

void AgentServer::scheduleReconnect(const std::string& vm) {
    auto& timer = m_retry[vm];
    timer = std::make_unique<asio::steady_timer>(m_io, m_settings.reconnectDelay);
    timer->async_wait([this, vm](const asio::error_code& ec) {
        if (!ec) connect(vm);
    });
}

void AgentServer::dropSession(const std::shared_ptr<AgentSession>& session) {
    if (!session->viaChannel()) {
        forgetPending(session->pendingId());
        if (m_tcpSessions.erase(session) && !session->vm().empty() && m_authenticatedTcp > 0) --m_authenticatedTcp;
        return;
    }
    const std::string vm = session->vm();
    auto it = m_sessions.find(vm);
    if (it == m_sessions.end() || it->second != session) return;
    m_sessions.erase(it);
    const VmRecord* rec = m_vms.inventory().find(vm);
    if (!m_closing && rec && vmIsActive(rec->info.state)) scheduleReconnect(vm);
}

void AgentServer::commandAgent(const std::string& vm, const std::string& verb, const Json& args,
                               std::chrono::milliseconds timeout, std::function<void(Result<Json>)> done) {
    // The agent may be on the VM's channel or on TCP (or, briefly, on both while it moves): send
    // to the connection it was last heard on, the channel when it has not spoken yet.
    std::shared_ptr<AgentSession> best;
    if (auto it = m_sessions.find(vm); it != m_sessions.end()) best = it->second;
    for (const auto& s : m_tcpSessions)
        if (s->authenticated() && s->vm() == vm && (!best || s->lastHeard() > best->lastHeard())) best = s;
    if (!best)
        return done(makeError(ErrorClass::Unavailable, "no agent of VM '" + vm + "' is connected; start the VM and "
                                                       "check that vms-agentd runs in it"));
    best->command(verb, args, timeout, std::move(done));
}

void AgentServer::broadcast(const std::string& event, const Json& data, double timestampS) {
    if (event != "focus.changed" && event != "vm.state" && event != "vm.defined" && event != "vm.undefined") return;
    // Guests learn what changed, not who on the host did it: no host user names, no reasons
    // that quote them.
    Json shown = data;
    if (event == "focus.changed") {
        std::string by = data.value("by", "");
        shown = Json{{"target", data.value("target", "")},
                     {"previous", data.value("previous", "")},
                     {"by", by.rfind("agent:", 0) == 0 || by == "applianced" ? by : "administrator"}};
    }
    std::string line = protocol::encodeEvent(event, shown, timestampS);
    auto sessions = m_sessions;
    for (auto& [_, s] : sessions) s->pushEvent(line);
    auto tcp = m_tcpSessions;
    for (auto& s : tcp) s->pushEvent(line);
}

Result<int> AgentServer::listenTcp(const TlsIdentity& identity) {
    m_tls = identity;
    if (auto s = configureServerContext(m_sslContext, identity); !s) return s.error();
    auto colon = m_settings.tcpListen.rfind(':');
    if (colon == std::string::npos)
        return makeError(ErrorClass::InvalidArgument, "agent_tcp_listen must be ADDRESS:PORT, got '" + m_settings.tcpListen + "'");
    asio::error_code ec;
    auto address = asio::ip::make_address(m_settings.tcpListen.substr(0, colon), ec);
    int port = std::atoi(m_settings.tcpListen.c_str() + colon + 1);
    if (ec || port < 0 || port > 65535)
        return makeError(ErrorClass::InvalidArgument, "agent_tcp_listen: '" + m_settings.tcpListen + "' is not ADDRESS:PORT");
    asio::ip::tcp::endpoint ep(address, static_cast<unsigned short>(port));
    m_tcpAcceptor.open(ep.protocol(), ec);
    if (!ec) m_tcpAcceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) m_tcpAcceptor.bind(ep, ec);
    if (!ec) m_tcpAcceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return makeError(ErrorClass::Unavailable, "cannot listen for agents on " + m_settings.tcpListen + ": " + ec.message());
    acceptTcp();
    int bound = m_tcpAcceptor.local_endpoint().port();
    log()->info("agents may also connect over TCP+TLS on {}:{}", ep.address().to_string(), bound);
    return bound;
}

void AgentServer::acceptTcp() {
    m_tcpAcceptor.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
        if (ec == asio::error::operation_aborted || m_closing) return;
        if (ec) {
            // Out of descriptors (EMFILE) or memory: accepting again at once would spin. Back off,
            // 50 ms doubling to 2 s, and say so.
            m_acceptDelay = std::min(std::chrono::milliseconds(2000),
                                     m_acceptDelay.count() ? m_acceptDelay * 2 : std::chrono::milliseconds(50));
            log()->warn("cannot accept agent connections ({}); trying again in {} ms", ec.message(), m_acceptDelay.count());
            m_acceptBackoff.expires_after(m_acceptDelay);
            m_acceptBackoff.async_wait([this](const asio::error_code& e) {
                if (!e && !m_closing) acceptTcp();
            });
            return;
        }
        m_acceptDelay = std::chrono::milliseconds(0);
        startTcpPeer(std::move(socket));
        acceptTcp();
    });
}

void AgentServer::startTcpPeer(asio::ip::tcp::socket socket) {
    asio::error_code pec;
    auto remote = socket.remote_endpoint(pec);
    std::string source = pec ? "unknown" : remote.address().to_string();
    std::string peer = pec ? "unknown" : source + ":" + std::to_string(remote.port());
    // Make room: the oldest peer that has not proved itself yet goes first.
    auto dropOldest = [this](const std::string* fromSource) {
        for (auto& [id, p] : m_pending)
            if (!fromSource || p.source == *fromSource) {
                auto conn = p.conn.lock();
                m_pending.erase(id);
                if (conn) conn->close("dropped: too many connections that have not authenticated");
                return;
            }
    };
    std::size_t fromThisSource = 0;
    for (const auto& [_, p] : m_pending) fromThisSource += p.source == source;
    if (fromThisSource >= m_settings.maxPendingPerSource) dropOldest(&source);
    if (m_pending.size() >= m_settings.maxPending) dropOldest(nullptr);

    auto conn = std::make_shared<LineConnection<TlsSocket>>(TlsSocket(std::move(socket), m_sslContext),
                                                            m_settings.maxFrameBytes, m_settings.maxQueuedBytes);
    uint64_t id = m_nextPendingId++;
    m_pending[id] = {source, conn};
    // One deadline for the TLS handshake and the proof together.
    auto timer = std::make_shared<asio::steady_timer>(m_io, m_settings.authTimeout);
    timer->async_wait([this, id, conn](const asio::error_code& e) {
        if (e || !m_pending.count(id)) return;
        m_pending.erase(id);
        conn->close("no TLS handshake and authentication within the deadline");
    });
    conn->stream().async_handshake([this, conn, timer, id, peer](const asio::error_code& hec) {
        if (m_closing || conn->closed()) return forgetPending(id);
        if (hec) {
            log()->info("TLS handshake with agent at {} failed: {}", peer, hec.message());
            forgetPending(id);
            return conn->close("handshake failed");
        }
        auto session = std::make_shared<AgentSession>(*this, conn, agent_auth::randomHex(32), peer, id, timer);
        m_tcpSessions.insert(session);
        session->start();
    });
}

bool AgentServer::tcpAuthenticated(uint64_t pendingId) {
    forgetPending(pendingId);
    if (m_authenticatedTcp >= m_settings.maxTcpSessions) return false;
    ++m_authenticatedTcp;
    return true;
}

void AgentServer::forgetPending(uint64_t pendingId) { m_pending.erase(pendingId); }

void AgentServer::close() {
    m_closing = true;
    asio::error_code ec;
    m_tcpAcceptor.close(ec);
    for (auto& s : std::set(m_tcpSessions)) s->close();
    m_retry.clear();
    auto sessions = m_sessions;
    for (auto& [_, s] : sessions) s->close();
}

}  // namespace appliance

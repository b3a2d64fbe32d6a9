// SPDX-License-Identifier: GPL-2.0-or-later
#include "agentd/agent_daemon.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>

#include "agentd/upstream.h"
#include "common/agent_auth.h"
#include "common/logging.h"

namespace appliance::agent {

namespace {
auto log() {
    static auto l = logging::get("agent");
    return l;
}
constexpr std::size_t kMaxFrame = 64 * 1024;
constexpr std::size_t kMaxAnswer = 255 * 1024;  // under the agent server's limit for answers (256 KiB)
constexpr std::size_t kMaxQueued = 1024 * 1024;
constexpr std::size_t kMaxDirectoryBytes = 64 * 1024;
}  // namespace

AgentDaemon::AgentDaemon(asio::io_context& io, AgentOptions options)
    : m_io(io), m_opt(std::move(options)), m_acceptor(io), m_tick(io), m_helloTimer(io),
      m_hostCommands(io, m_opt.vmsProduct) {}

Status AgentDaemon::start() {
    std::error_code fec;
    std::filesystem::remove(m_opt.socketPath, fec);
    asio::error_code ec;
    asio::local::stream_protocol::endpoint ep(m_opt.socketPath);
    m_acceptor.open(ep.protocol(), ec);
    if (!ec) m_acceptor.bind(ep, ec);
    if (!ec) m_acceptor.listen(64, ec);
    if (ec) return makeError(ErrorClass::Unavailable, "cannot listen on " + m_opt.socketPath + ": " + ec.message());
    ::chmod(m_opt.socketPath.c_str(), 0666);  // the operator's tray runs as an ordinary user
    accept();
    tick();
    return okStatus();
}

void AgentDaemon::stop() {
    asio::error_code ec;
    m_acceptor.close(ec);
    m_tick.cancel();
    m_helloTimer.cancel();
    if (m_upstream) m_upstream->close("stopping");
    m_connecting = false;
    for (auto c : std::set(m_clients)) c->conn->close("stopping");
    std::filesystem::remove(m_opt.socketPath, ec);
}

// ---- the directory and the upstream connection ----

void AgentDaemon::tick() {
    reloadDirectory();
    if (!m_upstream && !m_connecting && std::chrono::steady_clock::now() >= m_nextAttempt) connectUpstream();
    m_tick.expires_after(m_opt.pollInterval);
    m_tick.async_wait([this](const asio::error_code& ec) {
        if (!ec) tick();
    });
}

void AgentDaemon::reloadDirectory() {
    std::ifstream f(m_opt.directoryPath, std::ios::binary);
    std::string text(kMaxDirectoryBytes + 1, '\0');
    f.read(text.data(), std::streamsize(text.size()));
    text.resize(std::size_t(f.gcount()));
    if (text == m_directoryText) return;
    if (text.empty() || text.size() > kMaxDirectoryBytes) {
        m_lastError = text.empty() ? "the appliance directory " + m_opt.directoryPath + " is missing or empty"
                                   : "the appliance directory is over " + std::to_string(kMaxDirectoryBytes) + " bytes";
        return;
    }
    Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        m_lastError = "the appliance directory is not valid JSON; keeping the last good one";
        return;
    }
    m_directoryText = text;
    m_directory = std::move(doc);
    auto endpoint = chooseEndpoint(m_directory, m_opt.endpointOverride);
    Endpoint chosen = endpoint ? *endpoint : Endpoint{};
    log()->info("directory changed; endpoint {}", chosen.key.empty() ? "(none usable)" : chosen.key);
    if (chosen.key != m_endpoint.key || chosen.fingerprint != m_endpoint.fingerprint) {
        m_endpoint = chosen;
        if (!endpoint) m_lastError = endpoint.error().message;
        if (m_upstream) m_upstream->close("the directory names a different endpoint");
        m_nextAttempt = {};
        m_backoff = std::chrono::milliseconds(1000);
    }
}

void AgentDaemon::upstreamFailed(const std::string& why) {
    m_connecting = false;
    m_lastError = why;
    m_nextAttempt = std::chrono::steady_clock::now() + m_backoff;
    m_backoff = std::min(m_backoff * 2, m_opt.maxBackoff);
}

void AgentDaemon::connectUpstream() {
    if (m_endpoint.key.empty()) return;
    if (m_endpoint.tls()) return connectTls();
    auto fd = openEndpoint(m_endpoint.key);
    if (!fd) return upstreamFailed(fd.error().message);
    attachUpstream(std::make_shared<FdLineConnection>(asio::posix::stream_descriptor(m_io, *fd), kMaxFrame, kMaxQueued));
    upstreamSend("agent.hello", {{"version", protocol::kVersion}, {"agent", "vms-agentd"}}, "hello");
}

// TCP+TLS: the certificate must be the one the directory names; then the server's challenge is
// answered with the VM's secret (which never leaves this guest) before anything else.
void AgentDaemon::connectTls() {
    using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;
    asio::error_code ec;
    auto address = asio::ip::make_address(m_endpoint.host, ec);
    if (ec) return upstreamFailed("the directory's TCP host '" + m_endpoint.host + "' is not an IP address");
    m_connecting = true;
    auto socket = std::make_shared<asio::ip::tcp::socket>(m_io);
    const Endpoint target = m_endpoint;
    socket->async_connect({address, static_cast<unsigned short>(target.port)}, [this, socket, target](const asio::error_code& cec) {
        if (target.key != m_endpoint.key) return upstreamFailed("the endpoint changed while connecting");
        if (cec) return upstreamFailed("cannot reach the agent server at " + target.key + ": " + cec.message());
        auto conn = std::make_shared<LineConnection<TlsStream>>(TlsStream(std::move(*socket), m_tlsContext), kMaxFrame, kMaxQueued);
        conn->stream().async_handshake(asio::ssl::stream_base::client, [this, conn, target](const asio::error_code& hec) {
            if (hec) {
                conn->close("handshake failed");
                return upstreamFailed("TLS handshake with " + target.key + " failed: " + hec.message());
            }
            X509* cert = SSL_get1_peer_certificate(conn->stream().native_handle());
            std::string fingerprint = agent_auth::fingerprintSha256(cert);
            X509_free(cert);
            if (fingerprint != target.fingerprint) {
                conn->close("certificate mismatch");
                return upstreamFailed("the agent server at " + target.key +
                                      " presented a certificate that is not the one in the appliance directory");
            }
            m_connecting = false;
            attachUpstream(conn);  // the server greets with a challenge; onUpstreamFrame answers it
        });
    });
}

void AgentDaemon::attachUpstream(std::shared_ptr<LineChannel> conn) {
    m_upstream = conn;
    m_upstream->start({[this, conn](Result<std::string> f) {
                           if (conn == m_upstream) onUpstreamFrame(std::move(f));
                       },
                       [this, conn](const std::string& why) {
                           if (conn == m_upstream) onUpstreamClosed(why);
                       }});
    m_ready = false;
    m_helloTimer.expires_after(m_opt.helloTimeout);
    m_helloTimer.async_wait([this, conn](const asio::error_code& ec) {
        if (!ec && conn == m_upstream && !m_ready) conn->close("the agent server did not answer the greeting");
    });
}

void AgentDaemon::upstreamSend(const std::string& verb, const Json& args, const std::string& id) {
    if (m_upstream) m_upstream->send(protocol::encodeCommand(verb, args, id));
}

void AgentDaemon::onUpstreamClosed(const std::string& why) {
    log()->warn("lost the agent server ({}): {}", m_endpoint.key, why);
    m_lastError = "lost the agent server: " + why;
    m_upstream.reset();
    m_ready = false;
    m_helloTimer.cancel();
    for (auto& [_, p] : m_pending)
        if (auto c = p.client.lock())
            c->conn->send(protocol::encodeError(ErrorClass::Unavailable,
                                                "the connection to the appliance was lost; vms-agentd is reconnecting, "
                                                "try again in a moment",
                                                p.id));
    m_pending.clear();
    m_nextAttempt = std::chrono::steady_clock::now() + m_backoff;
    m_backoff = std::min(m_backoff * 2, m_opt.maxBackoff);
    fanOut(protocol::encodeEvent("agent.disconnected", {{"reason", why}}, protocol::nowTimestampS()));
}

void AgentDaemon::onHostCommand(const protocol::Message& msg) {
    // The answer goes back on the connection the command came on; if that one is gone by then,
    // the host has already given up on it.
    std::weak_ptr<LineChannel> conn = m_upstream;
    log()->info("the host asks {}", msg.name);  // arguments may hold a camera's password: never logged
    m_hostCommands.submit(msg.name, msg.body, [conn, id = msg.id, verb = msg.name](Result<Json> r) {
        auto c = conn.lock();
        if (!c || c->closed()) return;
        std::string line = r ? protocol::encodeReturn(*r, id) : protocol::encodeError(r.error().cls, r.error().message, id);
        if (line.size() > kMaxAnswer)
            line = protocol::encodeError(ErrorClass::TooLarge, verb + ": the answer is larger than the host takes (" +
                                                                   std::to_string(kMaxAnswer) + " bytes)", id);
        if (!r) log()->warn("{} failed: {}", verb, r.error().message);
        c->send(std::move(line));
    });
}

void AgentDaemon::onUpstreamFrame(Result<std::string> frame) {
    if (!frame) return;
    auto msg = protocol::decode(*frame, {kMaxFrame, 32});
    if (!msg) return;
    if (msg->kind == protocol::Kind::Greeting) {
        auto challenge = msg->body.find("challenge");
        if (challenge == msg->body.end() || !challenge->is_string()) return;
        const std::string secret = m_directory.is_object() && m_directory.value("secret", Json()).is_string()
                                       ? m_directory["secret"].get<std::string>() : "";
        const Json& vm = m_directory.is_object() ? m_directory.value("vm", Json::object()) : Json::object();
        const std::string name = vm.is_object() && vm.value("name", Json()).is_string() ? vm["name"].get<std::string>() : "";
        return upstreamSend("agent.auth",
                            {{"vm", name},
                             {"proof", agent_auth::proof(secret, challenge->get<std::string>(), name, m_endpoint.fingerprint)}},
                            "auth");
    }
    if (msg->kind == protocol::Kind::Command) return onHostCommand(*msg);
    if (msg->kind == protocol::Kind::Event) {
        if (msg->name == "focus.changed" && msg->body.is_object() && msg->body.value("target", Json()).is_string())
            m_focus = msg->body["target"].get<std::string>();
        return fanOut(*frame + "\n");
    }
    if (!msg->id.is_string()) {
        // An error the server could not tie to a request (e.g. a rate limit notice).
        if (msg->kind == protocol::Kind::Error) m_lastError = msg->error.message;
        return;
    }
    const std::string id = msg->id.get<std::string>();
    if (id == "auth") {
        if (msg->kind != protocol::Kind::Return) {
            m_lastError = "the agent server refused this agent: " + msg->error.message;
            return;  // it closes the connection; we retry with backoff (the directory may change)
        }
        return upstreamSend("agent.hello", {{"version", protocol::kVersion}, {"agent", "vms-agentd"}}, "hello");
    }
    if (id == "hello") {
        if (msg->kind != protocol::Kind::Return) {
            m_lastError = "the agent server refused the greeting: " + msg->error.message;
            return;
        }
        m_ready = true;
        m_helloTimer.cancel();
        m_backoff = std::chrono::milliseconds(1000);
        const Json& hello = msg->body;
        m_identity = hello.is_object() && hello.value("vm", Json()).is_string() ? hello["vm"].get<std::string>() : "";
        m_focus = hello.is_object() && hello.value("focus", Json()).is_string() ? hello["focus"].get<std::string>() : "";
        m_lastError.clear();
        log()->info("connected to the agent server as '{}' over {}", m_identity, m_endpoint.key);
        upstreamSend("events.subscribe", Json::object(), "subscribe");
        return fanOut(protocol::encodeEvent("agent.connected", {{"vm", m_identity}}, protocol::nowTimestampS()));
    }
    auto it = m_pending.find(id);
    if (it == m_pending.end()) return;
    auto client = it->second.client.lock();
    Json clientId = it->second.id;
    m_pending.erase(it);
    if (!client) return;
    if (msg->kind == protocol::Kind::Return) client->conn->send(protocol::encodeReturn(msg->body, clientId));
    else if (msg->kind == protocol::Kind::Error)
        client->conn->send(protocol::encodeError(msg->error.cls, msg->error.message, clientId));
}

// ---- local clients ----

void AgentDaemon::accept() {
    m_acceptor.async_accept([this](const asio::error_code& ec, asio::local::stream_protocol::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            auto client = std::make_shared<LocalClient>();
            client->conn = std::make_shared<FdLineConnection>(asio::posix::stream_descriptor(m_io, socket.release()), kMaxFrame,
                                                            kMaxQueued);
            m_clients.insert(client);
            std::weak_ptr<LocalClient> weak = client;
            client->conn->start({[this, weak](Result<std::string> f) {
                                     if (auto c = weak.lock()) onLocalFrame(c, std::move(f));
                                 },
                                 [this, client](const std::string&) { m_clients.erase(client); }});
            client->conn->send(protocol::encodeGreeting({{"server", "vms-agentd"}, {"version", protocol::kVersion}}));
        }
        accept();
    });
}

AgentDaemon::Json AgentDaemon::status() const {
    Json s{{"connected", m_ready},
           {"endpoint", m_endpoint.key},
           {"vm", m_ready ? Json(m_identity) : Json(nullptr)},
           {"focus", m_ready ? Json(m_focus) : Json(nullptr)},
           {"directory", m_opt.directoryPath},
           {"protocol_version", m_directory.is_object() ? m_directory.value("protocol_version", "") : ""}};
    if (!m_lastError.empty()) s["last_error"] = m_lastError;
    return s;
}

void AgentDaemon::onLocalFrame(const std::shared_ptr<LocalClient>& client, Result<std::string> frame) {
    if (!frame) return client->conn->send(protocol::encodeError(frame.error().cls, frame.error().message, nullptr));
    auto msg = protocol::decode(*frame, {kMaxFrame, 16});
    if (!msg) return client->conn->send(protocol::encodeError(msg.error().cls, msg.error().message, nullptr));
    if (msg->kind != protocol::Kind::Command)
        return client->conn->send(protocol::encodeError(ErrorClass::InvalidArgument, "expected a command", msg->id));
    const std::string& verb = msg->name;
    if (verb == "status") return client->conn->send(protocol::encodeReturn(status(), msg->id));
    if (verb == "events.subscribe" || verb == "events.unsubscribe") {
        client->subscribed = verb == "events.subscribe";
        return client->conn->send(protocol::encodeReturn({{"subscribed", client->subscribed}}, msg->id));
    }
    if (verb != "targets.list" && verb != "focus.get" && verb != "focus.request")
        return client->conn->send(protocol::encodeError(
            ErrorClass::CommandNotFound,
            "unknown command '" + verb.substr(0, 64) + "'; use status, targets.list, focus.get, focus.request, events.subscribe",
            msg->id));
    if (!m_ready)
        return client->conn->send(protocol::encodeError(
            ErrorClass::Unavailable,
            "not connected to the appliance" + (m_lastError.empty() ? std::string() : " (" + m_lastError + ")") +
                "; vms-agentd keeps trying",
            msg->id));
    std::string id = "c" + std::to_string(m_nextId++);
    m_pending[id] = Pending{client, msg->id};
    upstreamSend(verb, msg->body, id);
}

void AgentDaemon::fanOut(const std::string& line) {
    for (auto c : std::set(m_clients))
        if (c->subscribed) c->conn->send(line);
}

}  // namespace appliance::agent

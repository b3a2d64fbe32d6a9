// SPDX-License-Identifier: GPL-2.0-or-later
#include "admin/admin_server.h"

#include <array>
#include <deque>
#include <filesystem>

#include <asio/read.hpp>
#include <asio/write.hpp>
#include <sys/stat.h>

#include "common/logging.h"
#include "common/peer_credentials.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.admin");
    return l;
}
using Socket = asio::local::stream_protocol::socket;
}  // namespace

class AdminSession : public std::enable_shared_from_this<AdminSession> {
public:
    AdminSession(AdminServer& server, Socket socket, Caller caller)
        : m_server(server), m_socket(std::move(socket)), m_caller(std::move(caller)),
          m_framer(server.m_settings.limits.maxFrameBytes) {}

    void start() {
        m_server.m_sessions.insert(shared_from_this());
        send(protocol::encodeGreeting({{"server", "applianced"},
                                       {"version", protocol::kVersion},
                                       {"capabilities", {"events"}},
                                       {"role", m_caller.role == Role::Admin ? "admin" : "viewer"},
                                       {"user", m_caller.user}}));
        read();
    }

    void refuse(const std::string& why) {
        m_server.m_sessions.insert(shared_from_this());
        send(protocol::encodeError(ErrorClass::PermissionDenied, why, nullptr));
        m_closeAfterWrite = true;
    }

    void pushEvent(const std::string& line) {
        if (m_subscribed) send(line);
    }

    void close() {
        if (m_closed) return;
        m_closed = true;
        asio::error_code ec;
        m_socket.close(ec);
        m_server.m_sessions.erase(shared_from_this());
    }

private:
    void read() {
        auto self = shared_from_this();
        m_socket.async_read_some(asio::buffer(m_buf), [this, self](const asio::error_code& ec, std::size_t n) {
            if (ec) return close();
            m_framer.feed(std::string_view(m_buf.data(), n));
            while (auto frame = m_framer.next()) {
                if (!*frame) send(protocol::encodeError(frame->error().cls, frame->error().message, nullptr));
                else onFrame(frame->value());
                if (m_closed) return;
            }
            read();
        });
    }

    void onFrame(const std::string& frame) {
        auto msg = protocol::decode(frame, m_server.m_settings.limits);
        if (!msg) return send(protocol::encodeError(msg.error().cls, msg.error().message, nullptr));
        if (msg->kind != protocol::Kind::Command)
            return send(protocol::encodeError(ErrorClass::InvalidArgument,
                                              "expected a command: {\"execute\": VERB, \"arguments\": {...}}", msg->id));
        if (m_inFlight >= m_server.m_settings.maxInFlight)
            return send(protocol::encodeError(ErrorClass::TooLarge,
                                              "too many requests in flight on this connection; wait for answers "
                                              "before sending more",
                                              msg->id));
        if (msg->name == "events.subscribe" || msg->name == "events.unsubscribe") {
            if (!msg->body.empty())
                return send(protocol::encodeError(ErrorClass::InvalidArgument, msg->name + " takes no arguments",
                                                  msg->id));
            m_subscribed = msg->name == "events.subscribe";
            return send(protocol::encodeReturn({{"subscribed", m_subscribed}}, msg->id));
        }
        ++m_inFlight;
        std::weak_ptr<AdminSession> weak = shared_from_this();
        m_server.m_handler(m_caller, msg->name, msg->body, [weak, id = msg->id](Result<protocol::Json> r) {
            auto self = weak.lock();
            if (!self) return;
            --self->m_inFlight;
            if (r) self->send(protocol::encodeReturn(r.value(), id));
            else self->send(protocol::encodeError(r.error().cls, r.error().message, id));
        });
    }

    void send(std::string line) {
        if (m_closed) return;
        m_queuedBytes += line.size();
        if (m_queuedBytes > m_server.m_settings.maxQueuedBytes) {
            log()->warn("closing the session of {} (pid {}): it does not read what it is sent", m_caller.user,
                        m_caller.pid);
            return close();
        }
        m_out.push_back(std::move(line));
        if (!m_writing) write();
    }

    void write() {
        if (m_out.empty() || m_closed) {
            m_writing = false;
            if (m_closeAfterWrite) close();
            return;
        }
        m_writing = true;
        auto self = shared_from_this();
        asio::async_write(m_socket, asio::buffer(m_out.front()), [this, self](const asio::error_code& ec, std::size_t) {
            if (ec) return close();
            m_queuedBytes -= m_out.front().size();
            m_out.pop_front();
            write();
        });
    }

    AdminServer& m_server;
    Socket m_socket;
    Caller m_caller;
    protocol::LineFramer m_framer;
    std::array<char, 16384> m_buf{};
    std::deque<std::string> m_out;
    std::size_t m_queuedBytes = 0;
    std::size_t m_inFlight = 0;
    bool m_writing = false;
    bool m_subscribed = false;
    bool m_closed = false;
    bool m_closeAfterWrite = false;
};

AdminServer::AdminServer(asio::io_context& io, AdminServerSettings settings, Handler handler)
    : m_io(io), m_settings(std::move(settings)), m_handler(std::move(handler)), m_acceptor(io) {}

AdminServer::~AdminServer() { close(); }

Status AdminServer::listen() {
    namespace fs = std::filesystem;
    std::error_code fec;
    fs::create_directories(fs::path(m_settings.socketPath).parent_path(), fec);
    if (fs::exists(m_settings.socketPath)) {
        // A socket that still answers belongs to a running applianced; one that does not is stale.
        Socket probe(m_io);
        asio::error_code ec;
        probe.connect(asio::local::stream_protocol::endpoint(m_settings.socketPath), ec);
        if (!ec)
            return makeError(ErrorClass::Conflict, "another applianced is already serving " + m_settings.socketPath +
                                                       "; stop it first or set a different admin_socket");
        fs::remove(m_settings.socketPath, fec);
    }
    asio::error_code ec;
    asio::local::stream_protocol::endpoint ep(m_settings.socketPath);
    m_acceptor.open(ep.protocol(), ec);
    if (!ec) m_acceptor.bind(ep, ec);
    if (!ec) m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return makeError(ErrorClass::Unavailable, "cannot listen on " + m_settings.socketPath + ": " + ec.message());
    // Anyone may connect; what they may do is decided from their credentials, not the file mode.
    ::chmod(m_settings.socketPath.c_str(), 0666);
    accept();
    return okStatus();
}

void AdminServer::close() {
    asio::error_code ec;
    if (m_acceptor.is_open()) {
        m_acceptor.close(ec);
        std::filesystem::remove(m_settings.socketPath, ec);
    }
    auto sessions = m_sessions;
    for (auto& s : sessions) s->close();
}

Role AdminServer::roleFor(uid_t uid) const {
    if (uid == 0 || userInGroup(uid, m_settings.adminGroup)) return Role::Admin;
    if (userInGroup(uid, m_settings.viewerGroup)) return Role::Viewer;
    return Role::Invalid;
}

void AdminServer::accept() {
    m_acceptor.async_accept([this](const asio::error_code& ec, Socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (!ec) {
            auto creds = peerCredentials(socket.native_handle());
            Caller caller;
            if (creds) {
                caller.uid = creds->uid;
                caller.pid = creds->pid;
                caller.user = userName(creds->uid);
                caller.role = roleFor(creds->uid);
            }
            auto session = std::make_shared<AdminSession>(*this, std::move(socket), caller);
            if (m_sessions.size() >= m_settings.maxClients)
                session->refuse("applianced is serving its maximum of " + std::to_string(m_settings.maxClients) +
                                " clients; try again later");
            else if (caller.role == Role::Invalid)
                session->refuse("user '" + caller.user + "' may not use the appliance's admin API; an administrator "
                                "can grant read access with `usermod -aG " + m_settings.viewerGroup + " " +
                                caller.user + "` or full access with group " + m_settings.adminGroup);
            else
                session->start();
        }
        accept();
    });
}

void AdminServer::broadcast(const std::string& event, const Json& data, double timestampS) {
    if (m_sessions.empty()) return;
    std::string line = protocol::encodeEvent(event, data, timestampS);
    auto sessions = m_sessions;  // a push may close a slow session
    for (auto& s : sessions) s->pushEvent(line);
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "admin/admin_server.h"

#include <filesystem>

#include <asio/steady_timer.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include "common/logging.h"
#include "common/peer_credentials.h"
#include "common/line_connection.h"

namespace appliance {

namespace {
auto log() {
    static auto l = logging::get("appliance.admin");
    return l;
}
using Socket = AdminServer::Socket;
}  // namespace

class AdminSession : public std::enable_shared_from_this<AdminSession> {
public:
    AdminSession(AdminServer& server, Socket socket, Caller caller)
        : m_server(server), m_caller(std::move(caller)),
          m_conn(std::make_shared<FdLineConnection>(asio::posix::stream_descriptor(server.m_io, socket.release()),
                                                  server.m_settings.limits.maxFrameBytes,
                                                  server.m_settings.maxQueuedBytes)) {}

    void start() {
        attach();
        m_conn->send(protocol::encodeGreeting({{"server", "applianced"},
                                               {"version", protocol::kVersion},
                                               {"capabilities", {"events"}},
                                               {"role", m_caller.role == Role::Admin ? "admin" : "viewer"},
                                               {"user", m_caller.user}}));
    }

    void pushEvent(const std::string& line) {
        if (m_subscribed) m_conn->send(line);
    }

    void close() { m_conn->close(); }
    const Caller& caller() const { return m_caller; }

private:
    void attach() {
        auto self = shared_from_this();
        m_server.m_sessions.insert(self);
        m_conn->start({[this, self](Result<std::string> frame) {
                           if (!frame) send(protocol::encodeError(frame.error().cls, frame.error().message, nullptr));
                           else onFrame(frame.value());
                       },
                       [this, self](const std::string& why) {
                           if (why == LineChannel::kSlowReader)
                               log()->warn("closing the session of {} (pid {}): it does not read what it is sent",
                                           m_caller.user, m_caller.pid);
                           if (m_server.m_sessions.erase(self)) {
                               auto it = m_server.m_perUser.find(m_caller.uid);
                               if (it != m_server.m_perUser.end() && --it->second == 0) m_server.m_perUser.erase(it);
                           }
                       }});
        ++m_server.m_perUser[m_caller.uid];
    }

    void send(std::string line) { m_conn->send(std::move(line)); }

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

    AdminServer& m_server;
    Caller m_caller;
    std::shared_ptr<LineChannel> m_conn;
    std::size_t m_inFlight = 0;
    bool m_subscribed = false;
};

AdminServer::AdminServer(asio::io_context& io, AdminServerSettings settings, Handler handler)
    : m_io(io), m_settings(std::move(settings)), m_handler(std::move(handler)), m_acceptor(io) {}

AdminServer::~AdminServer() { close(); }

Status AdminServer::listen() {
    namespace fs = std::filesystem;
    std::error_code fec;
    const fs::path dir = fs::path(m_settings.socketPath).parent_path();
    fs::create_directories(dir, fec);
    // applianced's umask (077) would leave its own socket directory closed to everyone else: to
    // the administrators and viewers the socket is for, and to QEMU on its way to the VMs' run
    // directories when they are below it (the main command's /run/appliance/vms). Passing
    // through (not listing) is all they need.
    struct stat st{};
    if (::stat(dir.c_str(), &st) == 0 && st.st_uid == ::geteuid() && (st.st_mode & 0011) != 0011)
        ::chmod(dir.c_str(), (st.st_mode & 07777) | 0011);
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

std::string AdminServer::capacityRefusal(const Caller& caller) const {
    const std::size_t n = m_sessions.size();
    if (n >= m_settings.maxClients)
        return "applianced is serving its maximum of " + std::to_string(m_settings.maxClients) + " clients; try again later";
    if (caller.role != Role::Admin && n + m_settings.reservedForAdmins >= m_settings.maxClients)
        return "applianced keeps its remaining connections for administrators; close other sessions or try again later";
    auto it = m_perUser.find(caller.uid);
    if (caller.uid != 0 && it != m_perUser.end() && it->second >= m_settings.maxPerUser)
        return "user '" + caller.user + "' already has " + std::to_string(it->second) +
               " sessions, the most one user may have; close some first";
    return "";
}

void AdminServer::refuse(Socket& socket, const std::string& why) {
    // Non-blocking and best effort: a peer that does not read gets nothing more, and nothing it
    // sent is ever read.
    std::string line = protocol::encodeError(ErrorClass::PermissionDenied, why, nullptr);
    asio::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(line), ec);
    socket.shutdown(asio::socket_base::shutdown_both, ec);
    socket.close(ec);
}

void AdminServer::accept() {
    m_acceptor.async_accept([this](const asio::error_code& ec, Socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec) {
            // Out of descriptors: do not spin; try again shortly.
            log()->warn("cannot accept admin connections ({}); trying again in 200 ms", ec.message());
            auto timer = std::make_shared<asio::steady_timer>(m_io, std::chrono::milliseconds(200));
            timer->async_wait([this, timer](const asio::error_code& e) {
                if (!e && m_acceptor.is_open()) accept();
            });
            return;
        }
        auto creds = peerCredentials(socket.native_handle());
        Caller caller;
        if (creds) {
            caller.uid = creds->uid;
            caller.pid = creds->pid;
            caller.user = userName(creds->uid);
            caller.role = roleFor(creds->uid);
        }
        if (caller.role == Role::Invalid) {
            refuse(socket, "user '" + caller.user + "' may not use the appliance's admin API; an administrator can "
                           "grant read access with `usermod -aG " + m_settings.viewerGroup + " " + caller.user +
                           "` or full access with group " + m_settings.adminGroup);
        } else if (std::string why = capacityRefusal(caller); !why.empty()) {
            refuse(socket, why);
        } else {
            std::make_shared<AdminSession>(*this, std::move(socket), caller)->start();
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

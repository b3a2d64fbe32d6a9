// SPDX-License-Identifier: GPL-2.0-or-later
// The admin API on a Unix socket. A peer's role comes from the kernel's peer credentials: root or a
// member of the admin group may change things, a member of the viewer group may read and subscribe,
// anyone else is told why and disconnected before a byte they sent is read. A share of the
// connections is kept for administrators and each user has a cap, so viewers cannot lock root out.
// Each session is bounded (frame size, requests in flight,
// bytes queued for a slow reader) so one bad client cannot hurt the others. Context: core thread.
#pragma once

#include <functional>
#include <memory>
#include <map>
#include <set>
#include <string>

#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>

#include "admin/caller.h"
#include "common/protocol.h"

namespace appliance {

struct AdminServerSettings {
    std::string socketPath = "/run/appliance/admin.sock";
    std::string adminGroup = "appliance-admin";
    std::string viewerGroup = "appliance-viewer";
    std::size_t maxClients = 1024;
    std::size_t reservedForAdmins = 64;  ///< of maxClients, only administrators may use these
    std::size_t maxPerUser = 128;        ///< sessions of one uid (root excepted)
    std::size_t maxInFlight = 64;
    std::size_t maxQueuedBytes = 4 * 1024 * 1024;
    protocol::Limits limits;
};

class AdminSession;

class AdminServer {
public:
    using Json = protocol::Json;
    using Reply = std::function<void(Result<Json>)>;
    using Handler = std::function<void(const Caller&, const std::string& verb, const Json& args, Reply)>;
    using Socket = asio::local::stream_protocol::socket;

    AdminServer(asio::io_context& io, AdminServerSettings settings, Handler handler);
    ~AdminServer();

    Status listen();
    void close();
    void broadcast(const std::string& event, const Json& data, double timestampS);
    std::size_t sessionCount() const { return m_sessions.size(); }

private:
    friend class AdminSession;
    void accept();
    Role roleFor(uid_t uid) const;
    /// Why this caller may not have another session now, or empty.
    std::string capacityRefusal(const Caller& caller) const;
    /// One error line, written without reading anything, then the connection is closed.
    static void refuse(Socket& socket, const std::string& why);

    asio::io_context& m_io;
    AdminServerSettings m_settings;
    Handler m_handler;
    asio::local::stream_protocol::acceptor m_acceptor;
    std::set<std::shared_ptr<AdminSession>> m_sessions;
    std::map<uid_t, std::size_t> m_perUser;
};

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// The admin API on a Unix socket. A peer's role comes from the kernel's peer credentials: root or a
// member of the admin group may change things, a member of the viewer group may read and subscribe,
// anyone else is told why and disconnected. Each session is bounded (frame size, requests in flight,
// bytes queued for a slow reader) so one bad client cannot hurt the others. Context: core thread.
#pragma once

#include <functional>
#include <memory>
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

    asio::io_context& m_io;
    AdminServerSettings m_settings;
    Handler m_handler;
    asio::local::stream_protocol::acceptor m_acceptor;
    std::set<std::shared_ptr<AdminSession>> m_sessions;
};

}  // namespace appliance

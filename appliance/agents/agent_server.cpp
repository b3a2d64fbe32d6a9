// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/agent_server.h"

#include <filesystem>

#include <asio/local/stream_protocol.hpp>

#include "agents/agent_session.h"
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

AgentServer::AgentServer(asio::io_context& io, VmManager& vms, FocusArbiter& focus, StateStore& store,
                         AgentServerSettings settings)
    : m_io(io), m_vms(vms), m_focus(focus), m_store(store), m_settings(std::move(settings)) {}

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
        auto session = std::make_shared<AgentSession>(*this, vm, LineConnection::Socket(m_io, socket->release()));
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

void AgentServer::dropSession(const std::string& vm) {
    m_sessions.erase(vm);
    const VmRecord* rec = m_vms.inventory().find(vm);
    if (!m_closing && rec && vmIsActive(rec->info.state)) scheduleReconnect(vm);
}

void AgentServer::broadcast(const std::string& event, const Json& data, double timestampS) {
    if (event != "focus.changed" && event != "vm.state" && event != "vm.defined" && event != "vm.undefined") return;
    std::string line = protocol::encodeEvent(event, data, timestampS);
    auto sessions = m_sessions;
    for (auto& [_, s] : sessions) s->pushEvent(line);
}

void AgentServer::close() {
    m_closing = true;
    m_retry.clear();
    auto sessions = m_sessions;
    for (auto& [_, s] : sessions) s->close();
}

}  // namespace appliance

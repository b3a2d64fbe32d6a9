// SPDX-License-Identifier: GPL-2.0-or-later
// The libvirt adapter of the Hypervisor interface.
//
// Threads: libvirt is blocking, so it belongs to two threads of this class. The *worker* thread
// makes every libvirt call (connect, lifecycle, queries) in the order they were asked; the *event*
// thread runs libvirt's default event loop, which must be registered before connecting so that
// keepalive and the close callback work. Callbacks from the event thread are posted to the worker;
// results leave through the poster to the core thread. Nothing else touches the connection.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "hypervisor/hypervisor.h"

typedef struct _virConnect* virConnectPtr;
typedef struct _virDomain* virDomainPtr;

namespace appliance {

class LibvirtHypervisor final : public Hypervisor {
public:
    using Poster = std::function<void(std::function<void()>)>;
    struct Options {
        std::string uri = "qemu:///system";
        std::string instance = "default";   ///< only domains whose metadata names this instance are ours
        std::chrono::milliseconds statsInterval{2000};
        int keepaliveIntervalS = 2;
        unsigned keepaliveCount = 3;
        std::chrono::milliseconds maxBackoff{5000};
    };

    LibvirtHypervisor(Options options, Poster toCore);
    ~LibvirtHypervisor() override;

    void run(HypervisorListener* listener) override;
    void stop() override;
    bool connected() const override { return m_connected.load(); }
    std::string uri() const override { return m_options.uri; }

    void info(const std::string& name, Done<VmInfo> done) override;
    void start(const std::string& name, Done<Ok> done) override;
    void shutdown(const std::string& name, Done<Ok> done) override;
    void destroy(const std::string& name, Done<Ok> done) override;
    void reboot(const std::string& name, Done<Ok> done) override;
    void suspend(const std::string& name, Done<Ok> done) override;
    void resume(const std::string& name, Done<Ok> done) override;
    void configure(const std::string& name, const VmConfigChange& change, Done<VmConfigOutcome> done) override;
    void define(const std::string& domainXml, Done<VmInfo> done) override;
    void undefine(const std::string& name, Done<Ok> done) override;
    void dacUidsInUse(Done<std::set<uint32_t>> done) override;
    void ping(Done<Ok> done) override;

    // Called from libvirt's event thread through static trampolines.
    void onLifecycleFromEventThread(const std::string& name, int event, int detail);
    void onRebootFromEventThread(const std::string& name);
    void onCloseFromEventThread(int reason, uint64_t generation);
    void onHeartbeatFromEventThread() { ++m_eventLoopBeats; }

private:
    template <class T>
    void submit(Done<T> done, std::function<Result<T>()> work);
    template <class T>
    void deliver(Done<T> done, Result<T> result);
    Result<Ok> simpleOp(const std::string& name, const char* what, int (*op)(virDomainPtr));

    // Worker thread only.
    void connect();
    void scheduleReconnect();
    void dropConnection(const std::string& reason);
    void handleDomainEvent(const std::string& name, std::string event, std::string detail, double atS);
    void scheduleStats();
    void collectStats();
    bool isOurs(virDomainPtr dom);
    Result<VmInfo> readInfo(virDomainPtr dom);
    Result<virDomainPtr> lookupOurs(const std::string& name);
    Error lastError(const std::string& context);

    Options m_options;
    Poster m_toCore;
    HypervisorListener* m_listener = nullptr;

    asio::io_context m_ctx;
    asio::executor_work_guard<asio::io_context::executor_type> m_work;
    std::thread m_worker;
    std::thread m_eventThread;
    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_connected{false};
    std::atomic<uint64_t> m_eventLoopBeats{0};
    uint64_t m_lastPingBeats = 0;  // core thread
    int m_heartbeatTimer = -1;

    virConnectPtr m_conn = nullptr;
    int m_lifecycleCallback = -1;
    int m_rebootCallback = -1;
    uint64_t m_generation = 0;  ///< worker thread only
    asio::steady_timer m_reconnectTimer;
    asio::steady_timer m_statsTimer;
    std::chrono::milliseconds m_backoff{250};
    std::set<std::string> m_known;
    std::map<std::string, std::pair<uint64_t, std::chrono::steady_clock::time_point>> m_prevCpu;
};

}  // namespace appliance

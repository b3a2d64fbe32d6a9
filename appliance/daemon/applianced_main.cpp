// SPDX-License-Identifier: GPL-2.0-or-later
// applianced: the host daemon. Wires the real adapters (libvirt, SQLite, the admin socket) to the
// core and runs the core's event loop until SIGINT or SIGTERM.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "admin/admin_commands.h"
#include "admin/admin_server.h"
#include "agents/agent_server.h"
#include "agents/directory_publisher.h"
#include "focus/focus_arbiter.h"
#include "common/logging.h"
#include "common/sd_notify.h"
#include "core/vm_manager.h"
#include "daemon/daemon_config.h"
#include "hypervisor/kvm_probe.h"
#include "hypervisor/libvirt_hypervisor.h"
#include "state/state_store.h"

using namespace appliance;

namespace {

constexpr const char* kVersion = "0.1.0";

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: applianced [--config FILE] [--set KEY=VALUE]... [--version]\n"
                 "Runs in the foreground (under systemd too: Type=notify). Settings are described in\n"
                 "applianced.conf.example; the default file is %s.\n",
                 kDefaultConfigPath);
}

// At start-up a bad argument is a bad setting: EX_CONFIG; the rest as every program maps them.
int startupExitCode(ErrorClass cls) { return cls == ErrorClass::InvalidArgument ? EX_CONFIG : exitCodeFor(cls); }

// Pings systemd's watchdog only while the core loop runs and the libvirt threads answer.
void scheduleWatchdog(asio::steady_timer& timer, std::chrono::microseconds interval, Hypervisor& hv) {
    timer.expires_after(interval / 2);
    timer.async_wait([&timer, interval, &hv](const asio::error_code& ec) {
        if (ec) return;
        hv.ping([](Status s) {
            if (s) sdnotify::notify("WATCHDOG=1");
            else logging::get("appliance.daemon")->error("not pinging the watchdog: {}", s.error().message);
        });
        scheduleWatchdog(timer, interval, hv);
    });
}

}  // namespace

int main(int argc, char** argv) {
    std::string configPath = kDefaultConfigPath;
    bool configGiven = false;
    std::vector<std::string> overrides;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if ((a == "--config" || a == "--set") && i + 1 < argc) {
            if (a == "--config") {
                configPath = argv[++i];
                configGiven = true;
            } else {
                overrides.push_back(argv[++i]);
            }
        } else if (a == "--help" || a == "-h") {
            usage(stdout);
            return EX_OK;
        } else if (a == "--version") {
            std::printf("applianced %s\n", kVersion);
            return EX_OK;
        } else {
            std::fprintf(stderr, "applianced: unknown argument '%s'\n", a.c_str());
            usage(stderr);
            return EX_USAGE;
        }
    }

    logging::setup("applianced");
    // State, keys and secrets are applianced's alone; what QEMU must reach is handed over explicitly.
    ::umask(077);
    // Every agent and admin client is a descriptor: use what the hard limit allows.
    rlimit nofile{};
    if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
        nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 65536);
        setrlimit(RLIMIT_NOFILE, &nofile);
    }
    auto log = logging::get("appliance.daemon");
    auto config = loadDaemonConfig(configPath, configGiven, overrides);
    if (!config) {
        log->critical("{}", config.error().message);
        return EX_CONFIG;
    }
    const DaemonConfig& cfg = *config;

    auto store = StateStore::open(cfg.stateDb);
    if (!store) {
        log->critical("{}", store.error().message);
        return startupExitCode(store.error().cls);
    }

    KvmProbe kvm = probeKvm();
    std::string domainType = chooseDomainType(cfg.domainType, kvm);
    log->info("new VMs will use domain type '{}' ({})", domainType, kvm.reason);

    asio::io_context io;
    LibvirtHypervisor::Options hvOptions;
    hvOptions.uri = cfg.libvirtUri;
    hvOptions.instance = cfg.instance;
    hvOptions.statsInterval = std::chrono::milliseconds(cfg.statsIntervalMs);
    LibvirtHypervisor hypervisor(hvOptions, [&io](std::function<void()> f) { asio::post(io, std::move(f)); });

    VmManagerSettings vmSettings;
    vmSettings.instance = cfg.instance;
    vmSettings.runRoot = cfg.runDir;
    vmSettings.shareRoot = cfg.shareDir;
    vmSettings.diskRoot = cfg.diskDir;
    vmSettings.qemuUsers = QemuUsers{cfg.qemuUser, cfg.qemuGroup, cfg.vmUidFirst, cfg.vmUidCount};
    vmSettings.domainType = domainType;
    vmSettings.defaultShutdownTimeoutS = cfg.shutdownTimeoutS;
    AuditLimits auditLimits;
    auditLimits.maxRows = cfg.auditMaxRows;
    auditLimits.maxAgeDays = cfg.auditMaxAgeDays;
    AuditLog audit(**store, auditLimits);
    audit.startUp();
    VmManager vms(io, hypervisor, **store, audit, vmSettings);

    ServerFacts facts;
    facts.version = kVersion;
    facts.domainType = domainType;
    facts.kvmReason = kvm.reason;
    facts.defaultKernel = cfg.imageDir + "/vmlinuz";
    facts.defaultInitrd = cfg.imageDir + "/initrd.img";
    facts.defaultNetwork = cfg.network;
    facts.imageRoot = cfg.imageRoot;
    facts.vmsReadTimeout = std::chrono::milliseconds(cfg.vmsReadTimeoutMs);
    facts.vmsWriteTimeout = std::chrono::milliseconds(cfg.vmsWriteTimeoutMs);
    facts.hostMemoryMib = (long long)(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGE_SIZE) / (1024 * 1024);
    FocusArbiter focus(io, **store, audit, vms.inventory(), cfg.askTimeoutS);
    AgentServerSettings agentSettings;
    agentSettings.policyDir = cfg.policyDir;
    agentSettings.requestsPerSecond = cfg.agentRatePerS;
    agentSettings.burst = cfg.agentBurst;
    agentSettings.tcpListen = cfg.agentTcpListen == "off" ? "" : cfg.agentTcpListen;
    agentSettings.authTimeout = std::chrono::milliseconds(cfg.agentAuthTimeoutMs);
    agentSettings.maxPendingPerSource = std::size_t(cfg.agentMaxPendingPerSource);
    agentSettings.maxPending = std::size_t(cfg.agentMaxPending);
    AgentServer agents(io, vms, focus, **store, audit, agentSettings);
    DirectoryPublisher directory(**store, {cfg.shareDir, vmSettings.qemuUsers});
    AdminCommands commands(vms, focus, **store, audit, facts);
    commands.setAgentCall([&agents](const std::string& vm, const std::string& verb, const protocol::Json& args,
                                    std::chrono::milliseconds timeout, std::function<void(Result<protocol::Json>)> done) {
        agents.commandAgent(vm, verb, args, timeout, std::move(done));
    });

    AdminServerSettings adminSettings;
    adminSettings.socketPath = cfg.adminSocket;
    adminSettings.adminGroup = cfg.adminGroup;
    adminSettings.viewerGroup = cfg.viewerGroup;
    adminSettings.maxClients = std::size_t(cfg.adminMaxClients);
    adminSettings.reservedForAdmins = std::size_t(cfg.adminReservedForAdmins);
    adminSettings.maxPerUser = std::size_t(cfg.adminMaxPerUser);
    AdminServer server(io, adminSettings,
                       [&commands](const Caller& c, const std::string& verb, const protocol::Json& args,
                                   AdminServer::Reply reply) { commands.handle(c, verb, args, std::move(reply)); });
    auto broadcast = [&server, &agents](const std::string& name, const protocol::Json& data, double ts) {
        server.broadcast(name, data, ts);
        agents.broadcast(name, data, ts);
    };
    vms.setEventSink(broadcast);
    focus.setEventSink(broadcast);
    // Order matters: focus falls back before agents of a stopped VM are dropped.
    vms.addInventoryListener([&](const InventoryChange& c) {
        if (!vms.synced()) return;
        focus.onInventoryChange(c);
        directory.onInventoryChange(c, vms.inventory());
        agents.onInventoryChange(c);
    });
    vms.setOnFirstSync([&] {
        focus.restore();
        for (const VmRecord* rec : vms.inventory().all())
            if (auto s = directory.publish(rec->info); !s) log->error("{}", s.error().message);
        (void)agents.policy();
        agents.connectAll();
        log->info("synchronised with {}: {} VMs; serving {}", cfg.libvirtUri, vms.inventory().size(), cfg.adminSocket);
        sdnotify::notify("READY=1\nSTATUS=managing " + std::to_string(vms.inventory().size()) + " VMs");
    });

    if (!agentSettings.tcpListen.empty()) {
        auto tls = loadOrCreateTlsIdentity(cfg.tlsDir);
        if (!tls) {
            log->critical("{}", tls.error().message);
            return startupExitCode(tls.error().cls);
        }
        auto port = agents.listenTcp(*tls);
        if (!port) {
            log->critical("{}", port.error().message);
            return startupExitCode(port.error().cls);
        }
        directory.setTcpEndpoint({cfg.agentTcpAdvertise, *port, tls->fingerprint}, vms.inventory());
    }
    if (auto s = server.listen(); !s) {
        log->critical("{}", s.error().message);
        return startupExitCode(s.error().cls);
    }

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const asio::error_code& ec, int signo) {
        if (ec) return;
        log->info("received {}, stopping", strsignal(signo));
        sdnotify::notify("STOPPING=1");
        server.close();
        agents.close();
        io.stop();
    });
    ::signal(SIGPIPE, SIG_IGN);

    asio::steady_timer watchdog(io);
    if (auto interval = sdnotify::watchdogInterval()) scheduleWatchdog(watchdog, *interval, hypervisor);

    hypervisor.run(&vms);
    io.run();
    hypervisor.stop();
    log->info("stopped; VMs keep running under libvirt");
    return EX_OK;
}

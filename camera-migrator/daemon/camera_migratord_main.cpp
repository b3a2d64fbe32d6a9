// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord: the host daemon that moves cameras from one VMS to another. Wires the real
// adapters (SQLite, applianced's admin API for the VMSs, gSOAP and GStreamer for the cameras) to
// the migration engine and serves its admin API until SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <sysexits.h>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include "admin/admin_server.h"
#include "common/logging.h"
#include "common/sd_notify.h"
#include "daemon/background_worker.h"
#include "daemon/migratord_commands.h"
#include "daemon/migratord_config.h"
#include "migration/migration_engine.h"

using namespace appliance;
using namespace appliance::migration;

namespace {

constexpr const char* kVersion = "0.1.0";

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: camera-migratord [--config FILE] [--set KEY=VALUE]... [--version]\n"
                 "Runs in the foreground (under systemd too: Type=notify). Settings are described in\n"
                 "camera-migratord.conf.example; the default file is %s.\n",
                 kDefaultMigratordConfig);
}

int startupExitCode(ErrorClass cls) { return cls == ErrorClass::InvalidArgument ? EX_CONFIG : exitCodeFor(cls); }

// Fault injection for the crash trials: CAMERA_MIGRATORD_CRASH_AFTER_WRITES=N kills the daemon
// with SIGKILL right after its Nth journal write (an intent or an outcome): a crash exactly at a
// step boundary, which random kills rarely hit.
std::function<void(Step, const std::string&)> crashHook() {
    const char* env = std::getenv("CAMERA_MIGRATORD_CRASH_AFTER_WRITES");
    if (!env || !*env) return {};
    const long after = std::strtol(env, nullptr, 10);
    if (after <= 0) return {};
    return [after, writes = 0L](Step step, const std::string& what) mutable {
        if (++writes < after) return;
        logging::get("migrator.daemon")->warn("crash injected after journal write {} ({} {})", writes, stepName(step), what);
        ::raise(SIGKILL);
    };
}

}  // namespace

int main(int argc, char** argv) {
    std::string configPath = kDefaultMigratordConfig;
    bool configGiven = false;
    std::vector<std::string> overrides;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if ((a == "--config" || a == "--set") && i + 1 < argc) {
            if (a == "--config") configPath = argv[++i], configGiven = true;
            else overrides.push_back(argv[++i]);
        } else if (a == "--help" || a == "-h") {
            usage(stdout);
            return EX_OK;
        } else if (a == "--version") {
            std::printf("camera-migratord %s\n", kVersion);
            return EX_OK;
        } else {
            std::fprintf(stderr, "camera-migratord: unknown argument '%s'\n", a.c_str());
            usage(stderr);
            return EX_USAGE;
        }
    }
    logging::setup("camera-migratord");
    ::umask(077);  // the store holds camera passwords: camera-migratord's alone
    auto log = logging::get("migrator.daemon");
    auto config = loadMigratordConfig(configPath, configGiven, overrides);
    if (!config) {
        log->critical("{}", config.error().message);
        return EX_CONFIG;
    }
    const MigratordConfig& cfg = *config;
    auto store = MigrationStore::open(cfg.stateDb);
    if (!store) {
        log->critical("{}", store.error().message);
        return startupExitCode(store.error().cls);
    }
    // A command cut off by a crash: its journal (if it moved anything) is settled by the engine;
    // its audit entry says so instead of "in-progress" for ever.
    if (auto n = (*store)->markUnfinishedAudit("interrupted", "camera-migratord stopped before the outcome was recorded; "
                                                              "`camera-migrator status` shows where each camera is");
        !n)
        log->error("cannot mark unfinished audit entries: {}", n.error().message);
    else if (*n > 0)
        log->warn("{} audit entries were cut off by a stop and are marked interrupted", *n);

    asio::io_context io;
    AppliancedGatewaySettings gatewaySettings{cfg.applianceSocket, cfg.vmsReadTimeoutMs, cfg.vmsWriteTimeoutMs};
    auto engineGateway = makeAppliancedGateway(gatewaySettings);  // each thread has its own connection
    auto inventoryGateway = makeAppliancedGateway(gatewaySettings);
    auto checks = makeCameraChecks();
    StepSettings steps;
    steps.views.guestLoopbackAlias = cfg.guestLoopbackAlias;
    steps.verifyTimeout = std::chrono::seconds(cfg.verifyTimeoutS);
    steps.restoreTimeout = std::chrono::seconds(cfg.restoreTimeoutS);
    steps.detachTimeout = std::chrono::seconds(cfg.detachTimeoutS);
    steps.overlapTimeout = std::chrono::seconds(cfg.overlapTimeoutS);
    steps.gapReadTimeout = std::chrono::seconds(cfg.gapReadTimeoutS);
    steps.pollInterval = std::chrono::milliseconds(cfg.pollIntervalMs);
    steps.newInstanceTimeout = std::chrono::seconds(cfg.newInstanceTimeoutS);
    Inventory inventory(**store, *inventoryGateway, steps.views);

    std::unique_ptr<AdminServer> server;
    auto broadcast = [&io, &server](const std::string& name, const Json& data) {
        const double ts = protocol::nowTimestampS();
        asio::post(io, [&server, name, data, ts] {
            if (server) server->broadcast(name, data, ts);
        });
    };
    MigrationEngine engine(**store, *engineGateway, *checks, steps, broadcast);
    engine.setJournalHook(crashHook());
    BackgroundWorker worker(io);
    // Asking each camera what it is (after credentials) waits on cameras that may never answer:
    // its own worker, so an inventory is never queued behind a thousand cameras' timeouts.
    BackgroundWorker describer(io, 4096);
    // Thumbnails for the wizard: a camera's picture at most 10 s old is served from the cache; a
    // VMS's own picture at most 15 s old (each one is a command to the guest, audited there). The
    // gateway is declared first: the cache's thread, which uses it, is joined before it goes.
    auto viewGateway = makeAppliancedGateway(gatewaySettings);
    SnapshotCache cameraPictures(std::chrono::seconds(10));
    SnapshotCache vmsPictures(std::chrono::seconds(15));
    MigratorCommands commands(**store, inventory, PictureSources{cameraPictures, *checks, vmsPictures, *viewGateway},
                              [&engine] { engine.wake(); },
                              [&worker](auto job, auto reply) { worker.post(std::move(job), std::move(reply)); },
                              [&describer](auto job, auto reply) { describer.post(std::move(job), std::move(reply)); });
    AdminServerSettings adminSettings;
    adminSettings.socketPath = cfg.adminSocket;
    adminSettings.adminGroup = cfg.adminGroup;
    adminSettings.viewerGroup = cfg.viewerGroup;
    server = std::make_unique<AdminServer>(io, adminSettings, [&commands](const Caller& c, const std::string& verb,
                                                                          const Json& args, AdminServer::Reply reply) {
        commands.handle(c, verb, args, std::move(reply));
    });
    if (auto s = server->listen(); !s) {
        log->critical("{}", s.error().message);
        return startupExitCode(s.error().cls);
    }
    std::thread engineThread([&engine] { engine.run(); });

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const asio::error_code& ec, int signo) {
        if (ec) return;
        log->info("received {}, stopping (a step in progress is settled at the next start)", strsignal(signo));
        sdnotify::notify("STOPPING=1");
        engine.stop();
        server->close();
        io.stop();
    });
    ::signal(SIGPIPE, SIG_IGN);
    log->info("serving {}; VMSs through applianced at {}", cfg.adminSocket, cfg.applianceSocket);
    sdnotify::notify("READY=1\nSTATUS=serving " + cfg.adminSocket);
    io.run();
    engine.stop();
    engineThread.join();
    cameraPictures.stop();
    vmsPictures.stop();
    worker.stop();  // its jobs use the commands and the inventory, destroyed before it
    describer.stop();
    server.reset();
    log->info("stopped");
    return EX_OK;
}

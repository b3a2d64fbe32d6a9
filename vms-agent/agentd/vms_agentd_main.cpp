// SPDX-License-Identifier: GPL-2.0-or-later
// vms-agentd: see agent_daemon.h.
#include <csignal>
#include <cstdio>
#include <string>
#include <sysexits.h>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include "agentd/agent_daemon.h"
#include "common/logging.h"

int main(int argc, char** argv) {
    appliance::agent::AgentOptions opt;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--directory") opt.directoryPath = value();
        else if (a == "--socket") opt.socketPath = value();
        else if (a == "--endpoint") opt.endpointOverride = value();
        else if (a == "--vms") opt.vmsProduct = value();
        else if (a == "--help" || a == "-h") {
            std::printf("usage: vms-agentd [--directory FILE] [--socket PATH] [--endpoint DEVICE|unix:PATH]\n"
                        "                  [--vms auto|motion|zoneminder|none]\n"
                        "Defaults: --directory %s --socket %s --vms auto; the endpoint comes from the\n"
                        "directory; --vms picks the VMS adapter that answers the host (auto: the one installed).\n",
                        opt.directoryPath.c_str(), opt.socketPath.c_str());
            return EX_OK;
        } else {
            std::fprintf(stderr, "vms-agentd: unknown argument '%s' (see --help)\n", a.c_str());
            return EX_USAGE;
        }
    }
    appliance::logging::setup("vms-agentd");
    asio::io_context io;
    appliance::agent::AgentDaemon daemon(io, opt);
    if (auto s = daemon.start(); !s) {
        spdlog::critical("{}", s.error().message);
        return EX_UNAVAILABLE;
    }
    ::signal(SIGPIPE, SIG_IGN);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const asio::error_code&, int) {
        daemon.stop();
        io.stop();
    });
    // A bug leaves the daemon in an unknown state: say what happened and exit, so that the service
    // manager starts a clean one (Restart=always), rather than serve half-updated.
    try {
        io.run();
    } catch (const std::exception& e) {
        spdlog::critical("unexpected error, exiting so that a fresh vms-agentd starts: {}", e.what());
        return EX_SOFTWARE;
    }
    return EX_OK;
}

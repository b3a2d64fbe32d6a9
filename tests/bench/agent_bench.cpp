// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmarks of the agent path. Prints numbers; asserts nothing about time.
//   1. focus request -> focus.changed at an admin subscriber, for an agent on the host:
//      client -> vms-agentd's Unix socket -> vms-agentd -> TCP+TLS (loopback) -> applianced
//   2. the same from inside a TCG guest over virtio-serial (measured in the guest: request to answer;
//      applianced sends the event before the answer, so this bounds request-to-event from above)
//   3. 1,000 concurrent authenticated TLS agent connections on loopback: requests/s, p99, RSS
#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "integration/applianced_fixture.h"
#include "integration/raw_tls_agent.h"

using namespace appliance;
using namespace appliance::test;
using namespace appliance::bench;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const int switches = intArg(argc, argv, "--switches", 200);
    const int guestSwitches = intArg(argc, argv, "--guest-switches", 100);
    const int connections = intArg(argc, argv, "--connections", 1000);
    const int requests = intArg(argc, argv, "--requests", 20);
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 65536);
    setrlimit(RLIMIT_NOFILE, &nofile);  // applianced, our child, inherits it

    // The 1,000 agents connect at once from one address: let all their handshakes wait.
    ApplianceDaemon daemon({"agent_tcp_advertise=127.0.0.1", "agent_rate_per_s=1000000", "agent_burst=1000000",
                            "agent_max_pending_per_source=4096", "agent_max_pending=4096"});
    daemon.start();
    auto admin = daemon.client();
    auto events = daemon.client();
    (void)events->call("events.subscribe");
    const std::string a = daemon.vmName("bench-a"), b = daemon.vmName("bench-b");
    for (const auto& vm : {a, b}) {
        daemon.createVm(*admin, vm);
        (void)admin->call("vm.start", {{"name", vm}});
    }
    Json directory = daemon.directory(a);
    int port = daemon.agentTcpPort(a);

    // 1. Host agent.
    std::string agentSocket = daemon.dir() + "/bench-agent.sock";
    pid_t agent = daemon.startHostAgent(a, agentSocket);
    LineClient client;
    waitUntil([&] {
        if (!client.connect(agentSocket, 1000)) return false;
        auto s = client.call("status");
        return s && s->value("connected", false);
    }, std::chrono::seconds(30));
    std::vector<double> hostMs;
    for (int i = 0; i < switches; ++i) {
        // Only the guest with the display may give it away: a has it before every timed request.
        (void)admin->call("focus.set", {{"target", a}});
        (void)waitForEvent(*events, [&](const auto& m) { return m.name == "focus.changed" && m.body["target"] == a; },
                           std::chrono::seconds(10));
        const std::string target = b;
        auto t0 = Clock::now();
        (void)client.sendRaw(protocol::encodeCommand("focus.request", {{"target", target}}, i + 100));
        auto ev = waitForEvent(*events, [&](const auto& m) { return m.name == "focus.changed" && m.body["target"] == target; },
                               std::chrono::seconds(10));
        if (ev) hostMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        (void)client.readMessage(10000);
    }
    std::printf("focus request -> focus event at admin subscriber, host agent (Unix socket -> vms-agentd -> TLS loopback), "
                "%zu switches: p50 %.2f ms, p99 %.2f ms\n", hostMs.size(), percentile(hostMs, 50), percentile(hostMs, 99));
    stopProcess(agent);

    // 2. Agent inside a TCG guest, over virtio-serial.
    if (guestSwitches > 0) {
        bool up = daemon.waitForGuestBoot(a) && daemon.waitForGuestBoot(b) && waitUntil([&] {
            int rc = -1;
            daemon.guestRun(a, "vms-agent status", &rc, std::chrono::seconds(10));
            return rc == 0;
        }, std::chrono::seconds(60));
        int rc = -1;
        // A guest in the background may not take the display, so one guest cannot switch back and
        // forth by itself: it asks for the display it already has (the whole request path, no change).
        (void)admin->call("focus.set", {{"target", a}});
        std::string out = up ? daemon.guestRun(a, "vms-agent bench-switch " + a + " " + a + " " + std::to_string(guestSwitches),
                                               &rc, std::chrono::seconds(300))
                             : "the guest agent did not come up";
        auto pos = out.find("bench-switch:");
        std::printf("focus request (the guest already has the display) -> answer inside a TCG guest (virtio-serial): %s\n",
                    pos == std::string::npos ? out.c_str() : out.substr(pos + 14, out.find('\n', pos) - pos - 14).c_str());
    }

    // 3. Many agents at once.
    const std::string secret = directory["secret"];
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(connections));
    std::atomic<int> authenticated{0}, failed{0};
    long rssConnected = -1;
    std::barrier sync(connections + 1);
    std::vector<std::thread> threads;
    long rssBefore = rssKib(daemon.pid());
    for (int c = 0; c < connections; ++c)
        threads.emplace_back([&, c] {
            std::unique_ptr<RawTlsAgent> agentConn;
            try {
                agentConn = std::make_unique<RawTlsAgent>(port);
                if (agentConn->authenticate(a, secret)) ++authenticated;
                else agentConn.reset();
            } catch (...) {
                agentConn.reset();
            }
            if (!agentConn) ++failed;
            sync.arrive_and_wait();  // everyone connected
            sync.arrive_and_wait();  // go
            for (int i = 0; agentConn && i < requests; ++i) {
                auto t0 = Clock::now();
                Json r = agentConn->send({{"execute", "focus.get"}, {"id", i}});
                if (!r.contains("return")) break;
                lat[std::size_t(c)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
            }
        });
    sync.arrive_and_wait();
    rssConnected = rssKib(daemon.pid());
    auto t0 = Clock::now();
    sync.arrive_and_wait();
    for (auto& t : threads) t.join();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    std::printf("%d concurrent TLS agent connections (%d authenticated, %d failed): %.0f requests/s, p50 %.2f ms, "
                "p99 %.2f ms (%zu requests in %.2f s)\n",
                connections, authenticated.load(), failed.load(), double(all.size()) / secs, percentile(all, 50),
                percentile(all, 99), all.size(), secs);
    std::printf("applianced resident memory: %ld KiB before, %ld KiB with %d agents connected\n", rssBefore, rssConnected,
                authenticated.load());
    return 0;
}

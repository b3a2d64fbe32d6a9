// SPDX-License-Identifier: GPL-2.0-or-later
// Benchmarks of applianced against the real libvirtd. Prints numbers; asserts nothing about time.
//   - admin API round trip of vm.list with 8 guests defined: p50/p99, and ops/s with 8 clients
//   - libvirt lifecycle event -> admin subscriber latency: p50/p99 (a running TCG guest, suspend/resume)
//   - applianced start -> READY (sd_notify) with 8 guests defined; resident memory when idle
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "integration/applianced_fixture.h"

using namespace appliance;
using namespace appliance::test;
using namespace appliance::bench;
using Clock = std::chrono::steady_clock;


int main(int argc, char** argv) {
    const int listCalls = intArg(argc, argv, "--list-calls", 2000);
    const int concurrentCalls = intArg(argc, argv, "--concurrent-calls", 1000);
    const int cycles = intArg(argc, argv, "--event-cycles", 100);

    ApplianceDaemon daemon;
    daemon.start();
    auto admin = daemon.client();
    std::vector<std::string> vms;
    for (int i = 0; i < 8; ++i) {
        vms.push_back(daemon.vmName("bench" + std::to_string(i)));
        daemon.createVm(*admin, vms.back());
    }

    // 1. vm.list round trip, one client.
    std::vector<double> rtt;
    for (int i = 0; i < listCalls; ++i) {
        auto t0 = Clock::now();
        auto r = admin->call("vm.list");
        if (!r || r->size() != 8) {
            std::fprintf(stderr, "vm.list failed\n");
            return 1;
        }
        rtt.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    std::printf("vm.list round trip (8 guests, 1 client, %d calls): p50 %.0f us, p99 %.0f us\n", listCalls,
                percentile(rtt, 50), percentile(rtt, 99));

    // 2. Eight concurrent clients.
    std::atomic<int> done{0};
    std::vector<std::thread> threads;
    auto t0 = Clock::now();
    for (int c = 0; c < 8; ++c)
        threads.emplace_back([&] {
            LineClient client;
            if (!client.connect(daemon.socket())) return;
            for (int i = 0; i < concurrentCalls; ++i)
                if (client.call("vm.list")) ++done;
        });
    for (auto& t : threads) t.join();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("vm.list with 8 concurrent clients: %.0f ops/s (%d calls in %.2f s)\n", done / secs, done.load(), secs);

    // 3. Lifecycle event latency: libvirt's callback (the event's timestamp) to the subscriber.
    auto events = daemon.client();
    (void)events->call("events.subscribe");
    (void)admin->call("vm.start", {{"name", vms[0]}});
    (void)waitForEvent(*events, [](const auto& m) { return m.name == "vm.state" && m.body["state"] == "running"; },
                 std::chrono::seconds(60));
    std::vector<double> lat;
    for (int i = 0; i < cycles; ++i) {
        for (const char* verb : {"vm.suspend", "vm.resume"}) {
            (void)admin->call(verb, {{"name", vms[0]}});
            auto ev = waitForEvent(*events, [](const auto& m) { return m.name == "vm.state" && m.body["event"] != "refresh"; },
                                   std::chrono::seconds(30));
            double now = protocol::nowTimestampS();
            if (ev) lat.push_back((now - ev->timestampS) * 1e6);
        }
    }
    (void)admin->call("vm.destroy", {{"name", vms[0]}});
    std::printf("libvirt lifecycle event -> admin subscriber (%zu events): p50 %.0f us, p99 %.0f us\n", lat.size(),
                percentile(lat, 50), percentile(lat, 99));

    // 4. Start to READY with 8 guests defined, and idle memory.
    admin.reset();
    events.reset();
    daemon.stop();
    std::string notifyPath = "/tmp/appliance-bench-notify-" + std::to_string(::getpid());
    int ns = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", notifyPath.c_str());
    ::unlink(notifyPath.c_str());
    ::bind(ns, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    daemon.setChildEnv("NOTIFY_SOCKET", notifyPath);
    std::vector<double> ready;
    long rss = -1;
    for (int run = 0; run < 5; ++run) {
        double readyMs = -1;
        auto start = Clock::now();
        std::thread waiter([&] {
            char buf[512];
            for (;;) {
                timeval tv{30, 0};
                ::setsockopt(ns, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                ssize_t n = ::recv(ns, buf, sizeof buf - 1, 0);
                if (n <= 0) return;
                buf[n] = 0;
                if (std::string(buf).find("READY=1") != std::string::npos) {
                    readyMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
                    return;
                }
            }
        });
        daemon.start();
        waiter.join();
        ready.push_back(readyMs);
        if (run == 4) {
            std::this_thread::sleep_for(std::chrono::seconds(3));
            rss = rssKib(daemon.pid());
        }
        daemon.stop();
    }
    ::close(ns);
    ::unlink(notifyPath.c_str());
    std::printf("applianced start -> READY=1 (8 guests defined, 5 runs): p50 %.0f ms, max %.0f ms\n",
                percentile(ready, 50), *std::max_element(ready.begin(), ready.end()));
    std::printf("applianced resident memory when idle: %ld KiB\n", rss);
    daemon.start();  // so the fixture's clean-up can undefine the guests through a known state
    return 0;
}

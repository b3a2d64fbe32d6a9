// SPDX-License-Identifier: GPL-2.0-or-later
// What hostile peers cost applianced. Prints numbers; asserts nothing about time.
//   1. slowloris: N admin connections each sending one byte every 10 ms; applianced's CPU
//   2. the same one byte every 10 ms on an authenticated TLS agent connection
//   3. 2,000 silent TCP connections to the agent port while a real agent authenticates and
//      switches: how long that takes, and how many silent peers applianced dropped
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench/bench_util.h"
#include "integration/applianced_fixture.h"
#include "integration/peer_sockets.h"
#include "integration/raw_tls_agent.h"

using namespace appliance;
using namespace appliance::test;
using namespace appliance::bench;
using Clock = std::chrono::steady_clock;

namespace {

// applianced's CPU time so far, in seconds (user + system).
double cpuSeconds(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; rest >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) {
            stime = std::stol(field);
            break;
        }
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// CPU share of one core applianced used while `work` ran.
double cpuPercentDuring(pid_t pid, const std::function<void()>& work) {
    double c0 = cpuSeconds(pid);
    auto t0 = Clock::now();
    work();
    double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    return 100.0 * (cpuSeconds(pid) - c0) / wall;
}

}  // namespace

int main(int argc, char** argv) {
    const int slowSenders = intArg(argc, argv, "--slow-senders", 100);
    const int seconds = intArg(argc, argv, "--seconds", 20);
    const int silent = intArg(argc, argv, "--silent", 2000);
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = std::min<rlim_t>(nofile.rlim_max, 65536);
    setrlimit(RLIMIT_NOFILE, &nofile);

    ApplianceDaemon daemon({"agent_tcp_advertise=127.0.0.1"});
    daemon.start();
    auto admin = daemon.client();
    const std::string vm = daemon.vmName("bench-hard");
    daemon.createVm(*admin, vm);
    (void)admin->call("vm.start", {{"name", vm}});
    const int port = daemon.agentTcpPort(vm);
    const std::string secret = daemon.directory(vm)["secret"];
    std::this_thread::sleep_for(std::chrono::seconds(2));

    double idle = cpuPercentDuring(daemon.pid(), [&] { std::this_thread::sleep_for(std::chrono::seconds(seconds / 2)); });
    std::printf("applianced idle (1 running VM, stats every 0.5 s): %.2f %% of a core\n", idle);

    // 1. Slowloris on the admin socket.
    std::vector<int> fds;
    for (int i = 0; i < slowSenders; ++i) fds.push_back(connectUnix(daemon.socket()));
    double slow = cpuPercentDuring(daemon.pid(), [&] {
        auto end = Clock::now() + std::chrono::seconds(seconds);
        while (Clock::now() < end) {
            for (int fd : fds)
                if (fd >= 0) (void)!::write(fd, "x", 1);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    for (int fd : fds) ::close(fd);
    std::printf("slowloris, %d admin connections each sending 1 byte every 10 ms for %d s: applianced %.2f %% of a core "
                "(%.2f %% above idle)\n",
                slowSenders, seconds, slow, slow - idle);

    // 2. One byte every 10 ms inside TLS, authenticated.
    {
        RawTlsAgent agent(port);
        bool ok = agent.authenticate(vm, secret);
        double tls = cpuPercentDuring(daemon.pid(), [&] {
            auto end = Clock::now() + std::chrono::seconds(seconds);
            while (ok && Clock::now() < end) {
                agent.write("x");
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        });
        std::printf("slowloris inside TLS, 1 authenticated agent sending 1 byte every 10 ms: applianced %.2f %% of a "
                    "core\n",
                    tls);
    }

    // 3. Silent connections against a real agent.
    std::vector<double> switchMs;
    int dropped = 0, opened = 0;
    (void)admin->call("focus.set", {{"target", vm}});
    for (int round = 0; round < 5; ++round) {
        std::vector<int> quiet;
        for (int i = 0; i < silent / 5; ++i) {
            int fd = connectTcp(port);
            if (fd >= 0) quiet.push_back(fd), ++opened;
        }
        auto t0 = Clock::now();
        RawTlsAgent agent(port);
        bool authed = agent.authenticate(vm, secret);
        Json r = agent.send({{"execute", "focus.request"}, {"arguments", {{"target", vm}}}, {"id", 1}});
        if (authed && r.contains("return"))
            switchMs.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        for (int fd : quiet) dropped += closedByServer(fd, 0), ::close(fd);
    }
    std::printf("%d silent TCP connections in 5 waves of %d: a real agent authenticated and switched %zu of 5 times, "
                "p50 %.1f ms, max %.1f ms; applianced dropped %d silent peers to make room\n",
                opened, silent / 5, switchMs.size(), percentile(switchMs, 50), percentile(switchMs, 100), dropped);
    std::printf("applianced resident memory after all this: %ld KiB\n", rssKib(daemon.pid()));
    return 0;
}

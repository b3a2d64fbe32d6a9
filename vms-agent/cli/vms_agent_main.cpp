// SPDX-License-Identifier: GPL-2.0-or-later
// vms-agent: the operator's command line inside a guest. Talks to vms-agentd's local socket.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <sysexits.h>
#include <vector>

#include "common/line_client.h"

using namespace appliance;
using Json = protocol::Json;

namespace {

constexpr const char* kUsage = R"(usage: vms-agent [--json] [--socket PATH] COMMAND
  list             the VMs and the admin console, which one has the display, and which one is this VM
  switch TARGET    ask the appliance to give the display to TARGET (a VM name or admin-console)
  status           whether this agent is connected, and as which VM
  watch            print focus and VM events as they happen (Ctrl-C stops)
  bench-switch A B N   switch between A and B N times on one connection; print the latency figures
Exit codes: 0 ok, 64 usage, 66 no such target, 69 not connected, 75 target not running, 77 denied.
)";

int fail(const Error& e, bool json) {
    if (json) std::cout << Json{{"error", {{"class", errorClassName(e.cls)}, {"desc", e.message}}}}.dump() << "\n";
    std::fprintf(stderr, "vms-agent: %s\n", e.message.c_str());
    return exitCodeFor(e.cls);
}

}  // namespace

int main(int argc, char** argv) {
    bool json = false;
    std::string socket = "/run/vms-agent.sock";
    std::vector<std::string> words;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--json") json = true;
        else if (a == "--socket" && i + 1 < argc) socket = argv[++i];
        else if (a == "--help" || a == "-h") {
            std::fputs(kUsage, stdout);
            return EX_OK;
        } else words.push_back(a);
    }
    const bool bench = !words.empty() && words[0] == "bench-switch" && words.size() == 4;
    if (!bench && (words.empty() || (words[0] == "switch") != (words.size() == 2) || words.size() > 2)) {
        std::fputs(kUsage, stderr);
        return EX_USAGE;
    }
    const std::string cmd = words[0];
    LineClient client;
    if (auto g = client.connect(socket, 5000); !g) {
        Error e = g.error();
        e.message += " (is vms-agentd running?)";
        return fail(e, json);
    }
    if (cmd == "status") {
        auto r = client.call("status");
        if (!r) return fail(r.error(), json);
        if (json) std::cout << r->dump(2) << "\n";
        else if (r->value("connected", false))
            std::printf("connected to the appliance as '%s' over %s; %s has the display\n",
                        r->value("vm", "").c_str(), r->value("endpoint", "").c_str(), r->value("focus", "").c_str());
        else
            std::printf("not connected: %s\n", r->value("last_error", std::string("starting")).c_str());
        return r->value("connected", false) ? EX_OK : EX_UNAVAILABLE;
    }
    if (cmd == "list") {
        auto r = client.call("targets.list");
        if (!r) return fail(r.error(), json);
        if (json) {
            std::cout << r->dump(2) << "\n";
            return EX_OK;
        }
        std::printf("   %-24s %-8s %-14s\n", "TARGET", "KIND", "STATE");
        for (const auto& t : *r)
            std::printf("%s %-24s %-8s %-14s%s\n", t.value("focused", false) ? "*" : " ", t.value("name", "").c_str(),
                        t.value("kind", "").c_str(), t.value("state", "").c_str(),
                        t.value("you", false) ? "  (this VM)" : "");
        std::printf("(* has the display)\n");
        return EX_OK;
    }
    if (cmd == "switch") {
        auto r = client.call("focus.request", {{"target", words[1]}}, 120000);
        if (!r) return fail(r.error(), json);
        if (json) std::cout << r->dump(2) << "\n";
        else std::printf("%s now has the display\n", r->value("target", "").c_str());
        return EX_OK;
    }
    if (bench) {
        // Request to answer, on this machine's monotonic clock. applianced sends the focus event to
        // its subscribers before it answers, so this bounds the request-to-event time from above.
        int n = std::atoi(words[3].c_str());
        std::vector<double> ms;
        for (int i = 0; i < n; ++i) {
            auto t0 = std::chrono::steady_clock::now();
            auto r = client.call("focus.request", {{"target", words[1 + i % 2]}}, 30000);
            if (!r) return fail(r.error(), json);
            ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        }
        std::sort(ms.begin(), ms.end());
        auto pct = [&](double p) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, std::size_t(p / 100 * double(ms.size())))]; };
        std::printf("bench-switch: %d switches, request to answer p50 %.2f ms p99 %.2f ms\n", n, pct(50), pct(99));
        return EX_OK;
    }
    if (cmd == "watch") {
        if (auto r = client.call("events.subscribe"); !r) return fail(r.error(), json);
        std::signal(SIGINT, [](int) { std::_Exit(EX_OK); });
        for (;;) {
            auto ev = client.nextEvent(3600 * 1000);
            if (!ev) {
                if (ev.error().cls == ErrorClass::Timeout) continue;
                return fail(ev.error(), json);
            }
            if (json) std::cout << Json{{"event", ev->name}, {"data", ev->body}}.dump() << std::endl;
            else std::cout << ev->name << " " << ev->body.dump() << std::endl;
        }
    }
    std::fputs(kUsage, stderr);
    return EX_USAGE;
}

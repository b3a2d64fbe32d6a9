// SPDX-License-Identifier: GPL-2.0-or-later
// Figures of the camera layer (docs/benchmarks.md), against the real simulator in a private network
// namespace: discovery of 64 cameras, probe per camera (p50/p99), time to the first decoded frame
// (p50/p99), and the simulator's CPU per streaming camera. Prints numbers; fails on nothing but errors.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "integration/camera_sim_process.h"
#include "onvif/camera_client.h"
#include "onvif/ws_discovery.h"
#include "stream/stream_verifier.h"

using namespace appliance;
using namespace appliance::camera;
using Clock = std::chrono::steady_clock;

namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())))];
}

double cpuSeconds(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(f, line);
    std::istringstream in(line.substr(line.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

}  // namespace

int main(int argc, char** argv) {
    const int cameras = argc > 1 ? std::atoi(argv[1]) : 64;
    std::string why;
    if (!test::enterPrivateNetwork(&why)) {
        std::fprintf(stderr, "onvif_bench: %s\n", why.c_str());
        return 77;
    }
    test::CameraSimProcess sim({"--cameras", std::to_string(cameras)});
    if (!sim.start(std::chrono::seconds(120))) {
        std::fprintf(stderr, "onvif_bench: the simulator did not start: %s\n", sim.errors().c_str());
        return 70;
    }

    // 1. Discovery: from the probe until every camera has answered (they answer within 0-500 ms).
    std::vector<double> discovery;
    for (int run = 0; run < 5; ++run) {
        DiscoveryOptions o;
        o.timeout = std::chrono::seconds(10);
        o.expected = std::size_t(cameras);
        const auto t0 = Clock::now();
        auto found = discoverCameras(o);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (!found || found->size() != std::size_t(cameras)) {
            std::fprintf(stderr, "discovery run %d found %zu of %d cameras\n", run, found ? found->size() : 0, cameras);
            return 70;
        }
        discovery.push_back(s);
    }
    std::printf("discovery of %d cameras: all found after p50 %.3f s, max %.3f s (5 runs)\n", cameras,
                percentile(discovery, 50), percentile(discovery, 100));

    // 2. Probe (clock, device information, capabilities, sources, profiles, stream URIs) per camera.
    std::vector<double> probes;
    std::vector<std::string> uris;
    for (const auto& c : sim.cameras()) {
        const std::string url = c["device_url"];
        auto client = makeOnvifClient(url, {"admin", "admin"});
        const auto t0 = Clock::now();
        auto report = probeCamera(*client, url);
        probes.push_back(std::chrono::duration<double>(Clock::now() - t0).count() * 1000);
        if (!report) {
            std::fprintf(stderr, "probe of %s: %s\n", url.c_str(), report.error().message.c_str());
            return 70;
        }
        uris.push_back(report->streams.front().streamUri);
    }
    std::printf("probe per camera (new client, 2 profiles): p50 %.1f ms, p99 %.1f ms (%zu cameras)\n",
                percentile(probes, 50), percentile(probes, 99), probes.size());

    // 3. Verify: time to the first decoded frame of the main stream.
    std::vector<double> firstFrames;
    const std::size_t verified = std::min<std::size_t>(uris.size(), 32);
    for (std::size_t i = 0; i < verified; ++i) {
        VerifyOptions v;
        v.measureFor = std::chrono::milliseconds(200);
        auto r = verifyStream(uris[i], {"admin", "admin"}, v);
        if (!r) {
            std::fprintf(stderr, "verify %s: %s\n", uris[i].c_str(), r.error().message.c_str());
            return 70;
        }
        firstFrames.push_back(r->firstFrameS * 1000);
    }
    std::printf("verify, first decoded frame (640x360 H.264, cold stream): p50 %.0f ms, p99 %.0f ms (%zu streams)\n",
                percentile(firstFrames, 50), percentile(firstFrames, 99), firstFrames.size());

    // 4. Simulator CPU per streaming camera: N main streams pulled at once for a few seconds.
    for (int streaming : {1, 4}) {
        std::vector<std::thread> viewers;
        std::atomic<int> failed{0};
        for (int i = 0; i < streaming; ++i)
            viewers.emplace_back([&, i] {
                VerifyOptions v;
                v.measureFor = std::chrono::seconds(6);
                if (!verifyStream(uris[std::size_t(i)], {"admin", "admin"}, v)) ++failed;
            });
        std::this_thread::sleep_for(std::chrono::seconds(2));  // past start-up
        const double c0 = cpuSeconds(sim.pid());
        const auto t0 = Clock::now();
        std::this_thread::sleep_for(std::chrono::seconds(3));
        const double used = cpuSeconds(sim.pid()) - c0;
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        for (auto& t : viewers) t.join();
        std::printf("simulator CPU with %d streaming camera%s (640x360@15 H.264): %.1f %% of one core in all, %.1f %% per camera%s\n",
                    streaming, streaming == 1 ? "" : "s", 100 * used / wall, 100 * used / wall / streaming,
                    failed ? " (a viewer failed)" : "");
    }
    return 0;
}

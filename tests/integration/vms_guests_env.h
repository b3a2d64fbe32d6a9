// SPDX-License-Identifier: GPL-2.0-or-later
// The booted VMS guests (ZoneMinder, motion) that every test of vms_guest_tests shares: booting
// ZoneMinder under TCG takes minutes, so one applianced, one camera simulator and one guest per
// VMS serve the VMS tests and the migration tests (ctest runs the program as one test). Cameras
// from the simulator are on the host's loopback, which the guests reach at 10.0.2.2.
// Figures are printed as "FIGURE name value" lines; docs/benchmarks.md collects them.
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <vector>
#include <string>

#include <gtest/gtest.h>

#include "integration/applianced_fixture.h"
#include "integration/camera_sim_process.h"

namespace appliance::test {

using Clock = std::chrono::steady_clock;
inline double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
inline void figure(const std::string& name, double value) { std::printf("FIGURE %s %.1f\n", name.c_str(), value), std::fflush(stdout); }

// The camera's sub stream as a guest reaches it: the host's loopback is 10.0.2.2 there.
inline std::string guestUri(const Json& camera) {
    std::string uri = camera["sub_uri"];
    return "rtsp://10.0.2.2:" + uri.substr(uri.find(':', 7) + 1);
}

struct Guest {
    std::string vm;
    int cameraLimit = 0;
};

class VmsGuests : public ::testing::Environment {
public:
    static VmsGuests* self;
    ApplianceDaemon* daemon = nullptr;
    std::unique_ptr<LineClient> admin;
    std::unique_ptr<CameraSimProcess> sim;
    std::map<std::string, Guest> guests;  ///< by product

    void SetUp() override;
    void TearDown() override;

    /// The guest VM of a product ("zoneminder": the legacy VMS, "motion": the new one).
    std::string vm(const std::string& product) const { return guests.at(product).vm; }
    /// Adds simulator cameras to `product`'s VMS with their ONVIF identities (as a site has them
    /// before a migration) and waits until it records each; fatal failures on the way.
    void recordIn(const std::string& product, const std::vector<Json>& cameras);
    /// Takes the given cameras (ONVIF identities) out of both VMSs: the guests are shared, and
    /// motion has only four slots.
    void removeFromBoth(const std::set<std::string>& onvifIds);
};

}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/vms_guests_env.h"

namespace appliance::test {

VmsGuests* VmsGuests::self = nullptr;

void VmsGuests::SetUp() {
    self = this;
    daemon = new ApplianceDaemon({"vms_write_timeout_ms=120000", "vms_read_timeout_ms=60000"});
    daemon->start();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    admin = daemon->client();
    sim = std::make_unique<CameraSimProcess>(
        std::vector<std::string>{"--cameras", "4", "--no-discovery", "--sub", "320x180@5", "--name-prefix", "Guest cam"});
    ASSERT_TRUE(sim->start()) << sim->errors();
    const auto t0 = Clock::now();
    for (const auto& [product, memory] : {std::pair{"motion", 1024}, {"zoneminder", 1536}}) {
        Guest g{daemon->vmName(product)};
        auto made = admin->call("vm.create", {{"name", g.vm}, {"image", std::string("vms-") + product}, {"memory_mib", memory}});
        ASSERT_TRUE(made) << made.error().message << " (the README's test command builds the VMS images)";
        ASSERT_TRUE(admin->call("vm.start", {{"name", g.vm}}));
        guests[product] = g;
    }
    // Both boot at once (one core each); ready = the VMS answers and says it records.
    for (auto& [product, g] : guests) {
        Json info;
        bool ready = waitUntil(
            [&] {
                auto r = admin->call("vms.info", {{"name", g.vm}}, 90000);
                if (r) info = *r;
                return r && r->value("ready", false);
            },
            std::chrono::minutes(12));
        ASSERT_TRUE(ready) << product << ": " << info.dump() << "\n" << daemon->consoleLog(g.vm).substr(0, 4000);
        EXPECT_EQ(info.value("product", ""), product);
        g.cameraLimit = info.value("camera_limit", 0);
        figure(product + ".start_to_vms_ready_s (both guests booting together)", secondsSince(t0));
    }
}

void VmsGuests::recordIn(const std::string& product, const std::vector<Json>& cameras) {
    std::vector<std::string> ids;
    for (const auto& cam : cameras) {
        auto r = admin->call("vms.camera.add", {{"name", vm(product)}, {"camera_name", cam["name"]},
                                                 {"onvif_id", cam["endpoint_reference"]}, {"stream_uri", guestUri(cam)},
                                                 {"username", "admin"}, {"password", "admin"}}, 180000);
        ASSERT_TRUE(r) << r.error().message;
        ids.push_back((*r)["id"]);
    }
    for (const auto& id : ids) {
        bool recording = waitUntil([&] {
            auto s = admin->call("vms.camera.status", {{"name", vm(product)}, {"id", id}}, 90000);
            return s && s->value("receiving", false) && s->value("recording", false);
        }, std::chrono::minutes(4));
        ASSERT_TRUE(recording) << product << " does not record camera " << id;
    }
}

void VmsGuests::removeFromBoth(const std::set<std::string>& onvifIds) {
    for (const char* product : {"zoneminder", "motion"}) {
        auto r = admin->call("vms.cameras", {{"name", vm(product)}}, 90000);
        EXPECT_TRUE(r) << r.error().message;
        if (!r) continue;
        for (const auto& c : (*r)["cameras"])
            if (onvifIds.count(c.value("onvif_id", ""))) {
                auto gone = admin->call("vms.camera.remove", {{"name", vm(product)}, {"id", c["id"]}}, 180000);
                EXPECT_TRUE(gone) << "could not remove " << c.value("onvif_id", "") << " from " << product << ": " << gone.error().message;
            }
    }
}

void VmsGuests::TearDown() {
    admin.reset();
    sim.reset();
    delete daemon;
}

}  // namespace appliance::test

#ifdef VMS_GUEST_TESTS_WITH_CONSOLE
#include <QGuiApplication>
#endif

int main(int argc, char** argv) {
#ifdef VMS_GUEST_TESTS_WITH_CONSOLE
    // The wizard tests render the console offscreen, in software.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND")) qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
#endif
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new appliance::test::VmsGuests);
    return RUN_ALL_TESTS();
}

// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord when a VMS guest goes away mid-move: one that stops answering (suspended) and
// one that really reboots. The camera pauses with the reason, keeps its assignment, and finishes
// once resumed. Same fixture and guests as migration_guest_test.cpp, whose tests run first (this
// file is linked after it) and leave the cameras these move.
#include "integration/migration_test_fixture.h"

namespace appliance::test {

// A VMS guest that stops answering mid-move (paused here, as a hung guest or a host under load
// looks to the agent server): that camera pauses with the reason and keeps its assignment, the
// plan's next camera goes on, and the paused one, resumed once the guest answers, finishes.
// Two cameras the earlier tests left in motion move back to ZoneMinder, which is the one paused.
TEST_F(MigrationTest, AVmsThatStopsAnsweringPausesItsCameraWithTheReasonAndTheOthersGoOn) {
    std::vector<std::string> cams;
    auto inMotion = camerasIn("motion");
    for (const auto& c : moving->cameras())
        if (inMotion.count(c["endpoint_reference"]) && cams.size() < 2) cams.push_back(c["endpoint_reference"]);
    ASSERT_EQ(cams.size(), 2u) << "the earlier tests left fewer than two cameras in motion";
    auto c = migrator->client();
    auto p = c->call("plan.create", {{"source", target()}, {"target", legacy()}, {"cameras", cams}});
    ASSERT_TRUE(p) << p.error().message;
    const int64_t id = (*p)["id"];
    auto events = migrator->client();
    ASSERT_TRUE(events->call("events.subscribe"));
    ASSERT_TRUE(c->call("plan.start", {{"plan", id}}));
    struct Resume {  // whatever happens, the guest runs again for the tests after this one
        std::string vm;
        ~Resume() { (void)VmsGuests::self->admin->call("vm.resume", {{"name", vm}}, 60000); }
    } resumeAtEnd{legacy()};
    bool suspended = false;
    Json paused;
    const auto deadline = Clock::now() + std::chrono::minutes(10);
    while (Clock::now() < deadline && paused.is_null()) {
        auto e = events->nextEvent(5000);
        if (!e || e->body.value("camera", "") != cams[0]) continue;
        if (!suspended && e->name == "migration.step" && e->body.value("step", "") == "attach" &&
            e->body.value("outcome", "") == "ok") {
            auto s = admin().call("vm.suspend", {{"name", legacy()}}, 60000);
            ASSERT_TRUE(s) << s.error().message;
            suspended = true;
        }
        if (e->name != "migration.camera") continue;
        const std::string state = e->body.value("state", "");
        if (suspended && state == "paused") paused = e->body;
        if (state == "committed" || state == "rolled-back" || state == "failed") {
            ADD_FAILURE() << "the camera ended '" << state << "' instead of pausing: " << e->body.dump();
            break;
        }
    }
    ASSERT_TRUE(suspended) << migrator->log();
    ASSERT_FALSE(paused.is_null()) << "the camera did not pause while its VMS did not answer: " << migrator->log();
    const auto t0 = Clock::now();
    ASSERT_TRUE(admin().call("vm.resume", {{"name", legacy()}}, 60000));
    const std::string reason = paused.value("reason", "");
    EXPECT_NE(reason.find(legacy()), std::string::npos) << "the reason names the VM that did not answer: " << reason;
    EXPECT_NE(reason.find("resume it"), std::string::npos) << "the reason says what to do: " << reason;
    EXPECT_EQ(paused.value("step", ""), "verify") << paused.dump();
    EXPECT_EQ(assignedVm(cams[0]), target()) << "a paused move changes no assignment";

    // The next camera does not wait for the paused one.
    auto settled = [&](const std::string& cam) {
        return [&, cam](const Json& s) {
            const std::string st = itemOf(s, cam).value("state", "");
            return st == "committed" || st == "failed" || st == "rolled-back" || st == "paused";
        };
    };
    Json status = waitPlan(id, settled(cams[1]), std::chrono::minutes(8));
    if (itemOf(status, cams[1]).value("state", "") == "paused" && itemOf(status, cams[1]).value("step", "") == "preflight") {
        // The engine went on at once, and its preflight may still meet the guest waking up (its
        // agent answers the requests queued while it was suspended first): the same pause, resumed.
        std::printf("the second camera's preflight met the guest still waking: %s\n", itemOf(status, cams[1]).dump().c_str());
        EXPECT_NE(itemOf(status, cams[1]).value("reason", "").find(legacy()), std::string::npos) << status.dump(2);
        ASSERT_TRUE(migrator->client()->call("camera.resume", {{"camera", cams[1]}, {"plan", id}}));
        status = waitPlan(id, [&](const Json& s) { return settled(cams[1])(s) && itemOf(s, cams[1]).value("state", "") != "paused"; },
                          std::chrono::minutes(8));
    }
    EXPECT_EQ(itemOf(status, cams[1]).value("state", ""), "committed") << status.dump(2) << migrator->log();
    EXPECT_EQ(itemOf(status, cams[0]).value("state", ""), "paused") << "it waits for the administrator";

    int rc = -1;
    std::string out = migrator->cli("resume --camera " + cams[0] + " --plan " + std::to_string(id), &rc);
    ASSERT_EQ(rc, 0) << out;
    status = waitPlan(id, [](const Json& s) { return s.value("state", "") == "done"; }, std::chrono::minutes(8));
    figure("migration.unanswering_vms_resumed_to_both_cameras_committed_s (the other camera's move included)", secondsSince(t0));
    ASSERT_EQ(status.value("state", ""), "done") << status.dump(2) << migrator->log();
    auto inLegacy = camerasIn("zoneminder");
    inMotion = camerasIn("motion");
    for (const auto& cam : cams) {
        EXPECT_EQ(itemOf(status, cam).value("state", ""), "committed") << status.dump(2);
        EXPECT_EQ(assignedVm(cam), legacy()) << cam;
        EXPECT_FALSE(inMotion.count(cam)) << cam << " is still in motion";
        ASSERT_TRUE(inLegacy.count(cam)) << cam << " is not in ZoneMinder";
        auto st = admin().call("vms.camera.status", {{"name", legacy()}, {"id", inLegacy[cam]["id"]}}, 90000);
        ASSERT_TRUE(st) << st.error().message;
        EXPECT_TRUE(st->value("recording", false) && st->value("receiving", false)) << st->dump();
    }
}

// A VMS guest that really reboots mid-move (ACPI, what `appliancectl vm reboot` does): its agent
// disconnects, the camera pauses at its step with the reason and keeps its assignment, nothing
// is removed from the source; once the guest is back, the resumed camera finishes its move.
TEST_F(MigrationTest, AVmsGuestThatRebootsMidMovePausesItsCameraAndTheMoveFinishesOnceItIsBack) {
    auto inLegacy = camerasIn("zoneminder"), inMotion = camerasIn("motion");
    std::string cam;
    for (const auto& c : moving->cameras())
        if (inLegacy.count(c["endpoint_reference"]) && !inMotion.count(c["endpoint_reference"]) && cam.empty())
            cam = c["endpoint_reference"];
    ASSERT_FALSE(cam.empty()) << "the earlier tests left no camera in ZoneMinder";
    auto info = admin().call("vms.info", {{"name", target()}}, 90000);
    ASSERT_TRUE(info) << info.error().message;
    ASSERT_LT((*info)["cameras"], (*info)["camera_limit"]) << "motion has no room: " << info->dump();
    auto c = migrator->client();
    auto p = plan({cam});
    ASSERT_TRUE(p) << p.error().message;
    const int64_t id = (*p)["id"];
    auto events = migrator->client();
    ASSERT_TRUE(events->call("events.subscribe"));
    auto guestEvents = daemon().client();
    ASSERT_TRUE(guestEvents->call("events.subscribe"));
    ASSERT_TRUE(c->call("plan.start", {{"plan", id}}));

    Json attached = waitCameraEvent(*events, cam, [](const std::string& name, const Json& b) {
        return name == "migration.step" && b.value("step", "") == "attach" && b.value("outcome", "") != "started";
    }, std::chrono::minutes(8));
    ASSERT_FALSE(attached.is_null()) << "no attach within 8 minutes: " << migrator->log();
    ASSERT_EQ(attached.value("outcome", ""), "ok") << attached.dump() << migrator->log();
    const auto t0 = Clock::now();
    auto rebooted = admin().call("vm.reboot", {{"name", target()}}, 60000);
    ASSERT_TRUE(rebooted) << rebooted.error().message;
    Json paused = waitCameraEvent(*events, cam, [](const std::string& name, const Json& b) {
        const std::string st = b.value("state", "");
        return name == "migration.camera" && st != "running" && st != "pending";
    }, std::chrono::minutes(8));
    ASSERT_FALSE(paused.is_null()) << "the camera neither paused nor ended within 8 minutes: " << migrator->log();
    ASSERT_EQ(paused.value("state", ""), "paused") << "the camera did not pause while its target rebooted: " << paused.dump()
                                                   << migrator->log();
    figure("migration.reboot_to_paused_s", secondsSince(t0));
    const std::string reason = paused.value("reason", "");
    EXPECT_NE(reason.find(target()), std::string::npos) << "the reason names the VM: " << reason;
    EXPECT_NE(reason.find("resume it"), std::string::npos) << "the reason says what to do: " << reason;
    const std::string step = paused.value("step", "");
    EXPECT_TRUE(step == "verify" || step == "detach") << "paused before the source lets go: " << paused.dump();
    EXPECT_EQ(assignedVm(cam), legacy()) << "a paused move changes no assignment";
    ASSERT_TRUE(camerasIn("zoneminder").count(cam)) << "the source keeps the camera while the target is away";

    // The guest really restarts (the pause may have come while it was still shutting down), then
    // comes back with the camera it was given (motion's configuration is on its disk).
    ASSERT_TRUE(waitForEvent(*guestEvents, [&](const auto& m) { return m.name == "vm.rebooted" && m.body["name"] == target(); },
                             std::chrono::minutes(5)))
        << "the guest did not restart";
    ASSERT_TRUE(waitUntil([&] {
        auto i = admin().call("vms.info", {{"name", target()}}, 90000);
        return i && i->value("ready", false);
    }, std::chrono::minutes(10))) << "motion did not come back after its guest rebooted";
    figure("migration.reboot_to_vms_ready_again_s", secondsSince(t0));
    const auto t1 = Clock::now();
    int rc = -1;
    std::string out = migrator->cli("resume --camera " + cam + " --plan " + std::to_string(id), &rc);
    ASSERT_EQ(rc, 0) << out;
    Json status = waitPlan(id, [](const Json& s) { return s.value("state", "") == "done"; }, std::chrono::minutes(10));
    figure("migration.resumed_after_reboot_to_committed_s", secondsSince(t1));
    ASSERT_EQ(itemOf(status, cam).value("state", ""), "committed") << status.dump(2) << migrator->log();
    EXPECT_EQ(assignedVm(cam), target());
    EXPECT_FALSE(camerasIn("zoneminder").count(cam)) << "ZoneMinder still has it";
    inMotion = camerasIn("motion");
    ASSERT_TRUE(inMotion.count(cam)) << "motion does not have it";
    auto st = admin().call("vms.camera.status", {{"name", target()}, {"id", inMotion[cam]["id"]}}, 90000);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_TRUE(st->value("recording", false) && st->value("receiving", false)) << st->dump();
}

}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord moving real cameras (the simulator) from the real ZoneMinder guest to the real
// motion guest through applianced and the guests' agents: a camera whose stream dies right after
// attach rolls back by itself; four cameras move make-before-break while the daemon is killed
// with SIGKILL three times on the way; bad requests change nothing; a full target is refused
// with the room it has. The guests are shared with the VMS tests (vms_guests_env.h).
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <pwd.h>
#include <set>
#include <thread>

#include "integration/migratord_process.h"
#include "integration/peer_sockets.h"
#include "integration/vms_guests_env.h"
#include "migration/migration_store.h"
#include "integration/migration_test_fixture.h"

namespace appliance::test {

// A camera of its own simulator, limited to `maxSessions` RTSP clients, recorded by the legacy VMS,
// moved to the new one with the CLI; then, `thenBack`, the administrator moves it back with the CLI
// (`rollback`). Either way it leaves both VMSs, so the new VMS's four slots stay free for the tests
// after it. Returns the committed move's item and its plan's journal.
MigrationTest::SessionLimitedMove MigrationTest::moveASessionLimitedCamera(int maxSessions, const std::string& expectedMode,
                                                                          bool thenBack) {
    SessionLimitedMove done;
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--sub", "320x180@5", "--max-sessions",
                          std::to_string(maxSessions), "--name-prefix",
                          // its own identity: camera-migratord keeps a camera's stream from one test to the next
                          maxSessions == 1 ? "One-session cam" : "Two-session cam"});
    if (!sim.start()) {
        ADD_FAILURE() << sim.errors();
        return done;
    }
    const std::string cam = sim.cameras().at(0)["endpoint_reference"];
    struct Cleanup {
        std::string cam;
        ~Cleanup() { VmsGuests::self->removeFromBoth({cam}); }
    } cleanup{cam};
    VmsGuests::self->recordIn("zoneminder", sim.cameras());
    if (HasFatalFailure()) return done;
    auto c = migrator->client();
    if (!c) {
        ADD_FAILURE() << "camera-migratord does not answer: " << migrator->log();
        return done;
    }
    auto inv = c->call("inventory.refresh", Json::object(), 600000);
    EXPECT_TRUE(inv) << inv.error().message;
    EXPECT_TRUE(c->call("camera.credentials", {{"camera", cam}, {"username", "admin"}, {"password", "admin"}}));
    int rc = -1;
    std::string out = migrator->cli("--json plan --from " + legacy() + " --to " + target() + " " + cam, &rc);
    EXPECT_EQ(rc, 0) << out;
    const int64_t id = Json::parse(out, nullptr, false).value("id", 0);
    if (id <= 0) {
        ADD_FAILURE() << out;
        return done;
    }
    out = migrator->cli("run " + std::to_string(id), &rc);
    EXPECT_EQ(rc, 0) << out;
    auto itemOf = [&](const Json& status) {
        for (const auto& i : status["items"])
            if (i["camera"] == cam) return i;
        return Json::object();
    };
    auto settled = [&](const Json& s, std::initializer_list<const char*> states) {
        const std::string state = itemOf(s).value("state", "");
        return std::any_of(states.begin(), states.end(), [&](const char* x) { return state == x; });
    };
    Json status = waitPlan(id, [&](const Json& s) { return settled(s, {"committed", "failed", "rolled-back", "paused"}); },
                           std::chrono::minutes(12));
    done.item = itemOf(status);
    if (done.item.value("state", "") != "committed") {
        ADD_FAILURE() << status.dump(2) << migrator->log() << "\nthe camera's sessions:\n" << sim.errors();
        return done;
    }
    EXPECT_EQ(done.item.value("mode", ""), expectedMode) << done.item.dump();
    if (done.item["started"].is_number() && done.item["finished"].is_number())
        done.cutoverS = done.item["finished"].get<double>() - done.item["started"].get<double>();
    auto journal = c->call("journal", {{"plan", id}});
    if (journal) done.journal = *journal;
    EXPECT_FALSE(camerasIn("zoneminder").count(cam)) << "still in the legacy VMS";
    auto inTarget = camerasIn("motion");
    EXPECT_TRUE(inTarget.count(cam)) << "not in the new VMS";
    if (inTarget.count(cam)) {
        auto st = admin().call("vms.camera.status", {{"name", target()}, {"id", inTarget[cam]["id"]}}, 90000);
        EXPECT_TRUE(st && st->value("recording", false) && st->value("receiving", false)) << (st ? st->dump() : st.error().message);
    }
    if (!thenBack) return done;

    out = migrator->cli("rollback " + cam + " --plan " + std::to_string(id), &rc);
    EXPECT_EQ(rc, 0) << out;
    status = waitPlan(id, [&](const Json& s) { return settled(s, {"rolled-back", "failed", "paused"}); },
                      std::chrono::minutes(12));
    EXPECT_EQ(itemOf(status).value("state", ""), "rolled-back") << status.dump(2) << migrator->log();
    EXPECT_TRUE(camerasIn("zoneminder").count(cam)) << "not back in the legacy VMS";
    EXPECT_FALSE(camerasIn("motion").count(cam)) << "still in the new VMS";
    return done;
}

// A camera that serves one RTSP session (ZoneMinder holds it) cannot be recorded twice: the move is
// break-before-make, and the gap it costs is read from the camera's clock in both recordings
// (positive: the time no VMS recorded it). Moved back by the administrator (break-before-make
// again).
TEST_F(MigrationTest, ACameraThatServesOneSessionMovesBreakBeforeMakeWithItsGapMeasured) {
    auto move = moveASessionLimitedCamera(1, "break-before-make", true);
    const Json& item = move.item;
    ASSERT_EQ(item.value("state", ""), "committed");
    EXPECT_EQ(item["gap_from"], "recordings") << item.dump();
    ASSERT_TRUE(item["gap_s"].is_number()) << item.dump();
    figure("migration.gap_s (break-before-make, camera clock in both recordings)", item["gap_s"].get<double>());
    EXPECT_GT(item["gap_s"].get<double>(), 0.0) << "one session at a time cannot overlap: " << item.dump();
    figure("migration.cutover_s (break-before-make, start to commit)", move.cutoverS);
    // The camera was dark at most from the move's start to its commit: a longer gap is a misread
    // clock (a wrong frame, a file from before the move), not a measurement.
    EXPECT_LT(item["gap_s"].get<double>(), move.cutoverS) << "the gap cannot be longer than the move: " << item.dump();
}

// A camera that serves exactly two sessions: both VMSs record it during the move
// (make-before-break, no gap), and our own probe, refused as a third session then (RTSP 453),
// decodes the stream once the source has let go, before the commit.
// (It failed twice when run after the one-session test: both simulators gave their camera the
// same identity on another port, and the inventory kept the first one's stream, so our probe and
// motion both went to a closed port. The simulator's session log showed ZoneMinder holding one
// session, our probe none. Each camera now has its own identity, and the inventory reports a
// VMS that records a known camera from another stream.)
TEST_F(MigrationTest, ACameraThatServesTwoSessionsMovesMakeBeforeBreakAndIsProbedOnceTheSourceLetsGo) {
    auto move = moveASessionLimitedCamera(2, "make-before-break", false);
    const Json& item = move.item;
    ASSERT_EQ(item.value("state", ""), "committed");
    EXPECT_EQ(item["gap_from"], "recordings") << item.dump();
    ASSERT_TRUE(item["gap_s"].is_number()) << item.dump();
    EXPECT_LE(item["gap_s"].get<double>(), 0.0) << "both VMSs recorded during the move: " << item.dump();
    figure("migration.gap_s (make-before-break, a camera that serves two sessions)", item["gap_s"].get<double>());
    figure("migration.cutover_s (make-before-break, a camera that serves two sessions)", move.cutoverS);
    std::string verify, verifyDetached;
    for (const auto& j : move.journal) {
        if (j["step"] == "verify" && j["outcome"] == "ok") verify = j.value("detail", "");
        if (j["step"] == "verify-detached" && j["outcome"] == "ok") verifyDetached = j.value("detail", "");
    }
    EXPECT_NE(verify.find("third session"), std::string::npos) << move.journal.dump(2);
    EXPECT_NE(verifyDetached.find("our probe decodes"), std::string::npos) << move.journal.dump(2);
}

TEST_F(MigrationTest, ACameraWhoseStreamDiesRightAfterAttachRollsBackAndRecordsInTheSourceAgain) {
    const std::string cam = dying->cameras().at(0)["endpoint_reference"];
    auto p = plan({cam});
    ASSERT_TRUE(p) << p.error().message;
    const int64_t id = (*p)["id"];
    auto events = migrator->client();
    ASSERT_TRUE(events->call("events.subscribe"));
    ASSERT_TRUE(migrator->client()->call("plan.start", {{"plan", id}}));
    // Freeze the camera the moment the target has it: verification must fail and roll back.
    bool frozen = false, resumed = false;
    std::string rollbackReason;
    const auto deadline = Clock::now() + std::chrono::minutes(12);
    while (Clock::now() < deadline) {
        auto e = events->nextEvent(5000);
        if (!e) continue;
        if (!frozen && e->name == "migration.step" && e->body.value("step", "") == "attach" && e->body.value("outcome", "") == "ok") {
            ::kill(dying->pid(), SIGSTOP);
            frozen = true;
        }
        if (e->name == "migration.camera" && e->body.value("state", "") == "rolling-back" && !resumed) {
            rollbackReason = e->body.value("reason", "");
            ::kill(dying->pid(), SIGCONT);  // the camera comes back: the source must record it again
            resumed = true;
        }
        if (e->name == "migration.camera" && e->body.value("state", "") != "rolling-back" &&
            e->body.value("state", "") != "running" && resumed)
            break;
    }
    ::kill(dying->pid(), SIGCONT);
    ASSERT_TRUE(frozen) << migrator->log();
    Json status = waitPlan(id, [](const Json& s) { return s.value("state", "") == "done"; }, std::chrono::minutes(2));
    ASSERT_EQ(status["items"].size(), 1u);
    const Json& item = status["items"][0];
    EXPECT_EQ(item.value("state", ""), "rolled-back") << status.dump(2);
    EXPECT_NE(rollbackReason.find("verify failed"), std::string::npos) << rollbackReason;
    EXPECT_NE(item.value("reason", "").find("did not record new frames"), std::string::npos) << item.dump();
    auto inLegacy = camerasIn("zoneminder");
    auto inTarget = camerasIn("motion");
    EXPECT_TRUE(inLegacy.count(cam)) << "the source lost the camera";
    EXPECT_FALSE(inTarget.count(cam)) << "the target kept a camera that was rolled back";
    if (inLegacy.count(cam)) {
        auto s = admin().call("vms.camera.status", {{"name", legacy()}, {"id", inLegacy[cam]["id"]}}, 90000);
        ASSERT_TRUE(s);
        EXPECT_TRUE(s->value("recording", false) && s->value("receiving", false)) << "not recording in the source again: " << s->dump();
    }
    auto a = migrator->client()->call("assignments");
    ASSERT_TRUE(a);
    for (const auto& as : *a) {
        if (as["camera"] == cam) { EXPECT_EQ(as["vm"], legacy()); }
    }
}

TEST_F(MigrationTest, FourCamerasMoveMakeBeforeBreakAcrossThreeKillsOfTheDaemon) {
    std::string ids;
    for (const auto& c : moving->cameras()) ids += " " + c["endpoint_reference"].get<std::string>();
    int rc = -1;
    // The earlier tests removed their cameras from the VMSs by hand, behind camera-migratord's
    // back: as an administrator would then, take the inventory before planning.
    std::string out = migrator->cli("inventory", &rc);
    ASSERT_EQ(rc, 0) << out;
    out = migrator->cli("--json plan --from " + legacy() + " --to " + target() + ids, &rc);
    ASSERT_EQ(rc, 0) << out;
    const int64_t id = Json::parse(out, nullptr, false).value("id", 0);
    ASSERT_GT(id, 0) << out;
    out = migrator->cli("run " + std::to_string(id), &rc);
    ASSERT_EQ(rc, 0) << out;
    migrator->kill9();
    const auto t0 = Clock::now();
    // Killed right after its 5th, 9th and 14th journal write of each run (mid-verify, between
    // steps, after an outcome): each restart finds a step in doubt, asks both VMSs and goes on.
    int kills = 0;
    for (const char* after : {"5", "9", "14"}) {
        ASSERT_TRUE(migrator->start({{"CAMERA_MIGRATORD_CRASH_AFTER_WRITES", after}})) << migrator->log();
        if (migrator->waitKilled(std::chrono::minutes(6))) ++kills;
        else migrator->kill9();
    }
    EXPECT_EQ(kills, 3) << migrator->log();
    ASSERT_TRUE(migrator->start()) << migrator->log();
    Json status = waitPlan(id, [](const Json& s) { return s.value("state", "") == "done"; }, std::chrono::minutes(20));
    figure("migration.four_cameras_with_three_kills_s", secondsSince(t0));
    ASSERT_EQ(status.value("state", ""), "done") << status.dump(2);
    EXPECT_TRUE(allItems(status, "committed")) << status.dump(2);
    std::vector<double> cutovers;
    for (const auto& i : status["items"]) {
        EXPECT_EQ(i.value("mode", ""), "make-before-break") << i.dump();
        if (i["gap_s"].is_number()) {
            // Read from the camera's own clock, drawn into its frames, in both VMSs' recordings:
            // the first frame motion recorded against the last ZoneMinder recorded.
            EXPECT_EQ(i["gap_from"], "recordings") << i.dump();
            figure("migration.gap_s (make-before-break, camera clock in both recordings)", i["gap_s"].get<double>());
            EXPECT_LE(i["gap_s"].get<double>(), 0.0) << "recording stopped during the move: " << i.dump();
        } else {  // NOLINT(readability-misleading-indentation)
            ADD_FAILURE() << "no gap measured: " << i.dump();
        }
        if (i["started"].is_number() && i["finished"].is_number())
            figure("migration.cutover_s (start to commit, including restarts)", i["finished"].get<double>() - i["started"].get<double>());
    }
    auto inLegacy = camerasIn("zoneminder");
    auto inTarget = camerasIn("motion");
    for (const auto& c : moving->cameras()) {
        const std::string cam = c["endpoint_reference"];
        EXPECT_FALSE(inLegacy.count(cam)) << cam << " is still in the legacy VMS";
        ASSERT_TRUE(inTarget.count(cam)) << cam << " is not in the new VMS";
        auto s = admin().call("vms.camera.status", {{"name", target()}, {"id", inTarget[cam]["id"]}}, 90000);
        ASSERT_TRUE(s);
        EXPECT_TRUE(s->value("recording", false) && s->value("receiving", false)) << s->dump();
    }
    out = migrator->cli("--json assignments", &rc);
    ASSERT_EQ(rc, 0);
    std::set<std::string> four;
    for (const auto& c : moving->cameras()) four.insert(c["endpoint_reference"].get<std::string>());
    int inNew = 0;  // of these four (the session-limited cameras' tests keep their own assignments)
    for (const auto& as : Json::parse(out)) inNew += four.count(as["camera"].get<std::string>()) && as["vm"] == target();
    EXPECT_EQ(inNew, 4) << out;

    // The journal as the file has it: nothing left without an outcome, the kills' steps marked in doubt.
    migrator->stop();
    auto store = migration::MigrationStore::open(migrator->stateDb());
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(*(*store)->integrityCheck(), "ok");
    auto open = (*store)->inDoubt();
    ASSERT_TRUE(open);
    EXPECT_TRUE(open->empty());
    auto journal = (*store)->journal(id);
    ASSERT_TRUE(journal);
    int inDoubt = 0, commits = 0;
    for (const auto& j : *journal) {
        inDoubt += j.outcome == "in-doubt";
        commits += j.step == migration::Step::Commit && j.outcome == "ok";
    }
    EXPECT_GE(inDoubt, 2) << "the kills left steps in doubt that the restarts settled";
    EXPECT_EQ(commits, 4);
    store->reset();
    ASSERT_TRUE(migrator->start()) << migrator->log();
}

TEST_F(MigrationTest, ACameraSeenAtANewAddressIsStillTheSameCamera) {
    // DHCP gave the camera another address: registered again with the same ONVIF identity, it
    // stays one camera with its assignment, and says where it was (shown, never merged silently).
    const Json& sim = moving->cameras().at(0);
    const std::string cam = sim["endpoint_reference"], uri = sim["sub_uri"];
    auto c = migrator->client();
    auto before = c->call("cameras");
    auto assigned = c->call("assignments");
    ASSERT_TRUE(before && assigned);
    // Another address and RTSP port (to a guest, every host loopback address is the same host).
    const std::string portAndPath = uri.substr(uri.find(':', 7) + 1);
    const std::string moved = "rtsp://127.0.0.2:" + std::to_string(std::stoi(portAndPath) + 1) +
                              portAndPath.substr(portAndPath.find('/'));
    auto r = c->call("camera.add", {{"camera", cam}, {"stream_uri", moved}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->value("id", ""), cam);
    EXPECT_EQ(r->value("address", ""), "127.0.0.2");
    EXPECT_EQ(r->value("previous_address", ""), "127.0.0.1");
    EXPECT_EQ(r->value("state", ""), "changed-address") << r->dump();
    auto after = c->call("cameras");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->size(), before->size()) << "a new address made a second camera";
    EXPECT_EQ(c->call("assignments")->dump(), assigned->dump());
    // The VMS still records it from the old address: the inventory says so, and changes nothing.
    auto inv = c->call("inventory.refresh", Json::object(), 600000);
    ASSERT_TRUE(inv) << inv.error().message;
    bool said = false;
    for (const auto& f : (*inv)["findings"]) {
        const std::string text = f.get<std::string>();
        said = said || (text.find(cam) != std::string::npos && text.find("the inventory has " + moved) != std::string::npos);
    }
    EXPECT_TRUE(said) << inv->dump(2);
    auto kept = c->call("cameras");
    ASSERT_TRUE(kept);
    for (const auto& k : *kept) {
        if (k.value("id", "") == cam) { EXPECT_EQ(k.value("stream_uri", ""), moved) << "a guest's answer changed the stream"; }
    }
    ASSERT_TRUE(c->call("camera.add", {{"camera", cam}, {"stream_uri", uri}}));  // back where the simulator serves it
}

TEST_F(MigrationTest, BadRequestsGetAClearErrorAndChangeNothing) {
    auto c = migrator->client();
    auto before = c->call("plans");
    ASSERT_TRUE(before);
    // plan.preview (the wizard's summary) validates exactly as plan.create does.
    auto expect = [&](const Json& args, ErrorClass cls, const std::string& words) {
        for (const char* verb : {"plan.create", "plan.preview"}) {
            auto r = c->call(verb, args);
            ASSERT_FALSE(r) << verb << " " << args.dump();
            EXPECT_EQ(r.error().cls, cls) << verb << ": " << r.error().message;
            EXPECT_NE(r.error().message.find(words), std::string::npos) << verb << ": " << r.error().message;
        }
    };
    const std::string cam = moving->cameras().at(0)["endpoint_reference"];
    expect({{"source", legacy()}, {"target", legacy()}, {"cameras", {cam}}}, ErrorClass::InvalidArgument, "both");
    expect({{"source", legacy()}, {"target", "no-such-vm"}, {"cameras", {cam}}}, ErrorClass::NotFound, "not a known VMS");
    expect({{"source", legacy()}, {"target", target()}, {"cameras", {"urn:uuid:00000000-dead-beef-0000-000000000000"}}},
           ErrorClass::NotFound, "unknown camera");
    expect({{"source", legacy()}, {"target", target()}, {"cameras", "all of them"}}, ErrorClass::InvalidArgument, "list");
    expect({{"source", legacy()}, {"target", target()}, {"cameras", {"<script>"}}}, ErrorClass::InvalidArgument, "camera id");
    expect({{"source", legacy()}, {"target", target()}, {"cameras", {cam}}, {"extra", 1}}, ErrorClass::InvalidArgument, "extra");
    auto r = c->call("camera.rollback", {{"camera", "urn:uuid:00000000-dead-beef-0000-000000000000"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::NotFound);
    // Snapshots: an unknown or malformed camera is refused; a camera the VMS knows only by its
    // stream (no ONVIF address) gets no picture and the answer says how to give it one.
    r = c->call("camera.snapshot", {{"camera", "urn:uuid:00000000-dead-beef-0000-000000000000"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::NotFound);
    r = c->call("camera.snapshot", {{"camera", "<img src=x>"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::InvalidArgument);
    r = c->call("camera.snapshot", {{"camera", cam}});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE((*r)["jpeg"].is_null()) << r->dump().substr(0, 200);
    EXPECT_NE(r->value("error", "").find("--device-url"), std::string::npos) << r->dump();
    // A VMS's own picture: only of a VM that records the camera (nothing is asked of a guest).
    r = c->call("camera.snapshot", {{"camera", cam}, {"vm", "no-such-vm"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::NotFound);
    EXPECT_NE(r.error().message.find("does not record camera"), std::string::npos) << r.error().message;
    r = c->call("camera.snapshot", {{"camera", cam}, {"vm", std::string(100, 'v')}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::InvalidArgument);
    ASSERT_TRUE(c->sendRaw("{\"execute\": \"plans\", \"id\": 1, \n"));
    auto m = c->readMessage(5000);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, protocol::Kind::Error);

    // A local user who is neither administrator nor viewer is refused before anything is read.
    passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    const std::string sock = migrator->socket();
    std::string said = runAs(nobody->pw_uid, nobody->pw_gid, {}, [&](int out) {
        int fd = connectUnix(sock);
        writeAll(fd, "{\"execute\": \"plan.start\", \"arguments\": {\"plan\": 1}, \"id\": 1}\n");
        writeAll(out, readUntilClosed(fd, 5000));
    });
    EXPECT_NE(said.find("PermissionDenied"), std::string::npos) << said;

    auto after = migrator->client()->call("plans");
    ASSERT_TRUE(after);
    EXPECT_EQ(before->dump(), after->dump()) << "a refused request changed the plans";
}

TEST_F(MigrationTest, AFullTargetProposesANewInstanceAndTheCameraLandsThereOnceConfirmed) {
    auto info = admin().call("vms.info", {{"name", target()}}, 90000);
    ASSERT_TRUE(info);
    ASSERT_GE((*info)["cameras"], (*info)["camera_limit"]) << "the previous test filled the target: " << info->dump();
    auto c = migrator->client();
    ASSERT_TRUE(c->call("inventory.refresh", Json::object(), 600000));
    const std::string cam = dying->cameras().at(0)["endpoint_reference"];
    auto plans = c->call("plans");
    ASSERT_TRUE(plans);
    auto refused = plan({cam});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().cls, ErrorClass::Conflict);
    EXPECT_NE(refused.error().message.find("has room for 0 more cameras"), std::string::npos) << refused.error().message;
    const std::string extra = daemon().vmName("motion-2");  // the fixture deletes it at the end
    EXPECT_NE(refused.error().message.find("VM '" + extra + "'"), std::string::npos) << refused.error().message;
    EXPECT_EQ(plans->size(), c->call("plans")->size()) << "a refused plan must not be stored";

    int rc = -1;
    std::string out = migrator->cli("--json plan --from " + legacy() + " --to " + target() + " --new-instance " + cam, &rc);
    ASSERT_EQ(rc, 0) << out;
    Json p = Json::parse(out, nullptr, false);
    EXPECT_EQ(p["new_instance"].value("vm", ""), extra) << out;
    EXPECT_EQ(p["items"][0].value("target", ""), extra) << out;
    const int64_t id = p.value("id", 0);
    const auto t0 = Clock::now();
    ASSERT_TRUE(c->call("plan.start", {{"plan", id}}));

    // The engine does not sit in the boot: the camera waits with a reason that says for what, and
    // a pause asked meanwhile takes effect before the new instance is ready.
    auto item = [](const Json& s) { return s["items"].empty() ? Json::object() : s["items"][0]; };
    Json waiting = waitPlan(id, [&](const Json& s) {
        return item(s).value("reason", "").find("waiting for the new VMS instance") != std::string::npos ||
               item(s).value("state", "") != "pending";
    }, std::chrono::minutes(5));
    ASSERT_EQ(item(waiting).value("state", ""), "pending") << waiting.dump(2);
    EXPECT_NE(item(waiting).value("reason", "").find(extra), std::string::npos) << waiting.dump(2);
    ASSERT_TRUE(c->call("camera.pause", {{"camera", cam}, {"plan", id}}));
    Json paused = waitPlan(id, [&](const Json& s) { return item(s).value("state", "") != "pending"; }, std::chrono::minutes(2));
    EXPECT_EQ(item(paused).value("state", ""), "paused") << paused.dump(2);
    EXPECT_EQ(item(paused).value("step", ""), "preflight") << paused.dump(2);
    auto journal = c->call("journal", {{"plan", id}});
    ASSERT_TRUE(journal) << journal.error().message;
    int provisioning = 0;
    for (const auto& j : *journal)
        if (j.value("step", "") == "provision-instance") {
            ++provisioning;
            EXPECT_TRUE(j["outcome"].is_null()) << "the pause waited for the boot: " << journal->dump(2);
        }
    EXPECT_EQ(provisioning, 1) << journal->dump(2);
    ASSERT_TRUE(c->call("camera.resume", {{"camera", cam}, {"plan", id}}));

    Json status = waitPlan(id, [](const Json& s) { return s.value("state", "") == "done"; }, std::chrono::minutes(20));
    figure("migration.new_instance_created_and_first_camera_committed_s (a pause while it booted included)", secondsSince(t0));
    ASSERT_TRUE(allItems(status, "committed")) << status.dump(2) << migrator->log();
    auto listed = admin().call("vms.cameras", {{"name", extra}}, 90000);
    ASSERT_TRUE(listed) << listed.error().message;
    bool there = false;
    for (const auto& x : (*listed)["cameras"]) there = there || x.value("onvif_id", "") == cam;
    EXPECT_TRUE(there) << listed->dump();
    EXPECT_FALSE(camerasIn("zoneminder").count(cam));
    auto a = c->call("assignments");
    ASSERT_TRUE(a);
    for (const auto& as : *a) {
        if (as["camera"] == cam) { EXPECT_EQ(as["vm"], extra); }
    }
}

TEST_F(MigrationTest, ACommittedCameraRolledBackByTheAdministratorRecordsInTheSourceAgain) {
    const Json& sim = moving->cameras().at(1);
    const std::string cam = sim["endpoint_reference"];
    auto plans = migrator->client()->call("plans");
    ASSERT_TRUE(plans);
    int64_t planId = 0;
    for (const auto& p : *plans)
        for (const auto& i : p["items"])
            if (i["camera"] == cam && i["state"] == "committed") planId = p["id"];
    ASSERT_GT(planId, 0) << "the four-camera test did not commit this camera";
    int rc = -1;
    std::string out = migrator->cli("rollback " + cam + " --plan " + std::to_string(planId), &rc);
    ASSERT_EQ(rc, 0) << out;
    out = migrator->cli("skip urn:uuid:00000000-0000-0000-0000-000000000000", &rc);
    EXPECT_EQ(rc, 66) << "an unknown camera is EX_NOINPUT: " << out;  // sysexits for NotFound
    Json status = waitPlan(planId, [&](const Json& s) {
        for (const auto& i : s["items"])
            if (i["camera"] == cam) return i["state"] == "rolled-back" || i["state"] == "failed";
        return false;
    }, std::chrono::minutes(10));
    Json item;
    for (const auto& i : status["items"])
        if (i["camera"] == cam) item = i;
    ASSERT_EQ(item.value("state", ""), "rolled-back") << status.dump(2) << migrator->log();
    EXPECT_TRUE(item.value("reverse", false)) << item.dump();
    EXPECT_TRUE(camerasIn("zoneminder").count(cam)) << "not back in the legacy VMS";
    EXPECT_FALSE(camerasIn("motion").count(cam)) << "still in the new VMS";
    auto a = migrator->client()->call("assignments");
    ASSERT_TRUE(a);
    for (const auto& as : *a) {
        if (as["camera"] == cam) { EXPECT_EQ(as["vm"], legacy()); }
    }
}

}  // namespace appliance::test

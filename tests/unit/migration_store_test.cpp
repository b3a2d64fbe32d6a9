// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord's store on a real SQLite file, and the pure parts of the engine (step order,
// URI views, camera ids). The engine against real VMSs is in integration/migration_guest_test.cpp.
#include <atomic>
#include <filesystem>
#include <thread>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "daemon/migratord_commands.h"
#include "migration/migration_engine.h"
#include "migration/migration_store.h"
#include "migration/snapshot_cache.h"
#include "migration/uri_views.h"

namespace appliance::migration {
namespace {

class MigrationStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/migration-store-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir + "/migrator.db";
        auto s = MigrationStore::open(path);
        ASSERT_TRUE(s) << s.error().message;
        store = std::move(*s);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    void addCamera(const std::string& id, const std::string& vm) {
        CameraRecord c;
        c.id = id, c.name = "cam " + id, c.streamUri = "rtsp://127.0.0.1:8554/" + id;
        ASSERT_TRUE(store->putCamera(c));
        ASSERT_TRUE(store->assignIfUnassigned(id, vm));
    }
    std::string dir, path;
    std::unique_ptr<MigrationStore> store;
};

TEST_F(MigrationStoreTest, TheFileAndItsCredentialsAreReadableOnlyByTheDaemon) {
    addCamera("urn:uuid:a", "legacy");
    ASSERT_TRUE(store->setCredentials("urn:uuid:a", {"admin", "secret"}));
    struct stat st{};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto k = store->credentials("urn:uuid:a");
    ASSERT_TRUE(k && *k);
    EXPECT_EQ((*k)->password, "secret");
    auto cam = store->camera("urn:uuid:a");
    ASSERT_TRUE(cam && *cam);
    EXPECT_TRUE((*cam)->hasCredentials);
    EXPECT_EQ(toJson(**cam).dump().find("secret"), std::string::npos) << "a camera's JSON must not carry its password";
}

TEST_F(MigrationStoreTest, AnAssignmentChangesOnlyByACommittedMove) {
    addCamera("urn:uuid:a", "legacy");
    ASSERT_TRUE(store->assignIfUnassigned("urn:uuid:a", "new"));  // found elsewhere later: not moved by that
    auto a = store->assignment("urn:uuid:a");
    ASSERT_TRUE(a && *a);
    EXPECT_EQ((*a)->vm, "legacy");

    auto plan = store->createPlan("legacy", "new", {{"urn:uuid:a", ""}}, "root");
    ASSERT_TRUE(plan) << plan.error().message;
    auto p = store->plan(*plan);
    ASSERT_TRUE(p && *p);
    PlanItem item = (*p)->items.at(0);
    auto j = store->journalIntent(*plan, item.cameraId, Step::Commit, "{}");
    ASSERT_TRUE(j);
    item.state = ItemState::Committed;
    ASSERT_TRUE(store->commitMove(*j, item, "new"));
    a = store->assignment("urn:uuid:a");
    EXPECT_EQ((*a)->vm, "new");
    EXPECT_EQ((*a)->planId, *plan);
    auto open = store->inDoubt();
    ASSERT_TRUE(open);
    EXPECT_TRUE(open->empty()) << "the commit writes its journal outcome in the same transaction";
}

TEST_F(MigrationStoreTest, AnIntentWithoutOutcomeIsInDoubtAfterReopening) {
    addCamera("urn:uuid:a", "legacy");
    auto plan = store->createPlan("legacy", "new", {{"urn:uuid:a", ""}}, "root");
    ASSERT_TRUE(plan);
    auto done = store->journalIntent(*plan, "urn:uuid:a", Step::Preflight, "{}");
    ASSERT_TRUE(done && store->journalOutcome(*done, "ok", "fine"));
    ASSERT_TRUE(store->journalIntent(*plan, "urn:uuid:a", Step::Attach, R"({"to":"new"})"));
    store.reset();  // as if the daemon died here
    auto reopened = MigrationStore::open(path);
    ASSERT_TRUE(reopened);
    auto open = (*reopened)->inDoubt();
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->at(0).step, Step::Attach);
    EXPECT_FALSE(open->at(0).outcome.has_value());
    auto all = (*reopened)->journal(*plan);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);
    EXPECT_EQ(*(*reopened)->integrityCheck(), "ok");
}

TEST_F(MigrationStoreTest, AnAuditEntryCutOffByACrashIsMarkedInterruptedAtTheNextStart) {
    AuditRecord finished{0, nowMs(), 0, "root", "plan.run", "1", "{}", "in-progress", ""};
    auto a = store->audit(finished);
    ASSERT_TRUE(a && store->auditOutcome(*a, "ok", ""));
    AuditRecord cut{0, nowMs(), 0, "root", "camera.rollback", "urn:uuid:a", "{}", "in-progress", ""};
    ASSERT_TRUE(store->audit(cut));
    store.reset();  // as if the daemon died here
    auto reopened = MigrationStore::open(path);
    ASSERT_TRUE(reopened);
    auto marked = (*reopened)->markUnfinishedAudit("interrupted", "stopped");
    ASSERT_TRUE(marked);
    EXPECT_EQ(*marked, 1);
    auto log = (*reopened)->auditLog(10);
    ASSERT_TRUE(log);
    ASSERT_EQ(log->size(), 2u);
    EXPECT_EQ(log->at(0).action, "camera.rollback");
    EXPECT_EQ(log->at(0).result, "interrupted");
    EXPECT_EQ(log->at(1).result, "ok") << "a finished entry keeps its outcome";
}

TEST_F(MigrationStoreTest, TheEngineNeverOverwritesAControlAskedMeanwhile) {
    addCamera("urn:uuid:a", "legacy");
    auto plan = store->createPlan("legacy", "new", {{"urn:uuid:a", ""}}, "root");
    ASSERT_TRUE(plan);
    PlanItem engineCopy = (*store->plan(*plan))->items.at(0);
    ASSERT_TRUE(store->setControl(*plan, "urn:uuid:a", Control::Pause));  // the administrator
    engineCopy.step = Step::Attach;
    ASSERT_TRUE(store->putItem(engineCopy));  // the engine saves its (older) copy
    EXPECT_EQ((*store->plan(*plan))->items.at(0).control, Control::Pause);
    ASSERT_TRUE(store->setControl(*plan, "urn:uuid:a", Control::Skip));
    auto cleared = store->clearControl(*plan, "urn:uuid:a", Control::Pause);  // the pause it saw is gone
    ASSERT_TRUE(cleared);
    EXPECT_FALSE(*cleared);
    EXPECT_EQ((*store->plan(*plan))->items.at(0).control, Control::Skip);
    auto asked = store->requests(*plan, "urn:uuid:a");  // what the engine reads between steps
    ASSERT_TRUE(asked);
    EXPECT_EQ(asked->first, PlanState::Draft);
    EXPECT_EQ(asked->second, Control::Skip);
}

// What a step measured before it acted (the source's last frame before its removal; the probe put
// off until the source has removed the camera) is saved with the item and read back after a crash.
TEST_F(MigrationStoreTest, WhatAStepMeasuredBeforeItActedIsThereAfterReopening) {
    addCamera("urn:uuid:a", "legacy");
    auto plan = store->createPlan("legacy", "new", {{"urn:uuid:a", ""}}, "root");
    ASSERT_TRUE(plan);
    PlanItem item = (*store->plan(*plan))->items.at(0);
    EXPECT_FALSE(item.probeAfterDetach);
    item.state = ItemState::Running, item.step = Step::Detach, item.mode = kMakeBeforeBreak;
    item.sourceLastMs = 1795720201080, item.targetFirstMs = 1795720170879, item.probeAfterDetach = true;
    ASSERT_TRUE(store->putItem(item));
    store.reset();  // as if the daemon died during the removal
    auto reopened = MigrationStore::open(path);
    ASSERT_TRUE(reopened) << reopened.error().message;
    auto p = (*reopened)->plan(*plan);
    ASSERT_TRUE(p && *p);
    const PlanItem& back = (*p)->items.at(0);
    EXPECT_EQ(back.step, Step::Detach);
    EXPECT_EQ(back.sourceLastMs, 1795720201080);
    EXPECT_EQ(back.targetFirstMs, 1795720170879);
    EXPECT_TRUE(back.probeAfterDetach);
    EXPECT_FALSE(back.gapMs.has_value());
    EXPECT_TRUE(back.gapFrom.empty());
}

TEST(MigrationSteps, MakeBeforeBreakAttachesFirstAndBreakBeforeMakeDetachesFirst) {
    std::vector<Step> mbb, bbm;
    for (Step s = Step::Preflight; s != Step::Invalid; s = nextStep(s, kMakeBeforeBreak)) mbb.push_back(s);
    for (Step s = Step::Preflight; s != Step::Invalid; s = nextStep(s, kBreakBeforeMake)) bbm.push_back(s);
    EXPECT_EQ(mbb, (std::vector<Step>{Step::Preflight, Step::Attach, Step::Verify, Step::Detach, Step::VerifyDetached, Step::Commit}));
    EXPECT_EQ(bbm, (std::vector<Step>{Step::Preflight, Step::Detach, Step::VerifyDetached, Step::Attach, Step::Verify, Step::Commit}));
    for (Step s : mbb) EXPECT_EQ(stepFromName(stepName(s)), s);
}

TEST(UriViews, LoopbackCamerasAreReachedThroughTheGuestsAliasAndBack) {
    UriViews v;
    EXPECT_EQ(v.toGuest("rtsp://127.0.0.1:8554/cam01/sub"), "rtsp://10.0.2.2:8554/cam01/sub");
    EXPECT_EQ(v.toHost("rtsp://10.0.2.2:8554/cam01/sub"), "rtsp://127.0.0.1:8554/cam01/sub");
    EXPECT_EQ(v.toGuest("rtsp://198.18.54.2:8554/x"), "rtsp://198.18.54.2:8554/x");
    EXPECT_EQ(v.toGuest("rtsp://[::1]:8554/x"), "rtsp://10.0.2.2:8554/x");
    EXPECT_EQ(uriHost("rtsp://user@cam.local:554/a"), "cam.local");
    EXPECT_EQ(uriHost("not a uri"), "");
}

TEST(UriViews, AVmsRecordingAKnownCameraFromAnotherStreamIsNotedNotTaken) {
    UriViews v;
    const std::string id = "urn:uuid:6f1c2a3e-0000-4000-8000-000000000001";
    // The same stream to the guest: another host loopback address, or nothing on file.
    EXPECT_EQ(v.streamMovedNote("old", id, "rtsp://127.0.0.2:8554/cam01/sub", "rtsp://10.0.2.2:8554/cam01/sub"), "");
    EXPECT_EQ(v.streamMovedNote("old", id, "", "rtsp://10.0.2.2:8554/cam01/sub"), "");
    // Another port: said, in the host's view, with what to do.
    const std::string note = v.streamMovedNote("old", id, "rtsp://127.0.0.1:8554/cam01/sub", "rtsp://10.0.2.2:9554/cam01/sub");
    EXPECT_NE(note.find("VM 'old' records it from rtsp://127.0.0.1:9554/cam01/sub"), std::string::npos) << note;
    EXPECT_NE(note.find("the inventory has rtsp://127.0.0.1:8554/cam01/sub"), std::string::npos) << note;
    EXPECT_NE(note.find("camera-migrator camera add " + id + " --uri URI"), std::string::npos) << note;
}

TEST(CameraIds, OnlyPrintableIdentitiesWithoutSpacesAreAccepted) {
    EXPECT_TRUE(validCameraId("urn:uuid:6f1c2a3e-0000-4000-8000-000000000001"));
    EXPECT_FALSE(validCameraId(""));
    EXPECT_FALSE(validCameraId("urn:uuid:a b"));
    EXPECT_FALSE(validCameraId("<b>x</b>"));
    EXPECT_FALSE(validCameraId(std::string(129, 'a')));
}

}  // namespace
}  // namespace appliance::migration

namespace appliance::migration {
namespace {

// A camera that never answers must not be asked at every request: one fetch, then it waits its
// turn (maxAge); a camera that answers is served from the cache. The fetch is the fault injected.
TEST(SnapshotCache, ACameraThatFailsIsAskedAgainOnlyAfterMaxAgeAndAGoodPictureIsCached) {
    std::atomic<int> fetches{0};
    std::atomic<bool> answer{false};
    SnapshotCache cache(std::chrono::milliseconds(60000));
    const SnapshotCache::Fetch camera = [&]() -> Result<std::string> {
        ++fetches;
        if (!answer) return makeError(ErrorClass::Timeout, "the camera did not answer");
        return std::string("\xFF\xD8jpeg");
    };
    auto settled = [&] {
        for (int i = 0; i < 500; ++i) {
            if (!cache.get("urn:uuid:a", camera).refreshing) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    };
    (void)cache.get("urn:uuid:a", camera);
    ASSERT_TRUE(settled());
    for (int i = 0; i < 20; ++i) (void)cache.get("urn:uuid:a", camera);
    ASSERT_TRUE(settled());
    EXPECT_EQ(fetches.load(), 1) << "a failing camera was asked again before its turn";
    auto shot = cache.get("urn:uuid:a", camera);
    EXPECT_TRUE(shot.jpeg.empty());
    EXPECT_EQ(shot.error, "the camera did not answer");
    // No source known: nothing is fetched at all (nothing is even queued).
    EXPECT_FALSE(cache.get("urn:uuid:b", nullptr).refreshing);
    EXPECT_EQ(fetches.load(), 1);
}

}  // namespace
}  // namespace appliance::migration

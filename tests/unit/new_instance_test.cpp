// SPDX-License-Identifier: GPL-2.0-or-later
// A plan's new VMS instance, with the fault injected that a real guest cannot be made to show on
// cue: a VM whose VMS never becomes ready. The engine runs on its own thread against a real SQLite
// store, as in camera-migratord. The instance booting for real, paused and resumed, is in
// integration/migration_guest_test.cpp (AFullTargetProposesANewInstance...).
#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>

#include <gtest/gtest.h>

#include "daemon/migratord_config.h"
#include "migration/migration_engine.h"
#include "migration/migration_store.h"

namespace appliance::migration {
namespace {

constexpr const char* kNewVm = "new-vms-2";

/// The legacy VMS answers; the new instance's VM is created but its VMS answers only once `ready`
/// is set, or from the `readyFromCreation`-th creation on. No camera is ever touched: the cameras
/// wait for the instance.
class InstanceThatDoesNotBoot : public VmsGateway {
public:
    std::atomic<bool> ready{false};
    std::atomic<int> readyFromCreation{1 << 30};
    std::atomic<int> creations{0};
    std::atomic<int> cameraCalls{0};

    Result<std::vector<std::string>> runningVms() override { return std::vector<std::string>{"legacy", "new"}; }
    Result<VmsInstance> info(const std::string& vm) override {
        if (vm == kNewVm && !ready && creations < readyFromCreation) return makeError(ErrorClass::Unavailable, "no agent of VM 'new-vms-2' is connected");
        VmsInstance i;
        i.vm = vm, i.product = "motion", i.cameraLimit = 4, i.reachable = true;
        return i;
    }
    Result<std::vector<GuestCamera>> cameras(const std::string&) override { return touched(); }
    Result<std::string> add(const std::string&, const GuestCameraSpec&) override { return touched(); }
    Status remove(const std::string&, const std::string&) override { return touched(); }
    Result<GuestCamera> status(const std::string&, const std::string&) override { return touched(); }
    Result<std::string> snapshot(const std::string&, const std::string&) override { return touched(); }
    Result<std::int64_t> recordedClock(const std::string&, const std::string&, bool, std::int64_t) override {
        return touched();
    }
    Status createVm(const std::string& vm, const std::string&, int) override {
        EXPECT_EQ(vm, kNewVm);
        ++creations;
        return okStatus();
    }

private:
    Error touched() {
        ++cameraCalls;
        return makeError(ErrorClass::Internal, "a camera was touched while it waited for the new instance");
    }
};

class UnusedChecks : public CameraChecks {
public:
    Result<Json> onvifDevice(const std::string&, const CameraCredentials&) override { return unused(); }
    Result<DecodeReport> decodes(const std::string&, const CameraCredentials&) override { return unused(); }
    Result<std::string> snapshot(const std::string&, const CameraCredentials&) override { return unused(); }
    static Error unused() { return makeError(ErrorClass::Internal, "no camera is checked while it waits"); }
};

class NewInstanceTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/new-instance-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        auto s = MigrationStore::open(dir + "/migrator.db");
        ASSERT_TRUE(s) << s.error().message;
        store = std::move(*s);
        for (const char* id : {"urn:uuid:cam-1", "urn:uuid:cam-2"}) {
            CameraRecord c;
            c.id = id, c.name = id, c.streamUri = std::string("rtsp://127.0.0.1:8554/") + id;
            ASSERT_TRUE(store->putCamera(c));
            ASSERT_TRUE(store->assignIfUnassigned(id, "legacy"));
        }
        // motion in "new" is full: both cameras go to the new instance the administrator confirmed.
        auto p = store->createPlan("legacy", "new", {{"urn:uuid:cam-1", kNewVm}, {"urn:uuid:cam-2", kNewVm}}, "root",
                                   NewInstance{kNewVm, "vms-motion", 1024});
        ASSERT_TRUE(p) << p.error().message;
        plan = *p;
    }
    void TearDown() override {
        if (engine) engine->stop();
        if (worker.joinable()) worker.join();
        std::filesystem::remove_all(dir);
    }
    void startEngine(std::chrono::milliseconds instanceTimeout) {
        StepSettings settings;
        settings.newInstanceTimeout = instanceTimeout;
        engine = std::make_unique<MigrationEngine>(*store, vms, checks, settings, [](const std::string&, const Json&) {});
        ASSERT_TRUE(store->setPlanState(plan, PlanState::Running));
        worker = std::thread([this] { engine->run(); });
    }
    /// Waits (the engine polls every 5 s at most; woken here to go faster) until `done` holds.
    bool eventually(const std::function<bool()>& done) {
        for (int i = 0; i < 600; ++i) {
            if (done()) return true;
            engine->wake();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return done();
    }
    std::vector<JournalEntry> instanceRounds() {
        std::vector<JournalEntry> rounds;
        auto j = store->journal(plan);
        if (j)
            for (const auto& e : *j)
                if (e.step == Step::ProvisionInstance) rounds.push_back(e);
        return rounds;
    }
    std::vector<PlanItem> items() {
        auto p = store->plan(plan);
        return p && *p ? (*p)->items : std::vector<PlanItem>{};
    }

    std::string dir;
    std::unique_ptr<MigrationStore> store;
    int64_t plan = 0;
    InstanceThatDoesNotBoot vms;
    UnusedChecks checks;
    std::unique_ptr<MigrationEngine> engine;
    std::thread worker;
};

TEST_F(NewInstanceTest, AnInstanceThatIsNotReadyInTimePausesEveryCameraWaitingForItAndResumingOneTriesAgain) {
    vms.readyFromCreation = 2;  // the first VM never boots; the one the second round asks for does
    startEngine(std::chrono::seconds(1));
    ASSERT_TRUE(eventually([&] {
        auto all = items();
        return all.size() == 2 && all[0].state == ItemState::Paused && all[1].state == ItemState::Paused;
    })) << "both cameras should pause once the instance is late";
    for (const auto& item : items()) {
        EXPECT_EQ(item.step, Step::Preflight) << "nothing was done to " << item.cameraId;
        EXPECT_NE(item.reason.find("VM 'new-vms-2' is not ready"), std::string::npos) << item.reason;
        EXPECT_NE(item.reason.find("did not become ready within 1 s"), std::string::npos) << item.reason;
        EXPECT_NE(item.reason.find("Resume the camera to try again"), std::string::npos) << item.reason;
        auto a = store->assignment(item.cameraId);
        ASSERT_TRUE(a && *a);
        EXPECT_EQ((*a)->vm, "legacy") << "a camera that never moved stays where it was";
    }
    auto rounds = instanceRounds();
    ASSERT_EQ(rounds.size(), 1u);
    EXPECT_EQ(rounds[0].outcome.value_or("(none)"), "failed");
    EXPECT_EQ(vms.creations, 1);
    EXPECT_EQ(vms.cameraCalls, 0) << "a camera that waits is not touched";

    // The administrator resumes one camera: a new round, which asks for the VM again (idempotent
    // in applianced), and this time the VMS comes up.
    ASSERT_TRUE(store->setControl(plan, "urn:uuid:cam-1", Control::Resume));
    ASSERT_TRUE(eventually([&] { return instanceRounds().size() == 2 && vms.creations == 2; }))
        << "resuming starts a new round";
    ASSERT_TRUE(eventually([&] { return instanceRounds().back().outcome.has_value(); }));
    EXPECT_EQ(instanceRounds().back().outcome.value_or(""), "ok") << instanceRounds().back().detail;
    auto stored = store->vms(kNewVm);
    ASSERT_TRUE(stored && *stored) << "the ready instance is in the store, with its limit";
    EXPECT_EQ((*stored)->cameraLimit, 4);
}

TEST_F(NewInstanceTest, APlanPausedWhileItsInstanceBootsStillSeesTheRoundToItsEnd) {
    startEngine(std::chrono::minutes(20));
    ASSERT_TRUE(eventually([&] {
        auto all = items();
        return instanceRounds().size() == 1 && all.size() == 2 &&
               all[0].reason.find("waiting for the new VMS instance") != std::string::npos;
    })) << "the plan's start creates the instance and its cameras wait";
    ASSERT_TRUE(store->setPlanState(plan, PlanState::Paused));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(instanceRounds().at(0).outcome) << "the instance is still booting";
    vms.ready = true;
    ASSERT_TRUE(eventually([&] { return instanceRounds().at(0).outcome.has_value(); }))
        << "a paused plan's instance round gets its outcome";
    EXPECT_EQ(instanceRounds().at(0).outcome.value_or(""), "ok");
    EXPECT_EQ(vms.creations, 1);
    EXPECT_EQ(vms.cameraCalls, 0) << "a paused plan moves no camera";
    for (const auto& item : items()) EXPECT_EQ(item.state, ItemState::Pending) << item.cameraId;
}

TEST(NewInstanceTimeout, IsASettingInWholeSecondsWithinBounds) {
    auto defaults = loadMigratordConfig("", false, {});
    ASSERT_TRUE(defaults) << defaults.error().message;
    EXPECT_EQ(defaults->newInstanceTimeoutS, 1200);
    auto set = loadMigratordConfig("", false, {"new_instance_timeout_s=3600"});
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->newInstanceTimeoutS, 3600);
    for (const char* bad : {"new_instance_timeout_s=1", "new_instance_timeout_s=90000", "new_instance_timeout_s=ten",
                            "new_instance_timeout_s="}) {
        auto refused = loadMigratordConfig("", false, {bad});
        ASSERT_FALSE(refused) << bad;
        EXPECT_NE(refused.error().message.find("new_instance_timeout_s"), std::string::npos) << refused.error().message;
    }
}

}  // namespace
}  // namespace appliance::migration

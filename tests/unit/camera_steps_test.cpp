// SPDX-License-Identifier: GPL-2.0-or-later
// The make-before-break detach, with faults injected where the VMS guests cannot be made to fail
// on cue: the target's VMS goes away (its guest rebooting, its agent silent) or drops the camera
// between verify and the removal from the source. The source must keep the camera in every case.
// The moves themselves, against real ZoneMinder and motion, are in integration/migration_guest_test.cpp.
#include <atomic>

#include <gtest/gtest.h>

#include "migration/camera_steps.h"

namespace appliance::migration {
namespace {

constexpr const char* kCamera = "urn:uuid:0b6c1c6e-5d4f-4d7a-9a57-3f3c1f0e0001";

// The source records the camera; what the target answers for it is set by each test.
class FaultyTarget : public VmsGateway {
public:
    Result<GuestCamera> targetAnswer = makeError(ErrorClass::Internal, "set by the test");
    std::vector<std::string> removedFrom;

    Result<std::vector<std::string>> runningVms() override { return std::vector<std::string>{"legacy", "new"}; }
    Result<VmsInstance> info(const std::string&) override { return makeError(ErrorClass::Internal, "not used"); }
    Result<std::vector<GuestCamera>> cameras(const std::string& vm) override {
        std::vector<GuestCamera> out;
        if (vm == "legacy") out.push_back(recording("7"));
        return out;
    }
    Result<std::string> add(const std::string&, const GuestCameraSpec&) override {
        return makeError(ErrorClass::Internal, "not used");
    }
    Status remove(const std::string& vm, const std::string&) override {
        removedFrom.push_back(vm);
        return okStatus();
    }
    Result<GuestCamera> status(const std::string& vm, const std::string& id) override {
        if (vm == "new") return targetAnswer;
        return recording(id);
    }
    Result<std::string> snapshot(const std::string&, const std::string&) override {
        return makeError(ErrorClass::Internal, "not used");
    }
    /// The target's guest goes down once the source's recording has been read past the target's
    /// first frame (the overlap proved): the moment before the removal.
    bool targetGoesAfterOverlap = false;
    Result<std::int64_t> recordedClock(const std::string& vm, const std::string&, bool first, std::int64_t) override {
        if (first && vm == "new") return nowMs() - 5000;
        if (!first && vm == "legacy") {
            if (targetGoesAfterOverlap)
                targetAnswer = makeError(ErrorClass::Unavailable, "the connection to the agent of VM 'new' is closed");
            return nowMs();
        }
        return makeError(ErrorClass::Internal, "not used");
    }
    Status createVm(const std::string&, const std::string&, int) override {
        return makeError(ErrorClass::Internal, "not used");
    }

    static GuestCamera recording(const std::string& id) {
        GuestCamera g;
        g.id = id, g.onvifId = kCamera, g.receiving = true, g.recording = true;
        g.lastFrameMs = g.lastRecordedMs = nowMs();
        return g;
    }
};

class NoChecks : public CameraChecks {
public:
    Result<Json> onvifDevice(const std::string&, const CameraCredentials&) override {
        return makeError(ErrorClass::Internal, "not used");
    }
    Result<DecodeReport> decodes(const std::string&, const CameraCredentials&) override {
        return makeError(ErrorClass::Internal, "the detach must not probe the stream");
    }
    Result<std::string> snapshot(const std::string&, const CameraCredentials&) override {
        return makeError(ErrorClass::Internal, "not used");
    }
};

class MakeBeforeBreakDetach : public ::testing::Test {
protected:
    /// overlapWait 0: no wait for the recordings to overlap on disk.
    Result<std::string> detach(std::chrono::milliseconds overlapWait = std::chrono::milliseconds(0)) {
        StepSettings settings;
        settings.overlapTimeout = overlapWait;
        settings.verifyTimeout = std::chrono::milliseconds(300);
        settings.pollInterval = std::chrono::milliseconds(100);
        CameraSteps steps(vms, checks, settings, stopping);
        CameraRecord camera;
        camera.id = kCamera, camera.streamUri = "rtsp://127.0.0.1:8554/cam/sub";
        item.cameraId = kCamera, item.mode = kMakeBeforeBreak, item.step = Step::Detach;
        item.sourceVmsCameraId = "7", item.targetVmsCameraId = "101";
        MoveContext ctx(camera, CameraCredentials{}, "legacy", "new", item);
        return steps.run(Step::Detach, ctx);
    }
    FaultyTarget vms;
    NoChecks checks;
    std::atomic<bool> stopping{false};
    PlanItem item;
};

TEST_F(MakeBeforeBreakDetach, ATargetThatCannotBeAskedLeavesTheCameraInTheSourceAndPausesIt) {
    for (auto cls : {ErrorClass::Unavailable, ErrorClass::Timeout}) {
        vms.removedFrom.clear();
        vms.targetAnswer = makeError(cls, "no agent of VM 'new' is connected");
        auto r = detach();
        ASSERT_FALSE(r) << *r;
        EXPECT_TRUE(isTransient(r.error())) << "a transient error pauses the camera: " << r.error().message;
        EXPECT_NE(r.error().message.find("VM 'legacy' keeps the camera"), std::string::npos) << r.error().message;
        EXPECT_TRUE(vms.removedFrom.empty()) << "removed from " << vms.removedFrom.front();
    }
}

TEST_F(MakeBeforeBreakDetach, ATargetThatLostTheCameraOrStoppedRecordingItLeavesItInTheSourceAndRollsBack) {
    vms.targetAnswer = makeError(ErrorClass::NotFound, "VM 'new' has no camera 101");
    auto gone = detach();
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().cls, ErrorClass::NotFound) << gone.error().message;
    GuestCamera idle = FaultyTarget::recording("101");
    idle.recording = false, idle.reason = "no frames for 40 s";
    vms.targetAnswer = idle;
    auto stopped = detach();
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().cls, ErrorClass::NoVideo) << stopped.error().message;
    EXPECT_FALSE(isTransient(stopped.error())) << "not transient: the engine rolls the camera back";
    EXPECT_TRUE(vms.removedFrom.empty()) << "removed from " << vms.removedFrom.front();
}

TEST_F(MakeBeforeBreakDetach, ATargetThatGoesAwayWhileTheRecordingsOverlapIsCheckedAgainBeforeTheRemoval) {
    vms.targetAnswer = FaultyTarget::recording("101");
    vms.targetGoesAfterOverlap = true;
    auto r = detach(std::chrono::milliseconds(5000));
    ASSERT_FALSE(r) << "the source let go while the target was away: " << *r;
    EXPECT_TRUE(isTransient(r.error())) << r.error().message;
    EXPECT_TRUE(vms.removedFrom.empty()) << "removed from " << vms.removedFrom.front();
}

TEST_F(MakeBeforeBreakDetach, ATargetThatStillRecordsLetsTheSourceGo) {
    vms.targetAnswer = FaultyTarget::recording("101");
    auto r = detach();
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(vms.removedFrom.size(), 1u);
    EXPECT_EQ(vms.removedFrom[0], "legacy");
    EXPECT_GT(item.sourceLastMs, 0) << "the source's last frame is read before its removal";
}

}  // namespace
}  // namespace appliance::migration

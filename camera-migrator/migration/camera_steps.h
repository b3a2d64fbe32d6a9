// SPDX-License-Identifier: GPL-2.0-or-later
// The steps of one camera's move from one VMS to another. Every step is idempotent: run again
// after a crash left it in doubt, it finds what the first run did and goes on from there (an
// attach finds the camera already in the target, a detach finds it already gone).
// Context: the engine thread (the calls block on the VMSs and the camera).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "migration/camera_checks.h"
#include "migration/uri_views.h"
#include "migration/vms_gateway.h"

namespace appliance::migration {

struct StepSettings {
    UriViews views;
    std::chrono::milliseconds verifyTimeout{240000};   ///< the target must record new frames within this
    std::chrono::milliseconds restoreTimeout{240000};  ///< the source must record again within this (rollback)
    std::chrono::milliseconds detachTimeout{90000};    ///< the source must have let go within this
    std::chrono::milliseconds pollInterval{2000};
    /// How long the commit waits for both VMSs' recordings to hold the frames the gap is read
    /// from (a VMS writes its files in steps); past it, the gap is the VMSs' own report.
    std::chrono::milliseconds gapReadTimeout{60000};
    /// Make-before-break: how long the break waits for the source's recording on disk to reach
    /// the target's first recorded frame (CameraSteps::waitForOverlapOnDisk).
    std::chrono::milliseconds overlapTimeout{120000};
    /// How long a plan's new VMS instance has to become ready (MigrationEngine::pollNewInstance):
    /// a VMS guest boots in minutes under TCG.
    std::chrono::milliseconds newInstanceTimeout{std::chrono::minutes(20)};
};

inline constexpr const char* kMakeBeforeBreak = "make-before-break";
inline constexpr const char* kBreakBeforeMake = "break-before-make";

/// One camera's move as the steps see it; the ids and times they learn are written to `item`.
struct MoveContext {
    CameraRecord camera;
    CameraCredentials credentials;
    std::string fromVm, toVm;
    PlanItem& item;
    std::string& fromId;  ///< the source VMS's id for the camera (item field, by direction)
    std::string& toId;
    /// Saves the item now. A figure read just before an action (the source's last recorded frame
    /// before its removal) then survives a crash during that action, whose re-run cannot read it.
    std::function<void()> keep;

    MoveContext(CameraRecord c, CameraCredentials k, std::string from, std::string to, PlanItem& i)
        : camera(std::move(c)), credentials(std::move(k)), fromVm(std::move(from)), toVm(std::move(to)), item(i),
          fromId(i.reverse ? i.targetVmsCameraId : i.sourceVmsCameraId),
          toId(i.reverse ? i.sourceVmsCameraId : i.targetVmsCameraId) {}
};

class CameraSteps {
public:
    CameraSteps(VmsGateway& vms, CameraChecks& checks, StepSettings settings, const std::atomic<bool>& stopping)
        : m_vms(vms), m_checks(checks), m_settings(std::move(settings)), m_stopping(stopping) {}

    /// Runs `step`: a sentence for the journal, or why it failed.
    Result<std::string> run(Step step, MoveContext& ctx);
    /// What each VMS has of the camera right now, in a sentence (recorded for a step in doubt).
    std::string facts(MoveContext& ctx);
    const StepSettings& settings() const { return m_settings; }
    /// The recording gap read from the camera's own clock in both VMSs' recordings: the first
    /// frame the target recorded since the move began, the last the source recorded. Sets
    /// item.targetFirstMs/sourceLastMs and gapFrom "recordings" when both read; otherwise keeps
    /// the VMSs' reports (gapFrom "vms-reports") and says why in the returned sentence.
    std::string measureGap(MoveContext& ctx);

private:
    Result<std::string> preflight(MoveContext& ctx);
    Result<std::string> attach(MoveContext& ctx, const std::string& vm, std::string& id);
    Result<std::string> verifyRecording(MoveContext& ctx, const std::string& vm, const std::string& id,
                                        std::chrono::milliseconds timeout, bool probeToo);
    Result<std::string> detach(MoveContext& ctx, const std::string& vm, std::string& id, bool readLastRecorded);
    Result<std::string> verifyDetached(MoveContext& ctx);
    /// Our own probe for a camera that serves two sessions, once the source holds none.
    Result<std::string> probeAfterDetach(MoveContext& ctx);
    /// Before a make-before-break detach: waits (up to overlapTimeout) until the source's
    /// recording on disk is newer than the target's first recorded frame; says what it saw.
    std::string waitForOverlapOnDisk(MoveContext& ctx);
    /// The camera as `vm` has it (by ONVIF identity, else by stream), or nullopt.
    Result<std::optional<GuestCamera>> find(const std::string& vm, const CameraRecord& camera);
    GuestCameraSpec spec(const MoveContext& ctx) const;
    /// Sleeps one poll interval; false if the daemon is stopping.
    bool pause();

    VmsGateway& m_vms;
    CameraChecks& m_checks;
    StepSettings m_settings;
    const std::atomic<bool>& m_stopping;
};

/// Errors that mean "cannot tell now" (an agent that does not answer, a VMS not ready, applianced
/// away): the camera pauses with the reason instead of rolling back blind.
bool isTransient(const Error& e);

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/camera_steps.h"

#include <algorithm>
#include <thread>

namespace appliance::migration {

namespace {

using Clock = std::chrono::steady_clock;

std::string seconds(std::chrono::milliseconds d) { return std::to_string(d.count() / 1000) + " s"; }

}  // namespace

bool isTransient(const Error& e) { return e.cls == ErrorClass::Unavailable || e.cls == ErrorClass::Timeout; }

bool CameraSteps::pause() {
    const auto end = Clock::now() + m_settings.pollInterval;
    while (Clock::now() < end) {
        if (m_stopping) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return !m_stopping;
}

Result<std::optional<GuestCamera>> CameraSteps::find(const std::string& vm, const CameraRecord& camera) {
    auto list = m_vms.cameras(vm);
    if (!list) return list.error();
    for (const auto& c : *list)
        if (c.onvifId == camera.id) return std::optional<GuestCamera>(c);
    // A camera added by hand has no ONVIF identity in the VMS: its stream is the next best thing.
    for (const auto& c : *list)
        if (c.onvifId.empty() && !camera.streamUri.empty() && m_settings.views.toHost(c.streamUri) == camera.streamUri)
            return std::optional<GuestCamera>(c);
    return std::optional<GuestCamera>();
}

GuestCameraSpec CameraSteps::spec(const MoveContext& ctx) const {
    GuestCameraSpec s;
    s.name = ctx.camera.name.empty() ? ctx.camera.id : ctx.camera.name;
    s.onvifId = ctx.camera.id;
    s.streamUri = m_settings.views.toGuest(ctx.camera.streamUri);
    s.credentials = ctx.credentials;
    s.width = ctx.camera.width, s.height = ctx.camera.height, s.fps = ctx.camera.fps;
    return s;
}

Result<std::string> CameraSteps::run(Step step, MoveContext& ctx) {
    switch (step) {
    case Step::Preflight: return preflight(ctx);
    case Step::Attach: return attach(ctx, ctx.toVm, ctx.toId);
    case Step::Verify: return verifyRecording(ctx, ctx.toVm, ctx.toId, m_settings.verifyTimeout,
                                              ctx.item.mode == kMakeBeforeBreak);
    case Step::Detach: return detach(ctx, ctx.fromVm, ctx.fromId, true);
    case Step::VerifyDetached: return verifyDetached(ctx);
    case Step::RollbackRemoveTarget: return detach(ctx, ctx.toVm, ctx.toId, false);
    case Step::RollbackRestoreSource: return attach(ctx, ctx.fromVm, ctx.fromId);
    case Step::RollbackVerifySource:
        return verifyRecording(ctx, ctx.fromVm, ctx.fromId, m_settings.restoreTimeout, false);
    case Step::Commit:  // the engine commits (one transaction with the journal)
    case Step::ProvisionInstance:  // the engine creates a plan's new instance
    case Step::Invalid: break;
    }
    return makeError(ErrorClass::Internal, std::string("step '") + stepName(step) + "' has no action");
}

Result<std::string> CameraSteps::preflight(MoveContext& ctx) {
    auto target = m_vms.info(ctx.toVm);
    if (!target) return target.error();
    if (!target->reachable)
        return makeError(ErrorClass::Unavailable, "the VMS in VM '" + ctx.toVm + "' is not ready (" + target->reason + ")");
    auto inSource = find(ctx.fromVm, ctx.camera);
    if (!inSource) return inSource.error();
    auto inTarget = find(ctx.toVm, ctx.camera);
    if (!inTarget) return inTarget.error();
    if (*inTarget)  // not ours: a rollback would remove a camera (and its recording) the target had before
        return makeError(ErrorClass::Conflict, "VM '" + ctx.toVm + "' already records this camera (its camera " +
                                                   (*inTarget)->id + "); remove it from one of the two VMSs first");
    if (!*inSource)
        return makeError(ErrorClass::NotFound, "VM '" + ctx.fromVm + "' does not record this camera; refresh the "
                                                   "inventory (`camera-migrator inventory`) and plan again");
    if (target->cameras >= target->cameraLimit)
        return makeError(ErrorClass::Conflict, "VM '" + ctx.toVm + "' has no room: its VMS records " +
                                                   std::to_string(target->cameras) + " of at most " +
                                                   std::to_string(target->cameraLimit) + " cameras");
    ctx.fromId = (*inSource)->id;
    ctx.item.probeAfterDetach = false;  // decided again at this move's verify
    std::string said;
    if (!ctx.camera.deviceUrl.empty()) {
        auto device = m_checks.onvifDevice(ctx.camera.deviceUrl, ctx.credentials);
        if (!device) return makeError(device.error().cls, "the camera's ONVIF service: " + device.error().message);
        said = "ONVIF answers (" + device->value("model", std::string("?")) + "); ";
    }
    // Our own session while the source VMS records proves the camera serves two at once: then
    // both VMSs can record during the move (make-before-break). A camera that serves one is
    // moved break-before-make, with the gap that costs.
    auto decoded = m_checks.decodes(ctx.camera.streamUri, ctx.credentials);
    if (decoded) {
        ctx.item.mode = kMakeBeforeBreak;
        return said + "stream decodes alongside the source's session (" + std::to_string(decoded->frames) +
               " frames, " + decoded->codec + "): make-before-break";
    }
    if (decoded.error().cls == ErrorClass::AuthenticationFailed)
        return makeError(ErrorClass::AuthenticationFailed,
                         "the camera refuses the stored credentials; set them with `camera-migrator credentials`");
    // A camera that refuses us as busy (RTSP 453 or 503) is alive and has its session taken, by the
    // source's VMS, which may not say it receives yet (ZoneMinder, just after an add or a reconnect).
    if ((*inSource)->receiving || decoded.error().cls == ErrorClass::TooManyRequests) {
        ctx.item.mode = kBreakBeforeMake;
        return said + "the camera serves one session only (ours failed: " + decoded.error().message +
               "): break-before-make";
    }
    std::string moved = m_settings.views.streamMovedNote(ctx.fromVm, ctx.camera.id, ctx.camera.streamUri, (*inSource)->streamUri);
    if (!moved.empty()) moved = "; " + moved;
    return makeError(decoded.error().cls, "the camera's stream does not decode: " + decoded.error().message + moved);
}

Result<std::string> CameraSteps::attach(MoveContext& ctx, const std::string& vm, std::string& id) {
    auto there = find(vm, ctx.camera);
    if (!there) return there.error();
    if (*there) {
        id = (*there)->id;
        return "VM '" + vm + "' has it already (its camera " + id + ")";
    }
    auto added = m_vms.add(vm, spec(ctx));
    if (!added && added.error().cls == ErrorClass::Conflict) {
        // Added meanwhile (a retry after a lost answer) or full: look again.
        auto again = find(vm, ctx.camera);
        if (again && *again) {
            id = (**again).id;
            return "VM '" + vm + "' has it already (its camera " + id + ")";
        }
    }
    if (!added) return added.error();
    id = *added;
    return "added to VM '" + vm + "' as its camera " + id;
}

Result<std::string> CameraSteps::verifyRecording(MoveContext& ctx, const std::string& vm, const std::string& id,
                                                 std::chrono::milliseconds timeout, bool probeToo) {
    if (id.empty()) return makeError(ErrorClass::NotFound, "VM '" + vm + "' has no id for this camera to check");
    const auto deadline = Clock::now() + timeout;
    GuestCamera last;
    for (;;) {
        auto s = m_vms.status(vm, id);
        if (!s) {
            if (s.error().cls == ErrorClass::NotFound)
                return makeError(ErrorClass::NotFound, "VM '" + vm + "' no longer has the camera (" + s.error().message + ")");
            return s.error();
        }
        last = *s;
        if (last.receiving && last.recording) break;
        if (Clock::now() >= deadline)
            return makeError(ErrorClass::NoVideo, "VM '" + vm + "' did not record new frames of the camera within " +
                                                      seconds(timeout) + " (its VMS says: " +
                                                      (last.reason.empty() ? "nothing" : last.reason) + ")");
        if (!pause()) return makeError(ErrorClass::Unavailable, "camera-migratord is stopping");
    }
    if (vm == ctx.toVm && ctx.item.targetFirstMs == 0) ctx.item.targetFirstMs = last.lastRecordedMs.value_or(nowMs());
    std::string said = "VM '" + vm + "' records new frames";
    if (probeToo) {
        auto decoded = m_checks.decodes(ctx.camera.streamUri, ctx.credentials);
        if (!decoded && decoded.error().cls == ErrorClass::TooManyRequests && vm == ctx.toVm &&
            ctx.item.mode == kMakeBeforeBreak) {
            // Both VMSs hold a session and the camera takes no third (preflight's probe was the
            // second): ours runs once the source has let go, and a failure then still rolls back.
            ctx.item.probeAfterDetach = true;
            return said + "; the camera refused our probe as a third session (it seems to serve two): the probe runs "
                          "once VM '" + ctx.fromVm + "' has removed it";
        }
        if (!decoded) return makeError(ErrorClass::NoVideo, "VM '" + vm + "' says it records, but our own probe of the "
                                                            "stream failed: " + decoded.error().message);
        said += "; our probe decodes " + std::to_string(decoded->frames) + " frames";
    }
    return said;
}

namespace {
/// A recording that is not on disk yet, or a guest slow to read it: worth asking again.
bool notYet(const Error& e) { return e.cls == ErrorClass::Unavailable || e.cls == ErrorClass::Timeout; }
}  // namespace

std::string CameraSteps::waitForOverlapOnDisk(MoveContext& ctx) {
    // "Receiving" from a VMS is not proof that it records: ZoneMinder once counted every frame
    // while refusing to write any (a timestamp jump on the stream), and it writes its file in
    // 256 KB steps. So the break waits until the source's file on disk holds a frame newer than
    // the target's first recorded one: then the two recordings overlap, whatever the source
    // holds unwritten when it stops.
    const std::int64_t since = ctx.item.startedMs;
    const auto began = Clock::now(), deadline = began + m_settings.overlapTimeout;
    auto waited = [](Clock::time_point from) {
        return seconds(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - from));
    };
    std::optional<std::int64_t> first;
    while (!first) {
        auto r = m_vms.recordedClock(ctx.toVm, ctx.toId, true, since);
        if (r) first = *r;
        else if (!notYet(r.error()) || Clock::now() >= deadline || !pause())
            return "not waited for the recordings to overlap (VM '" + ctx.toVm + "': " + r.error().message + ")";
    }
    const auto started = Clock::now();
    // Both waits in the journal: they are most of a make-before-break move's time under TCG.
    const std::string targetWait = "VM '" + ctx.toVm + "''s first frame was on disk after " + waited(began);
    for (;;) {
        auto r = m_vms.recordedClock(ctx.fromVm, ctx.fromId, false, since);
        // Not on disk yet (a ZoneMinder event just begun, a guest slow to answer): ask again.
        if (!r && !notYet(r.error()))
            return "not waited for the recordings to overlap (VM '" + ctx.fromVm + "': " + r.error().message + ")";
        if (r && *r > *first)
            return "the recordings overlap on disk by " + seconds(std::chrono::milliseconds(*r - *first)) + " (" +
                   targetWait + ", the overlap " + waited(started) + " later)";
        if (Clock::now() >= deadline || !pause())
            return "VM '" + ctx.fromVm + "''s recording on disk did not reach VM '" + ctx.toVm + "''s first frame within " +
                   seconds(m_settings.overlapTimeout) + " (" + targetWait + "); detached anyway (the gap says what was lost)";
    }
}

Result<std::string> CameraSteps::detach(MoveContext& ctx, const std::string& vm, std::string& id, bool readLastRecorded) {
    auto there = find(vm, ctx.camera);
    if (!there) return there.error();
    if (!*there) return "VM '" + vm + "' does not have it (already removed)";
    id = (*there)->id;
    std::string waited;
    if (readLastRecorded && ctx.item.mode == kMakeBeforeBreak && m_settings.overlapTimeout.count() > 0)
        waited = waitForOverlapOnDisk(ctx) + "; ";
    if (m_stopping) return makeError(ErrorClass::Unavailable, "camera-migratord is stopping");
    if (readLastRecorded && ctx.item.mode == kMakeBeforeBreak) {
        // The target proved at verify that it records, but it may have gone since (its guest
        // rebooting, its VMS stopped): the source keeps the camera until the target records it
        // now. A target that cannot be asked pauses the camera here, with nothing removed.
        auto still = verifyRecording(ctx, ctx.toVm, ctx.toId, m_settings.verifyTimeout, false);
        if (!still)
            return makeError(still.error().cls, "VM '" + vm + "' keeps the camera: " + still.error().message);
    }
    if (readLastRecorded) {
        // The source's last recorded frame, from below: a VMS that says it records new frames
        // took its last one into the recording (its recording file's time lags: ZoneMinder's
        // grows in 256 KB steps). Frames between this check and the removal only shorten the gap.
        auto s = m_vms.status(vm, id);
        if (s) {
            int64_t last = s->lastRecordedMs.value_or(0);
            if (s->recording && s->receiving && s->lastFrameMs) last = std::max(last, *s->lastFrameMs);
            if (last) ctx.item.sourceLastMs = last;
            if (last && ctx.keep) ctx.keep();
        }
    }
    auto removed = m_vms.remove(vm, id);
    if (!removed && removed.error().cls != ErrorClass::NotFound) return removed.error();
    return waited + "removed from VM '" + vm + "' (its camera " + id + ")";
}

std::string CameraSteps::measureGap(MoveContext& ctx) {
    // Frames before the move began are another attempt's (or another camera's in a reused slot).
    const std::int64_t since = ctx.item.startedMs;
    const auto deadline = Clock::now() + m_settings.gapReadTimeout;
    std::optional<std::int64_t> first, last;
    std::string why;
    for (;;) {
        if (!last) {
            auto r = m_vms.recordedClock(ctx.fromVm, ctx.fromId, false, since);
            if (r) last = *r;
            else why = "VM '" + ctx.fromVm + "': " + r.error().message;
            if (!r && !notYet(r.error())) break;
        }
        if (last && !first) {
            auto r = m_vms.recordedClock(ctx.toVm, ctx.toId, true, since);
            if (r) first = *r;
            else why = "VM '" + ctx.toVm + "': " + r.error().message;
            if (!r && !notYet(r.error())) break;
        }
        if (first && last) break;
        if (Clock::now() >= deadline || !pause()) break;
    }
    if (first && last) {
        // The VMSs' own reports beside it, for whoever reads the journal: a big difference says
        // one VMS's report (or its recording) is late.
        const std::string reported = ctx.item.targetFirstMs && ctx.item.sourceLastMs
                                         ? "; the VMSs reported " + std::to_string(ctx.item.targetFirstMs) + " and " +
                                               std::to_string(ctx.item.sourceLastMs)
                                         : "";
        ctx.item.targetFirstMs = *first, ctx.item.sourceLastMs = *last, ctx.item.gapFrom = kGapFromRecordings;
        return "gap read from the camera's clock in both recordings: first frame in VM '" + ctx.toVm + "' at " +
               std::to_string(*first) + " ms, last in VM '" + ctx.fromVm + "' at " + std::to_string(*last) + " ms" + reported;
    }
    if (!ctx.item.targetFirstMs || !ctx.item.sourceLastMs) {
        ctx.item.gapFrom.clear();
        return "no gap measured: the recordings could not be read (" + why + "), and the VMSs did not report " +
               (ctx.item.sourceLastMs ? "the target's first frame" : ctx.item.targetFirstMs ? "the source's last frame" : "either frame");
    }
    ctx.item.gapFrom = kGapFromVmsReports;
    return "gap from the VMSs' reports (the recordings could not be read: " + why + ")";
}

Result<std::string> CameraSteps::verifyDetached(MoveContext& ctx) {
    const auto deadline = Clock::now() + m_settings.detachTimeout;
    for (;;) {
        auto there = find(ctx.fromVm, ctx.camera);
        if (!there) return there.error();
        if (!*there) {
            if (ctx.item.probeAfterDetach) return probeAfterDetach(ctx);
            return "VM '" + ctx.fromVm + "' no longer records it";
        }
        if (Clock::now() >= deadline)
            return makeError(ErrorClass::Conflict, "VM '" + ctx.fromVm + "' still has the camera " +
                                                       seconds(m_settings.detachTimeout) + " after it was removed");
        if (!pause()) return makeError(ErrorClass::Unavailable, "camera-migratord is stopping");
    }
}

Result<std::string> CameraSteps::probeAfterDetach(MoveContext& ctx) {
    // The source's VMS may hold its session a moment after it dropped the camera; a camera still
    // busy after that has another client (a viewer, a third recorder): the camera waits here,
    // recorded by the target, rather than roll back into a gap for a cause a retry would meet again.
    const auto deadline = Clock::now() + m_settings.detachTimeout;
    for (;;) {
        auto decoded = m_checks.decodes(ctx.camera.streamUri, ctx.credentials);
        if (decoded)
            return "VM '" + ctx.fromVm + "' no longer records it; our probe decodes " + std::to_string(decoded->frames) +
                   " frames beside VM '" + ctx.toVm + "'";
        if (decoded.error().cls != ErrorClass::TooManyRequests)
            return makeError(ErrorClass::NoVideo, "VM '" + ctx.fromVm + "' removed it, but our own probe of the stream "
                                                  "beside VM '" + ctx.toVm + "' failed: " + decoded.error().message);
        if (Clock::now() >= deadline || !pause())
            return makeError(ErrorClass::Unavailable,
                             "VM '" + ctx.fromVm + "' removed it and VM '" + ctx.toVm + "' records it, but the camera "
                             "still refuses our probe " + seconds(m_settings.detachTimeout) + " later (" +
                             decoded.error().message + "): another client holds its second session; close it");
    }
}

std::string CameraSteps::facts(MoveContext& ctx) {
    auto describe = [&](const std::string& vm) {
        auto there = find(vm, ctx.camera);
        if (!there) return "VM '" + vm + "' cannot say (" + there.error().message + ")";
        if (!*there) return "VM '" + vm + "' does not have it";
        return "VM '" + vm + "' has it as camera " + (*there)->id;
    };
    return describe(ctx.fromVm) + "; " + describe(ctx.toVm);
}

}  // namespace appliance::migration

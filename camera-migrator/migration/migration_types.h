// SPDX-License-Identifier: GPL-2.0-or-later
// What camera-migratord knows and records: cameras (identity = ONVIF endpoint reference), VMS
// instances, assignments, plans, and the per-camera steps of a plan. Plain data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace appliance::migration {

using Json = nlohmann::json;

/// Milliseconds since the epoch: every time the store keeps.
int64_t nowMs();

/// An ONVIF endpoint reference as an identity: printable, no spaces, at most 128 bytes.
bool validCameraId(const std::string& id);
/// A stream a VMS may be given: rtsp://host..., no credentials in it, at most 512 bytes.
bool validStreamUri(const std::string& uri);

struct CameraRecord {
    std::string id;  ///< the ONVIF endpoint reference (urn:uuid:...), never an address
    std::string name, manufacturer, model, firmware;
    std::string address;          ///< the host it was last seen at
    std::string previousAddress;  ///< the one before, when it changed (shown, never "fixed")
    std::string deviceUrl;        ///< ONVIF device service, as the host reaches it; may be empty
    std::string streamUri;        ///< the stream the VMSs record (sub stream), host view, no credentials
    int width = 0, height = 0, fps = 0;
    std::string state;   ///< "known", "conflict", "missing", ...: what reconciliation found
    std::string detail;  ///< the sentence behind the state
    int64_t firstSeenMs = 0, lastSeenMs = 0;
    bool hasCredentials = false;
};

struct CameraCredentials {
    std::string username, password;
};

struct VmsInstance {
    std::string vm;  ///< the VM's name in applianced
    std::string product, version;
    int cameraLimit = 0;
    int cameras = 0;
    bool reachable = false;
    std::string reason;
    int64_t seenMs = 0;
};

/// A camera as one VMS has it (from the VMS's own list, or from our own add).
struct VmsCamera {
    std::string vm, cameraId, vmsCameraId, name, streamUri;
    bool receiving = false, recording = false;
    int64_t seenMs = 0;
};

struct Assignment {
    std::string cameraId, vm;
    int64_t sinceMs = 0;
    int64_t planId = 0;  ///< the plan that moved it there; 0 = found there
};

/// The steps of one camera's move, in the order make-before-break runs them.
enum class Step { Invalid = 0, Preflight, Attach, Verify, Detach, VerifyDetached, Commit,
                  RollbackRemoveTarget, RollbackRestoreSource, RollbackVerifySource,
                  ProvisionInstance };  ///< a plan's new VMS instance (journalled without a camera)
const char* stepName(Step s);
Step stepFromName(const std::string& name);

/// Where one camera of a plan is.
enum class ItemState { Invalid = 0, Pending, Running, Paused, Committed, RollingBack, RolledBack, Skipped, Failed };
const char* itemStateName(ItemState s);
ItemState itemStateFromName(const std::string& name);

/// What an administrator asked for a camera, picked up by the engine between steps.
enum class Control { None = 0, Pause, Resume, Skip, Retry, Rollback };
const char* controlName(Control c);
Control controlFromName(const std::string& name);

struct PlanItem {
    int64_t planId = 0;
    int position = 0;
    std::string cameraId;
    std::string targetVm;  ///< where this camera goes; empty: the plan's target
    ItemState state = ItemState::Pending;
    Step step = Step::Preflight;  ///< the next step to run (or the one running)
    std::string mode;             ///< "make-before-break" or "break-before-make", decided at preflight
    Control control = Control::None;
    int attempts = 0;
    std::string reason;  ///< why it is paused, failed, skipped or rolled back
    std::string sourceVmsCameraId, targetVmsCameraId;
    /// Reverse move asked after commit: the same steps with source and target swapped.
    bool reverse = false;
    bool skipAfterRollback = false;  ///< the administrator skipped it mid-move: rolled back, then skipped
    std::optional<int64_t> gapMs;  ///< first frame recorded by the target minus last by the source
    /// Where gapMs comes from: kGapFromRecordings (the camera's clock in both recordings) or
    /// kGapFromVmsReports (when each VMS said it recorded: an estimate); empty before commit.
    std::string gapFrom;
    /// Make-before-break with a camera that refused our probe as a third session during the
    /// overlap (it serves two): the probe runs once the source has let go, before the commit.
    bool probeAfterDetach = false;
    int64_t targetFirstMs = 0;     ///< when the target first reported this camera's frames recorded
    int64_t sourceLastMs = 0;      ///< the source's last recorded frame, read just before detaching
    int64_t startedMs = 0, finishedMs = 0;
};

inline constexpr const char* kGapFromRecordings = "recordings";
inline constexpr const char* kGapFromVmsReports = "vms-reports";

enum class PlanState { Invalid = 0, Draft, Running, Paused, Done };
const char* planStateName(PlanState s);
PlanState planStateFromName(const std::string& name);

/// A VMS instance a plan creates (through applianced) for the cameras its target has no room for.
struct NewInstance {
    std::string vm, image;
    int memoryMib = 0;
};

struct Plan {
    int64_t id = 0;
    std::string sourceVm, targetVm;
    NewInstance newInstance;  ///< vm empty: none
    PlanState state = PlanState::Draft;
    std::string createdBy;
    int64_t createdMs = 0;
    std::vector<PlanItem> items;
};

/// One journal row: a step's intent, written before it acts, and its outcome after.
struct JournalEntry {
    int64_t id = 0, planId = 0;
    std::string cameraId;
    Step step = Step::Invalid;
    int64_t intentMs = 0;
    std::string intent;   ///< JSON: what the step is about to do
    std::optional<std::string> outcome;  ///< "ok", "failed", "in-doubt"; none = the daemon stopped in between
    int64_t outcomeMs = 0;
    std::string detail;
};

struct AuditRecord {
    int64_t id = 0, timeMs = 0;
    int64_t uid = -1;
    std::string actor, action, target, arguments, result, detail;
};

Json toJson(const CameraRecord&);
Json toJson(const VmsInstance&);
Json toJson(const PlanItem&);
Json toJson(const Plan&);
Json toJson(const JournalEntry&);
Json toJson(const AuditRecord&);
Json toJson(const Assignment&);

}  // namespace appliance::migration

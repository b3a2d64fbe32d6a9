// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/migration_types.h"

#include <array>
#include <chrono>
#include <cctype>
#include <cstring>

namespace appliance::migration {

int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool validCameraId(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    for (unsigned char c : id)
        if (!(std::isalnum(c) || c == ':' || c == '-' || c == '.' || c == '_' || c == '/')) return false;
    return true;
}

bool validStreamUri(const std::string& uri) {
    if (uri.size() > 512 || uri.rfind("rtsp://", 0) != 0 || uri.size() == 7) return false;
    for (unsigned char c : uri)
        if (c <= ' ' || c == '@' || c >= 0x7f) return false;
    return true;
}

namespace {

// Names are stored in the database and sent on the wire: never renumber, only append.
constexpr std::array kSteps{"invalid", "preflight", "attach", "verify", "detach", "verify-detached", "commit",
                            "rollback-remove-target", "rollback-restore-source", "rollback-verify-source",
                            "provision-instance"};
constexpr std::array kItemStates{"invalid", "pending", "running", "paused", "committed", "rolling-back", "rolled-back",
                                 "skipped", "failed"};
constexpr std::array kControls{"none", "pause", "resume", "skip", "retry", "rollback"};
constexpr std::array kPlanStates{"invalid", "draft", "running", "paused", "done"};

template <class E, std::size_t N>
E fromName(const std::array<const char*, N>& names, const std::string& name) {
    for (std::size_t i = 0; i < N; ++i)
        if (name == names[i]) return E(i);
    return E(0);
}

Json timeOrNull(int64_t ms) { return ms ? Json(double(ms) / 1000.0) : Json(nullptr); }

}  // namespace

const char* stepName(Step s) { return kSteps.at(std::size_t(s)); }
Step stepFromName(const std::string& n) { return fromName<Step>(kSteps, n); }
const char* itemStateName(ItemState s) { return kItemStates.at(std::size_t(s)); }
ItemState itemStateFromName(const std::string& n) { return fromName<ItemState>(kItemStates, n); }
const char* controlName(Control c) { return kControls.at(std::size_t(c)); }
Control controlFromName(const std::string& n) { return fromName<Control>(kControls, n); }
const char* planStateName(PlanState s) { return kPlanStates.at(std::size_t(s)); }
PlanState planStateFromName(const std::string& n) { return fromName<PlanState>(kPlanStates, n); }

Json toJson(const CameraRecord& c) {
    return {{"id", c.id}, {"name", c.name}, {"manufacturer", c.manufacturer}, {"model", c.model},
            {"firmware", c.firmware}, {"address", c.address}, {"previous_address", c.previousAddress},
            {"device_url", c.deviceUrl}, {"stream_uri", c.streamUri}, {"width", c.width}, {"height", c.height},
            {"fps", c.fps}, {"state", c.state}, {"detail", c.detail}, {"first_seen", timeOrNull(c.firstSeenMs)},
            {"last_seen", timeOrNull(c.lastSeenMs)}, {"has_credentials", c.hasCredentials}};
}

Json toJson(const VmsInstance& v) {
    return {{"vm", v.vm}, {"product", v.product}, {"version", v.version}, {"camera_limit", v.cameraLimit},
            {"cameras", v.cameras}, {"reachable", v.reachable}, {"reason", v.reason}, {"seen", timeOrNull(v.seenMs)}};
}

Json toJson(const PlanItem& i) {
    return {{"plan", i.planId}, {"position", i.position}, {"camera", i.cameraId}, {"target", i.targetVm},
            {"state", itemStateName(i.state)},
            {"step", stepName(i.step)}, {"mode", i.mode}, {"control", controlName(i.control)},
            {"attempts", i.attempts}, {"reason", i.reason}, {"reverse", i.reverse},
            {"source_vms_camera_id", i.sourceVmsCameraId}, {"target_vms_camera_id", i.targetVmsCameraId},
            {"gap_s", i.gapMs ? Json(double(*i.gapMs) / 1000.0) : Json(nullptr)},
            {"gap_from", i.gapMs ? Json(i.gapFrom) : Json(nullptr)},
            {"started", timeOrNull(i.startedMs)}, {"finished", timeOrNull(i.finishedMs)}};
}

Json toJson(const Plan& p) {
    Json items = Json::array();
    for (const auto& i : p.items) items.push_back(toJson(i));
    return {{"id", p.id}, {"source", p.sourceVm}, {"target", p.targetVm}, {"state", planStateName(p.state)},
            {"created_by", p.createdBy}, {"created", timeOrNull(p.createdMs)}, {"items", items},
            {"new_instance", p.newInstance.vm.empty() ? Json(nullptr)
                                                      : Json{{"vm", p.newInstance.vm}, {"image", p.newInstance.image},
                                                             {"memory_mib", p.newInstance.memoryMib}}}};
}

Json toJson(const JournalEntry& j) {
    return {{"id", j.id}, {"plan", j.planId}, {"camera", j.cameraId}, {"step", stepName(j.step)},
            {"intent_at", timeOrNull(j.intentMs)}, {"intent", j.intent},
            {"outcome", j.outcome ? Json(*j.outcome) : Json(nullptr)}, {"outcome_at", timeOrNull(j.outcomeMs)},
            {"detail", j.detail}};
}

Json toJson(const AuditRecord& a) {
    return {{"id", a.id}, {"time", timeOrNull(a.timeMs)}, {"uid", a.uid < 0 ? Json(nullptr) : Json(a.uid)},
            {"actor", a.actor}, {"action", a.action}, {"target", a.target}, {"arguments", a.arguments},
            {"result", a.result}, {"detail", a.detail}};
}

Json toJson(const Assignment& a) {
    return {{"camera", a.cameraId}, {"vm", a.vm}, {"since", timeOrNull(a.sinceMs)},
            {"plan", a.planId ? Json(a.planId) : Json(nullptr)}};
}

}  // namespace appliance::migration

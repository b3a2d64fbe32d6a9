// SPDX-License-Identifier: GPL-2.0-or-later
// The one interface the migration engine has to the VMSs inside the guests: applianced's vms.*
// verbs, which reach each guest's agent and its VMS adapter. Stream URIs here are as the guest
// sees them (uri_views.h converts). Calls block; each gateway object belongs to one thread.
#pragma once

#include <memory>
#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "migration/migration_types.h"

namespace appliance::migration {

/// One camera as a VMS reports it.
struct GuestCamera {
    std::string id;  ///< the VMS's own id
    std::string name, onvifId, streamUri;
    bool receiving = false, recording = false;
    std::optional<int64_t> lastFrameMs, lastRecordedMs;
    std::string reason;
};

struct GuestCameraSpec {
    std::string name, onvifId, streamUri;  ///< guest view of the stream
    CameraCredentials credentials;
    int width = 0, height = 0, fps = 0;
};

class VmsGateway {
public:
    virtual ~VmsGateway() = default;
    /// The names of the VMs applianced runs (running ones only).
    virtual Result<std::vector<std::string>> runningVms() = 0;
    virtual Result<VmsInstance> info(const std::string& vm) = 0;
    virtual Result<std::vector<GuestCamera>> cameras(const std::string& vm) = 0;
    /// The VMS's id for the new camera. Conflict when it has the camera already.
    virtual Result<std::string> add(const std::string& vm, const GuestCameraSpec& camera) = 0;
    virtual Status remove(const std::string& vm, const std::string& vmsCameraId) = 0;
    virtual Result<GuestCamera> status(const std::string& vm, const std::string& vmsCameraId) = 0;
    /// The VMS's own current picture of the camera (JPEG bytes, checked whole by applianced).
    virtual Result<std::string> snapshot(const std::string& vm, const std::string& vmsCameraId) = 0;
    /// The camera's own clock (epoch ms, drawn into its frames: common/frame_clock.h) in the first
    /// frame the VMS recorded of it at or after `sinceMs`, or in the last frame it recorded, read
    /// by the guest from the VMS's recordings (also after remove). NotFound: the camera draws no
    /// clock; Unavailable: not on the guest's disk yet.
    virtual Result<std::int64_t> recordedClock(const std::string& vm, const std::string& vmsCameraId, bool first,
                                               std::int64_t sinceMs) = 0;
    /// Creates and starts a VM from a VMS image (the instance a plan adds past a camera limit).
    virtual Status createVm(const std::string& vm, const std::string& image, int memoryMib) = 0;
};

struct AppliancedGatewaySettings {
    std::string socketPath = "/run/appliance/admin.sock";
    int readTimeoutMs = 90000;    ///< above applianced's own vms_read_timeout_ms, so its error wins
    int writeTimeoutMs = 180000;  ///< likewise for vms_write_timeout_ms
};

/// The real gateway: a client of applianced's admin API (camera-migratord must be an
/// administrator there: root or a member of its admin group). Reconnects after a failure.
std::unique_ptr<VmsGateway> makeAppliancedGateway(AppliancedGatewaySettings settings);

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
// The one interface vms-agentd has to the VMS product next to it (ZoneMinder, motion). Each
// adapter drives its VMS the way that VMS is meant to be driven (ZoneMinder: its REST API; motion:
// its config files and web control). Calls block (they talk HTTP to the VMS on this guest) and
// are made from vms-agentd's command thread, one at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/ffmpeg_frame.h"
#include "common/result.h"

namespace appliance::agent {

/// A camera to add. The credentials reach the VMS's own configuration and nowhere else (never a
/// log line).
struct CameraSpec {
    std::string name;       ///< what the operator sees in the VMS; printable, at most 64 bytes
    std::string onvifId;    ///< the camera's ONVIF endpoint reference (urn:uuid:...), may be empty
    std::string streamUri;  ///< rtsp://host:port/path, without credentials
    std::string username;
    std::string password;
    int width = 0;   ///< 0: the adapter's default for a sub stream
    int height = 0;
    int fps = 0;
};

/// What the VMS says about one of its cameras, right now.
struct CameraState {
    std::string id;  ///< the VMS's own id for the camera (motion camera_id, ZoneMinder monitor Id)
    std::string name;
    std::string onvifId;    ///< as recorded when the agent added it; empty for cameras added otherwise
    std::string streamUri;  ///< without credentials
    /// New frames arrive: the picture changes (not the last frame repeated after the stream died).
    bool receiving = false;
    /// The VMS is writing a recording of this camera now.
    bool recording = false;
    std::optional<double> lastFrameS;     ///< when a new frame was last seen (epoch s), if known
    std::optional<double> lastRecordedS;  ///< when the recording last grew (epoch s), if known
    std::string reason;  ///< when not receiving or not recording: why, in a sentence
};

/// A frame's camera clock read from a recording (common/frame_clock.h).
struct RecordedClock {
    std::int64_t clockMs = 0;  ///< the camera's time in the frame, epoch ms
    std::string file;          ///< the recording it was read from
};

struct VmsInfo {
    std::string product;  ///< "zoneminder" or "motion"
    std::string version;  ///< as the VMS reports it, e.g. "1.36.33", "4.5.1"
    int cameras = 0;
    int cameraLimit = 0;  ///< how many cameras this VMS instance takes (motion: its spare slots; ZoneMinder: configured)
    bool ready = false;   ///< the VMS answers and records
    std::string reason;   ///< when not ready: why
};

class VmsAdapter {
public:
    virtual ~VmsAdapter() = default;
    virtual Result<VmsInfo> info() = 0;
    /// Every camera the VMS has, with `receiving`/`recording` as cheap checks allow (list view).
    /// motion: two snapshots of every camera, one wait for all (~2 s under TCG); ZoneMinder: one
    /// API call per camera plus its shared memory (~1 s per camera under TCG).
    virtual Result<std::vector<CameraState>> cameras() = 0;
    /// Adds the camera and starts recording it; returns its id. A camera with the same stream URI
    /// or ONVIF id already present is a Conflict; a full VMS is Conflict too (with its limit).
    virtual Result<std::string> add(const CameraSpec& camera) = 0;
    /// Stops recording the camera and removes it; its recordings stay. Unknown id: NotFound.
    virtual Status remove(const std::string& id) = 0;
    /// One camera, checked thoroughly: do new frames arrive, is a recording being written. How
    /// each adapter decides, and its bounds, is said in motion_adapter.h and zoneminder_adapter.h.
    virtual Result<CameraState> status(const std::string& id) = 0;
    /// The VMS's own current picture of the camera (a whole JPEG of at most kMaxSnapshotBytes):
    /// what the operator would see in that VMS. Unknown id: NotFound; a VMS that has no picture
    /// yet (a camera not recorded now, a recording not yet on disk) says so with Unavailable.
    virtual Result<std::string> snapshot(const std::string& id) = 0;
    /// The camera's own clock in the first frame the VMS recorded of it at or after `sinceMs`
    /// (epoch ms, on the camera's clock), or in the last frame it recorded; read from the
    /// recordings on disk, which stay after remove(). How long ago a move started is given by
    /// the caller, so a slot or id the VMS reuses does not mix two cameras. Unknown id: NotFound;
    /// a camera that draws no clock: NotFound; nothing readable on disk yet: Unavailable.
    /// Each call decodes one or a few frames with ffmpeg (seconds of CPU under emulation).
    virtual Result<RecordedClock> recordedClock(const std::string& id, FrameEnd end, std::int64_t sinceMs) = 0;
};

/// The largest picture an agent sends the host (the host takes answers of up to 256 KiB, and a
/// picture travels as base64). A sub stream's JPEG is 10-40 KiB.
inline constexpr std::size_t kMaxSnapshotBytes = 160 * 1024;

/// The adapter for the VMS installed on this machine ("auto": whichever is installed), or an
/// error naming what was looked for.
Result<std::unique_ptr<VmsAdapter>> makeVmsAdapter(const std::string& product);

}  // namespace appliance::agent

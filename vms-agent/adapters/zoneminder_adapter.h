// SPDX-License-Identifier: GPL-2.0-or-later
// ZoneMinder 1.36.33 through its REST API (zm_api.h) and, for the recordings' files, the guest's
// file system (the agent runs as root beside ZoneMinder).
//
// Add: POST monitors.json with the fields that record without decoding (Function Record, camera
// passthrough, README), credentials percent-encoded in the Path's user information; ZoneMinder
// answers without an id, so the new id is the monitor of that name that was not there before.
// The ONVIF id goes into the monitor's Notes ("appliance-onvif-id: ..."), so it lives and dies
// with the monitor.
// Remove: the monitor is retired, not deleted: Function None (its capture daemon stops and the
// open event is closed), Enabled 0, the credentials taken out of its Path, and Notes marked
// "appliance-removed: TIME". Deleting would keep the events in the database and on disk, but
// ZoneMinder's web UI lists events through an INNER JOIN on Monitors (www/ajax/events.php), so
// the recordings of a deleted monitor could no longer be browsed. Retired monitors are not
// cameras for the agent (not listed, not counted, NotFound).
// Receiving: zmc's shared memory says the last frame was captured within freshS and zmc's
// heartbeat is as fresh (zm_shared_memory.h). Not Monitor_Status Connected/CaptureFPS: the
// database is refreshed every ~100 frames and lags both ways (seen on 1.36.33: "Connected"
// through a frozen stream; CaptureFPS 0.00 for over 10 s after a reconnection while frames were
// recorded), and the event file grows in 256 KB steps, so neither shows a stop or a recovery soon.
// Recording: receiving, the newest event is open (EndDateTime null), zmc says it writes that
// event, and its video file exists.
// Picture: zmc does not decode, so ZoneMinder has no live image in memory. The picture is
// ZoneMinder's recording itself: the keyframe that starts the newest complete fragment of the
// event zmc is writing (fmp4_tail.h), decoded by ffmpeg (ffmpeg_frame.h), as ZoneMinder's own
// web pages cut frames out of recordings. It lags live by up to the 256 KB ZoneMinder buffers
// (10-90 s of a sub stream; until the event being written has a whole fragment on disk, the
// picture comes from the monitor's event before it), and costs one short ffmpeg run when a
// picture is asked for and the recording has grown since the last one (else that one again), at
// most one run per decodeSpacingS, each camera in turn (ffmpeg's start costs ~1.5 s of CPU under TCG).
// Camera limit: ZoneMinder has none of its own; the adapter takes the number in
// cameraLimitFile (one integer), else defaultCameraLimit.
// Context: vms-agentd's command thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/vms_adapter.h"
#include "adapters/zm_api.h"

namespace appliance::agent {

struct ZoneMinderOptions {
    zm::ApiOptions api;
    std::string cameraLimitFile = "/etc/appliance-vms/camera-limit";
    int defaultCameraLimit = 8;
    std::string shmDir = "/dev/shm";  ///< ZM_PATH_MAP
    std::string eventsDir = "/var/cache/zoneminder/events";  ///< the default storage area, "Medium" scheme
    std::string ffmpegPath = "/usr/bin/ffmpeg";
    double decodeSpacingS = 8;  ///< at least this long between two ffmpeg runs (snapshot())
    double freshS = 3;
};

class ZoneMinderAdapter : public VmsAdapter {
public:
    explicit ZoneMinderAdapter(ZoneMinderOptions options = {});
    Result<VmsInfo> info() override;
    Result<std::vector<CameraState>> cameras() override;
    Result<std::string> add(const CameraSpec& camera) override;
    Status remove(const std::string& id) override;
    Result<CameraState> status(const std::string& id) override;
    /// The newest keyframe ZoneMinder has recorded of the camera (above).
    Result<std::string> snapshot(const std::string& id) override;
    /// From the monitor's first event's first fragment, or its last event's newest fragment
    /// (complete once the monitor is retired: zmc closes the event).
    Result<RecordedClock> recordedClock(const std::string& id, FrameEnd end, std::int64_t sinceMs) override;

    struct Monitor {
        std::string id, name, function, path, notes, status;
        double captureFps = 0;
        bool retired = false;
        std::string onvifId;
    };

private:
    Result<std::vector<Monitor>> monitors();
    Result<Monitor> monitor(const std::string& id);
    CameraState probe(const Monitor& m);
    /// The monitor's events (id, directory), oldest first; only the newest two date directories
    /// when `newestDatesOnly`.
    std::vector<std::pair<std::uint64_t, std::string>> monitorEvents(const std::string& monitorId, bool newestDatesOnly);
    /// The video of the event zmc writes, then of the monitor's event before it (newest first).
    std::vector<std::string> eventVideos(const std::string& monitorId, std::uint64_t currentEvent);
    int cameraLimit();

    ZoneMinderOptions m_opt;
    zm::Api m_api;
    /// The last picture per monitor and the recording size it was cut from (snapshot()).
    struct Picture {
        std::string video;
        std::uint64_t sizeBytes = 0;
        std::string jpeg;
    };
    double m_nextDecodeS = 0;                      ///< steady clock: no ffmpeg run before this
    std::map<std::string, double> m_lastDecodeS;  ///< per monitor: its last ffmpeg run (steady clock)
    static constexpr std::size_t kMaxCachedPictures = 64;
    std::map<std::string, Picture> m_pictures;
};

}  // namespace appliance::agent

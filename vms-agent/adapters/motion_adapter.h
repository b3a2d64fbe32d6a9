// SPDX-License-Identifier: GPL-2.0-or-later
// motion 4.5.1 through its web control (port 8080, plain text), its stream port (8081:
// ID/status.json, ID/current) and its camera files (/etc/motion/cameras, see
// motion_camera_files.h).
//
// Spare slots: motion reads its camera files only when it starts or reloads, and a reload
// restarts every camera (~23 s without recording each, README). So the image ships a fixed number
// of spare camera files (images/vms-guest/motion/setup.sh, four), loaded when motion starts; the
// camera limit is that number. Attaching a camera rewrites one slot's file (the lasting record;
// config/set changes motion's memory only) and sets the same values through the web control,
// then restarts that slot's thread only. Detaching sets the slot back to the spare URL the same
// way. The adapter never reloads motion; if the slots are missing it says so (info: not ready).
//
// Receiving: motion repeats its last picture after a stream dies (until its netcam thread notices,
// seconds later), and status.json's lost_connection turns on only after 30 s more, so the adapter
// compares two pictures of the camera taken sampleIntervalMs apart (more than a second: the
// simulator's clock, and a real camera's OSD, change once a second). The pictures are snapshots
// (action/snapshot, written to target_dir/probe/ID-lastsnap.jpg by motion.conf's
// snapshot_filename), not ID/current: motion 4.5.1 counts stream viewers per camera and resets
// the count when that camera's thread restarts, so a picture fetched during a restart (right
// after an add) leaves the count at -1 and ID/current answers "Bad Request" from then on (seen).
// Only the JPEG's scan data is compared: its EXIF block carries the time. motion.conf must not
// draw text of motion's own on the picture (text_left/text_right ""), or every picture differs.
// Recording: receiving, and the newest file in target_dir/ID was written within movie_max_time +
// 5 s (motion buffers 256 KB before writing, so a low bit rate writes seldom; a new file starts at
// least every movie_max_time).
// Context: vms-agentd's command thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "adapters/http_client.h"
#include "adapters/motion_camera_files.h"
#include "adapters/vms_adapter.h"

namespace appliance::agent {

struct MotionOptions {
    std::string host = "127.0.0.1";
    int webPort = 8080;
    int streamPort = 8081;
    std::string cameraDir = "/etc/motion/cameras";
    std::string targetDir = "/var/lib/motion";
    std::string motionConf = "/etc/motion/motion.conf";
    std::string ffmpegPath = "/usr/bin/ffmpeg";  ///< decodes frames of the recordings (recordedClock)
    int sampleIntervalMs = 1200;
};

/// How long motion may take to write a snapshot it was asked for (its next frame).
inline constexpr int kSnapshotWaitMs = 3000;

class MotionAdapter : public VmsAdapter {
public:
    explicit MotionAdapter(MotionOptions options = {});
    Result<VmsInfo> info() override;
    Result<std::vector<CameraState>> cameras() override;
    Result<std::string> add(const CameraSpec& camera) override;
    Status remove(const std::string& id) override;
    Result<CameraState> status(const std::string& id) override;
    /// motion's snapshot of the camera (action/snapshot, the file it writes; see above).
    Result<std::string> snapshot(const std::string& id) override;
    /// From the camera's files written since `sinceMs` (motion_recordings.cpp): the first frame
    /// of the first (also while motion writes it), or the last seconds of the newest once closed.
    Result<RecordedClock> recordedClock(const std::string& id, FrameEnd end, std::int64_t sinceMs) override;

private:
    Result<motion::Slot> slot(const std::string& id);
    /// GET on the web control; an answer without "Done" (or not 200) is an error.
    Result<std::string> control(const std::string& target, const std::string& what);
    /// config/set KEY=VALUE on one camera.
    Status set(int cameraId, const std::string& key, const std::string& value);
    struct Home {
        std::string version;
        std::vector<int> cameraIds;  ///< the cameras motion runs now
    };
    /// The web control's "/" page.
    Result<Home> home();
    Status applyToRunningMotion(int cameraId, const motion::SlotConfig* camera);
    /// One whole JPEG of each camera in `slots`; a failure goes into `errors`.
    void takeSnapshots(const std::vector<motion::Slot>& slots, std::vector<std::string>& out,
                       std::vector<std::string>& errors);
    std::string snapshotPath(int cameraId) const;
    /// The state of each camera in `slots`, sampled together (one wait for all).
    std::vector<CameraState> probe(const std::vector<motion::Slot>& slots);
    double recordingFreshS();
    /// A setting of motion.conf as written there (the first line "KEY VALUE"), or `fallback`.
    std::string confValue(const std::string& key, const std::string& fallback);

    MotionOptions m_opt;
    http::HttpClient m_web;
    http::HttpClient m_stream;
    std::map<int, double> m_lastNewFrameS;  ///< per camera id: when two pictures last differed
};

}  // namespace appliance::agent

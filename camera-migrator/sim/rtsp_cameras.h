// SPDX-License-Identifier: GPL-2.0-or-later
// The cameras' RTSP servers (gst-rtsp-server): one server per camera on its own port, like real
// cameras, each with /<id>/main and /<id>/sub: an H.264 test pattern with the camera's name and a
// running clock drawn on it (and the machine-readable one of common/frame_clock.h). Basic and
// digest credentials per camera; optionally a limit of RTSP sessions at once, as many cameras
// have (the next SETUP is answered 453 Not Enough Bandwidth). All servers share one GLib main
// loop on one thread; clients' requests may be handled on gst-rtsp-server's thread pool, so the
// session counts have their own lock, and each client holds a share of its camera's count.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "sim/simulated_camera.h"

typedef struct _GMainContext GMainContext;
typedef struct _GMainLoop GMainLoop;

namespace appliance::camera::sim {

class RtspCameras {
public:
    RtspCameras();
    ~RtspCameras();
    /// Adds a server for each camera (telling each camera its port) and starts the loop.
    Status start(const std::vector<SimulatedCamera*>& cameras);
    void stop();

    /// The clients (sessions) a camera serves now, and how many it takes (0: no limit).
    struct SessionLimit {
        int max = 0;
        int refusal = 453;   ///< the RTSP status of a refused SETUP
        std::string camera;  ///< its id, for the log
        std::mutex mutex;
        std::set<void*> admitted;  ///< clients that have done their first SETUP
    };

private:
    GMainContext* m_context = nullptr;
    GMainLoop* m_loop = nullptr;
    std::vector<void*> m_servers;
    std::thread m_thread;
};

/// The GStreamer launch line of one stream (exposed for the tests of its escaping).
std::string streamLaunchLine(const CameraConfig& camera, const StreamSpec& spec, int patternIndex);
/// The videotestsrc pattern of the `patternIndex`-th camera (cameras differ, so a picture shows which it is).
const char* testPattern(int patternIndex);

}  // namespace appliance::camera::sim

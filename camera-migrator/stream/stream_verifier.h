// SPDX-License-Identifier: GPL-2.0-or-later
// Proves that video flows: opens an RTSP URI with credentials (GStreamer: rtspsrc ! decodebin),
// waits for the first decoded frame, then counts frames for a while. Errors say what went wrong:
// refused credentials (401), no such stream (404), nothing answering, a timeout, no video.
// Context: a blocking call; any thread (each call has its own pipeline).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "onvif/onvif_types.h"

namespace appliance::camera {

struct VerifyOptions {
    std::chrono::milliseconds firstFrameTimeout{10000};
    std::chrono::milliseconds measureFor{2000};  ///< after the first frame, for frames/s
    std::chrono::milliseconds stallTimeout{3000};///< no frame for this long after the first: the video froze
    bool tcp = true;                             ///< RTP over the RTSP connection (no UDP ports to open)
};

struct StreamReport {
    std::string uri;
    double firstFrameS = 0;  ///< from opening to the first decoded frame
    double framesPerS = 0;
    int frames = 0;          ///< decoded during the measurement
    int width = 0, height = 0;
    std::string codec;       ///< as RTP names it: "H264", "H265", "JPEG", ...
    /// The camera's own clock in the last decoded frame (common/frame_clock.h; the simulator's
    /// cameras carry one, real ones do not), and how long before this host received that frame
    /// it was made (same clock when the camera is simulated on this host).
    std::optional<std::int64_t> cameraClockMs;
    std::optional<std::int64_t> cameraToHostMs;
    int framesWithClock = 0;  ///< of all frames decoded, those whose clock read (the checksum matched)
};

Result<StreamReport> verifyStream(const std::string& rtspUri, const Credentials& credentials, const VerifyOptions& options = {});

nlohmann::json toJson(const StreamReport&);

}  // namespace appliance::camera

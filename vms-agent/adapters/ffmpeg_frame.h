// SPDX-License-Identifier: GPL-2.0-or-later
// One picture out of a few MB of recorded video, by the ffmpeg program: the guest's VMS records
// without decoding, so the agent decodes the newest fragment's keyframe itself (fmp4_tail.h) when
// asked for a snapshot. A separate process, not libavcodec in the agent: a decoder crash or hang
// on a camera's odd stream costs one request, not the agent.
// Context: the adapter's thread; blocks up to the timeout given.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace appliance::agent {

/// The first video frame of `mp4Bytes` (a whole small MP4, e.g. newestFragment()'s answer) as a
/// whole JPEG of at most kMaxSnapshotBytes, scaled down to at most `maxWidth` pixels wide.
/// ffmpeg reads the bytes from a private temporary file ($TMPDIR or /tmp, mode 0600, removed
/// before this returns) and runs in its own process group, killed with everything it started
/// when `timeoutS` passes.
/// Errors: bad maxWidth/timeoutS → InvalidArgument; no program at `ffmpegPath` → Unavailable;
/// not done within timeoutS → Timeout; ffmpeg failed or decoded nothing → NoVideo (with its
/// own message); a picture over kMaxSnapshotBytes → TooLarge; output that is not a whole JPEG →
/// MalformedAnswer.
Result<std::string> firstFrameAsJpeg(const std::string& mp4Bytes, int maxWidth, double timeoutS,
                                     const std::string& ffmpegPath = "/usr/bin/ffmpeg");

enum class FrameEnd { First, Last };
struct FrameClockRequest {
    std::string format = "mov";  ///< "mov" (MP4, also one fragment of one) or "h264" (Annex B elementary stream)
    FrameEnd end = FrameEnd::First;
    /// Last frames of a whole MP4: decode only its last seconds (ffmpeg -sseof); 0: all of it
    /// (a single fragment is one GOP, a second).
    double lastSeconds = 0;
};

/// The camera's own clock (common/frame_clock.h) in the first or last video frame of
/// `videoBytes`, decoded by ffmpeg to a grey picture under the same rules as firstFrameAsJpeg.
/// Errors as firstFrameAsJpeg's; a frame without a readable clock → NotFound.
Result<std::int64_t> frameClock(const std::string& videoBytes, const FrameClockRequest& request, double timeoutS,
                                const std::string& ffmpegPath = "/usr/bin/ffmpeg");

}  // namespace appliance::agent

// SPDX-License-Identifier: GPL-2.0-or-later
// One picture out of a few MB of recorded video, by the ffmpeg program: the guest's VMS records
// without decoding, so the agent decodes the newest fragment's keyframe itself (fmp4_tail.h) when
// asked for a snapshot. A separate process, not libavcodec in the agent: a decoder crash or hang
// on a camera's odd stream costs one request, not the agent.
// Context: the adapter's thread; blocks up to the timeout given.
#pragma once

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

}  // namespace appliance::agent

// SPDX-License-Identifier: GPL-2.0-or-later
// The start of the H.264 video in an MP4 whose mdat comes before its moov, as an Annex B stream a
// decoder reads without the moov. motion records that way (movie_passthrough: the camera's own
// packets, moov written only when the file is closed, every movie_max_time), so the first frames of
// a recording motion is still writing are readable only like this. The camera's parameter sets
// must be in the samples (cameras that repeat them before each keyframe, as RTSP cameras do,
// and the appliance's simulated ones, config-interval=1).
// Context: the adapter's thread; reads at most `maxBytes` of the file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace appliance::agent {

/// The first NAL units in the mdat of the MP4 at `path`, each as 00 00 00 01 + unit, from at most
/// `maxBytes` of samples (4-byte big-endian lengths, as libavformat's MP4 muxer writes H.264).
/// A unit cut by the end of the file or of `maxBytes` is left out.
/// Errors: no file → NotFound; no mdat or no whole unit yet → Unavailable; boxes or lengths that
/// cannot be true → MalformedAnswer.
/// Whether the MP4 at `path` is still being written: libavformat writes the mdat box with size 0
/// and fills it in (and appends the moov box) when the file is closed. nullopt: not an MP4 as
/// expected (or unreadable).
std::optional<bool> mp4BeingWritten(const std::string& path);

Result<std::string> annexBFromMdat(const std::string& path, std::size_t maxBytes = 1024 * 1024);

/// The same from the last keyframe on (the last SPS and everything after it that is whole on
/// disk): the newest frames of a file still being written, at the cost of one 5-byte read per
/// unit. Errors as annexBFromMdat; a last keyframe interval over `maxBytes` → TooLarge.
Result<std::string> annexBTailFromMdat(const std::string& path, std::size_t maxBytes = 8 * 1024 * 1024);

/// The newest frames of a camera that are on disk, from its recordings in time order (oldest
/// first): annexBTailFromMdat of the newest file that has a whole keyframe interval, looking at
/// most `maxFiles` back. libavformat writes a file in 256 KiB steps, so a camera's open file holds
/// nothing (a sub stream fills 256 KiB in minutes) while the one before it, closed at its rotation,
/// is whole. Errors: the newest file's, when none of them has one; another error at once.
struct RecordedTail {
    std::string path, annexB;
};
Result<RecordedTail> newestTailOnDisk(const std::vector<std::string>& pathsOldestFirst, std::size_t maxFiles = 3);

}  // namespace appliance::agent

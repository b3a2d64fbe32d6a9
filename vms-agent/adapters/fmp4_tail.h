// SPDX-License-Identifier: GPL-2.0-or-later
// The newest whole fragment of a fragmented MP4 that is still being written, as a small fragmented
// MP4 of its own. ZoneMinder 1.36 records a camera without decoding into such a file (ftyp, an
// empty moov, then one moof+mdat pair per GOP, each starting with a keyframe) and has no picture
// of the camera; the first frame of the newest fragment is the closest thing to one, and a decoder
// (ffmpeg_frame.h) turns it into a JPEG without ZoneMinder decoding anything.
// Context: the adapter's thread; blocks on local file reads (16-byte box headers, then the
// init segment and one fragment).
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"

namespace appliance::agent {

/// The init segment (ftyp+moov) of the fragmented MP4 at `path` followed by its last complete
/// moof+mdat pair. Every tfhd base_data_offset in that moof (absolute file offsets in
/// ZoneMinder's files) is moved by the distance the pair moved, so it points at the same bytes of
/// the composed buffer; everything else is byte-identical to the file.
/// Errors: no file → NotFound; no complete fragment yet (the writer flushes in 256 KB steps) →
/// Unavailable; not a fragmented MP4 or inconsistent box sizes → MalformedAnswer; the composed
/// buffer over `maxBytes` → TooLarge.
Result<std::string> newestFragment(const std::string& path, std::size_t maxBytes = 2 * 1024 * 1024);

enum class Fragment { First, Newest };
/// The same for the file's first complete fragment (the first second the VMS recorded of the
/// event) or its newest one.
Result<std::string> wholeFragment(const std::string& path, Fragment which, std::size_t maxBytes = 2 * 1024 * 1024);

}  // namespace appliance::agent

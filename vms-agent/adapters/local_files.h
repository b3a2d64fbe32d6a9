// SPDX-License-Identifier: GPL-2.0-or-later
// Small file helpers the VMS adapters share: the agent runs as root in the same guest as the VMS,
// so it reads the VMS's recordings' sizes and times and writes its camera files directly.
// Context: the adapter's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <sys/types.h>

#include "common/result.h"

namespace appliance::agent {

struct FileFacts {
    std::string path;
    std::uint64_t sizeBytes = 0;
    double mtimeS = 0;  ///< epoch seconds, sub-second precision
};

/// Seconds since the epoch, now.
double nowS();
std::optional<FileFacts> statFile(const std::string& path);
/// The most recently modified regular file directly inside `dir` (not in subdirectories).
std::optional<FileFacts> newestFileIn(const std::string& dir);
/// Whether a read follows a symbolic link: only for files root or the image set up (a config file
/// an administrator may link elsewhere); never where the VMS's own user writes (snapshots,
/// recordings, shared memory), where a planted link would make the agent read as root what it
/// points at. Either way only a regular file is read, and a FIFO never blocks the call.
enum class Links { Follow, Refuse };
/// A whole small file; over `maxBytes` is TooLarge, a missing one NotFound.
Result<std::string> readSmallFile(const std::string& path, std::size_t maxBytes = 64 * 1024, Links links = Links::Follow);
/// The first `bytes` bytes of a file (fewer if it is shorter); empty if it cannot be read.
std::string readHead(const std::string& path, std::size_t bytes, Links links = Links::Follow);
/// Writes `text` to a temporary file beside `path` (a dot file, so that a directory reader that
/// takes "*.conf" never sees it half-written), sets owner and mode, fsyncs and renames it over
/// `path`. gid -1 keeps the caller's group.
Status writeFileAtomically(const std::string& path, const std::string& text, mode_t mode, gid_t gid = gid_t(-1));

}  // namespace appliance::agent

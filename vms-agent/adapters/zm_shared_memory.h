// SPDX-License-Identifier: GPL-2.0-or-later
// What ZoneMinder's capture daemon (zmc) publishes about a monitor in its shared memory
// (/dev/shm/zm.mmap.ID): the time of the last captured frame and the event it writes. zmc
// updates it for every packet, also without decoding, so it answers "do new frames arrive" at
// once and to the second, where the database's Monitor_Status is refreshed every ~100 frames and
// the event file grows in 256 KB steps. The layout is ZoneMinder 1.36's SharedData (the same as
// its Perl ZoneMinder::Memory); a size field that does not match means another layout, and the
// reader says so instead of guessing.
// Context: the adapter's thread (the agent runs as root; the file is www-data 0640).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace appliance::agent::zm {

struct SharedState {
    bool valid = false;        ///< zmc has set the memory up
    double startupS = 0;       ///< when zmc started (epoch s)
    double heartbeatS = 0;     ///< zmc's heartbeat, constantly updated while it runs
    double lastWriteS = 0;     ///< when the last frame was captured (whole seconds)
    std::uint64_t lastEvent = 0;  ///< the event zmc records into now (or last did)
    double captureFps = 0;
};

/// Reads zmc's shared memory for monitor `id` under `dir` (ZM_PATH_MAP, /dev/shm).
Result<SharedState> readSharedState(const std::string& dir, const std::string& id);

}  // namespace appliance::agent::zm

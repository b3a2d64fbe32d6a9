// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/zm_shared_memory.h"

#include <cstring>

#include "adapters/local_files.h"

namespace appliance::agent::zm {

namespace {
// ZoneMinder 1.36 SharedData (zm_monitor.h; Perl: ZoneMinder/Memory.pm), 64-bit guest.
constexpr std::uint32_t kSharedDataSize = 760;
constexpr std::size_t kCaptureFps = 16, kLastEvent = 32, kValid = 68, kStartup = 88, kHeartbeat = 96,
                      kLastWrite = 104, kHeadBytes = 120;

template <class T>
T at(const std::string& b, std::size_t off) {
    T v;
    std::memcpy(&v, b.data() + off, sizeof v);  // native byte order: written by zmc on this machine
    return v;
}
}  // namespace

Result<SharedState> readSharedState(const std::string& dir, const std::string& id) {
    const std::string path = dir + "/zm.mmap." + id;
    const std::string head = readHead(path, kHeadBytes, Links::Refuse);
    if (head.empty())
        return makeError(ErrorClass::NotFound, "ZoneMinder's capture daemon has no shared memory " + path +
                                                   " (it is not running for this monitor)");
    if (head.size() < kHeadBytes || at<std::uint32_t>(head, 0) != kSharedDataSize)
        return makeError(ErrorClass::MalformedAnswer, path + " is not ZoneMinder 1.36's layout (SharedData of " +
                                                          std::to_string(kSharedDataSize) + " bytes)");
    SharedState s;
    s.valid = head[kValid] != 0;
    s.captureFps = at<double>(head, kCaptureFps);
    s.lastEvent = at<std::uint64_t>(head, kLastEvent);
    s.startupS = double(at<std::int64_t>(head, kStartup));
    s.heartbeatS = double(at<std::int64_t>(head, kHeartbeat));
    s.lastWriteS = double(at<std::int64_t>(head, kLastWrite));
    return s;
}

}  // namespace appliance::agent::zm

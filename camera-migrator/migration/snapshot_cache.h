// SPDX-License-Identifier: GPL-2.0-or-later
// Pictures for the wizard's thumbnails: the last JPEG each source gave (a camera's ONVIF snapshot
// URI, or a VMS's own view of a camera), refreshed on the cache's own thread when someone asks for
// one older than `maxAge`. A source that never answers costs that thread its timeouts, never the
// caller: get() only reads the cache and queues a refresh. Camera snapshots use HTTP, not an RTSP
// session, so they take nothing from a camera that serves only two streams while it moves.
// Context: get() from any thread; fetches on the cache's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "common/result.h"
#include "migration/migration_types.h"

namespace appliance::migration {

class SnapshotCache {
public:
    struct Shot {
        std::string jpeg;     ///< empty: none yet
        int64_t takenMs = 0;  ///< when `jpeg` was taken
        std::string error;    ///< why the last refresh failed ("" if it worked)
        bool refreshing = false;
    };
    /// Takes one JPEG from its source (blocking, bounded by its own timeouts); runs on the
    /// cache's thread, one at a time.
    using Fetch = std::function<Result<std::string>()>;

    explicit SnapshotCache(std::chrono::milliseconds maxAge, std::size_t maxQueued = 64);
    ~SnapshotCache();
    /// What the cache has under `key` now; queues `fetch` if that is older than maxAge. An empty
    /// `fetch` (no source known) fetches nothing.
    Shot get(const std::string& key, Fetch fetch);
    void stop();

private:
    struct Job {
        std::string key;
        Fetch fetch;
    };
    void loop();
    const std::chrono::milliseconds m_maxAge;
    const std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<std::string, Shot> m_shots;
    std::map<std::string, int64_t> m_nextTryMs;  ///< a source that failed is asked again after maxAge
    std::deque<Job> m_jobs;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace appliance::migration

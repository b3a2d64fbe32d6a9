// SPDX-License-Identifier: GPL-2.0-or-later
// The cameras' pictures for the wizard's thumbnails: the last JPEG each camera's ONVIF snapshot
// URI gave, refreshed on its own thread when someone asks for one older than `maxAge`. A camera
// that never answers costs that thread its timeouts, never the caller: get() only reads the cache
// and queues a refresh. Snapshots use HTTP, not an RTSP session, so they take nothing from a
// camera that serves only two streams while it moves.
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
    /// Takes one JPEG from the camera's ONVIF service (blocking, bounded by its own timeouts).
    using Fetch = std::function<Result<std::string>(const std::string& deviceUrl, const CameraCredentials&)>;

    SnapshotCache(Fetch fetch, std::chrono::milliseconds maxAge, std::size_t maxQueued = 64);
    ~SnapshotCache();
    /// What the cache has for the camera now; queues a refresh if it is older than maxAge.
    Shot get(const std::string& cameraId, const std::string& deviceUrl, const CameraCredentials& credentials);
    void stop();

private:
    struct Job {
        std::string cameraId, deviceUrl;
        CameraCredentials credentials;
    };
    void loop();
    Fetch m_fetch;
    const std::chrono::milliseconds m_maxAge;
    const std::size_t m_maxQueued;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<std::string, Shot> m_shots;
    std::map<std::string, int64_t> m_nextTryMs;  ///< a camera that failed is asked again after maxAge
    std::deque<Job> m_jobs;
    bool m_stop = false;
    std::thread m_thread;
};

/// RFC 4648 base64 (for JPEGs in JSON answers).
std::string toBase64(const std::string& bytes);

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/snapshot_cache.h"

namespace appliance::migration {

SnapshotCache::SnapshotCache(Fetch fetch, std::chrono::milliseconds maxAge, std::size_t maxQueued)
    : m_fetch(std::move(fetch)), m_maxAge(maxAge), m_maxQueued(maxQueued) {
    m_thread = std::thread([this] { loop(); });
}

SnapshotCache::~SnapshotCache() { stop(); }

void SnapshotCache::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

SnapshotCache::Shot SnapshotCache::get(const std::string& cameraId, const std::string& deviceUrl,
                                       const CameraCredentials& credentials) {
    std::lock_guard lock(m_mutex);
    Shot& shot = m_shots[cameraId];
    const int64_t now = nowMs();
    const bool stale = now - shot.takenMs >= m_maxAge.count() && now >= m_nextTryMs[cameraId];
    if (stale && !shot.refreshing && !deviceUrl.empty() && m_jobs.size() < m_maxQueued && !m_stop) {
        shot.refreshing = true;
        m_jobs.push_back({cameraId, deviceUrl, credentials});
        m_cv.notify_one();
    }
    return shot;
}

void SnapshotCache::loop() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_stop) return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        auto jpeg = m_fetch(job.deviceUrl, job.credentials);
        std::lock_guard lock(m_mutex);
        Shot& shot = m_shots[job.cameraId];
        shot.refreshing = false;
        // A failed refresh keeps the last picture (with its time) and says why; the page shows
        // both. A camera that does not answer costs this thread its timeouts: it waits its turn.
        if (jpeg) shot.jpeg = std::move(*jpeg), shot.takenMs = nowMs(), shot.error.clear();
        else shot.error = jpeg.error().message;
        m_nextTryMs[job.cameraId] = nowMs() + (jpeg ? 0 : m_maxAge.count());
    }
}

std::string toBase64(const std::string& bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = unsigned(uint8_t(bytes[i])) << 16 | unsigned(uint8_t(bytes[i + 1])) << 8 | uint8_t(bytes[i + 2]);
        for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
    }
    if (const std::size_t rest = bytes.size() - i) {
        unsigned v = unsigned(uint8_t(bytes[i])) << 16;
        if (rest == 2) v |= unsigned(uint8_t(bytes[i + 1])) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

}  // namespace appliance::migration

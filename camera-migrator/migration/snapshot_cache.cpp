// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/snapshot_cache.h"

namespace appliance::migration {

SnapshotCache::SnapshotCache(std::chrono::milliseconds maxAge, std::size_t maxQueued)
    : m_maxAge(maxAge), m_maxQueued(maxQueued) {
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

SnapshotCache::Shot SnapshotCache::get(const std::string& key, Fetch fetch) {
    std::lock_guard lock(m_mutex);
    Shot& shot = m_shots[key];
    const int64_t now = nowMs();
    const bool stale = now - shot.takenMs >= m_maxAge.count() && now >= m_nextTryMs[key];
    if (stale && !shot.refreshing && fetch && m_jobs.size() < m_maxQueued && !m_stop) {
        shot.refreshing = true;
        m_jobs.push_back({key, std::move(fetch)});
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
        auto jpeg = job.fetch();
        std::lock_guard lock(m_mutex);
        Shot& shot = m_shots[job.key];
        shot.refreshing = false;
        // A failed refresh keeps the last picture (with its time) and says why; the page shows
        // both. A source that does not answer costs this thread its timeouts: it waits its turn.
        if (jpeg) shot.jpeg = std::move(*jpeg), shot.takenMs = nowMs(), shot.error.clear();
        else shot.error = jpeg.error().message;
        m_nextTryMs[job.key] = nowMs() + (jpeg ? 0 : m_maxAge.count());
    }
}

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
// One thread for the admin verbs that block (asking every VMS for its cameras): jobs run in
// order, each result goes back to the core thread's io_context. The queue is bounded so a flood
// of requests is refused, not stored.
// Context: post() from the core thread; jobs on the worker thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include "common/protocol.h"

namespace appliance::migration {

class BackgroundWorker {
public:
    using Json = protocol::Json;
    using Reply = std::function<void(Result<Json>)>;

    explicit BackgroundWorker(asio::io_context& io, std::size_t maxQueued = 8) : m_io(io), m_max(maxQueued) {
        m_thread = std::thread([this] { loop(); });
    }
    ~BackgroundWorker() { stop(); }

    /// Ends the thread after the job it runs (if any); queued jobs are dropped. Call before what
    /// the jobs use is destroyed.
    void stop() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        if (m_thread.joinable()) m_thread.join();
    }

    void post(std::function<Result<Json>()> job, Reply reply) {
        {
            std::lock_guard lock(m_mutex);
            if (m_jobs.size() < m_max) {
                m_jobs.push_back({std::move(job), std::move(reply)});
                m_cv.notify_one();
                return;
            }
        }
        reply(makeError(ErrorClass::TooManyRequests, "camera-migratord is busy with earlier requests; try again in a minute"));
    }

private:
    struct Job {
        std::function<Result<Json>()> run;
        Reply reply;
    };
    void loop() {
        for (;;) {
            Job job;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
                if (m_stop) return;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            auto result = std::make_shared<Result<Json>>(job.run());
            asio::post(m_io, [reply = std::move(job.reply), result] { reply(std::move(*result)); });
        }
    }

    asio::io_context& m_io;
    std::size_t m_max;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_jobs;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
// Commands the host sends to this agent (vms.info, vms.cameras, vms.camera.add/remove/status):
// they run one at a time on a thread of their own, because a VMS adapter blocks on HTTP to the
// VMS for seconds, and the agent's io thread must keep serving the operator's switch requests
// meanwhile. Answers are handed back on the io thread.
// Context: submit() on the io thread; the adapter on the worker thread only.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <asio/io_context.hpp>

#include "adapters/vms_adapter.h"
#include "common/protocol.h"

namespace appliance::agent {

class HostCommands {
public:
    using Json = protocol::Json;
    using Done = std::function<void(Result<Json>)>;
    /// `product`: "auto", "motion", "zoneminder" or "none" (this guest has no VMS).
    HostCommands(asio::io_context& io, std::string product);
    ~HostCommands();
    /// Runs `verb` later; `done` is called on the io thread. Refused at once when the queue is full.
    void submit(const std::string& verb, const Json& args, Done done);

private:
    struct Job {
        std::string verb;
        Json args;
        Done done;
    };
    void run();
    Result<Json> execute(const Job& job);

    asio::io_context& m_io;
    std::string m_product;
    std::unique_ptr<VmsAdapter> m_adapter;  ///< worker thread only; made on first use
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_jobs;
    bool m_stopping = false;
    std::thread m_worker;
};

}  // namespace appliance::agent

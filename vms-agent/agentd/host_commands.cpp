// SPDX-License-Identifier: GPL-2.0-or-later
#include "agentd/host_commands.h"

#include <asio/post.hpp>

#include "adapters/vms_json.h"
#include "common/logging.h"

namespace appliance::agent {

namespace {
constexpr std::size_t kMaxQueued = 8;  // the agent server sends at most a few at once
}

HostCommands::HostCommands(asio::io_context& io, std::string product)
    : m_io(io), m_product(std::move(product)), m_worker([this] { run(); }) {}

HostCommands::~HostCommands() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_worker.join();
}

void HostCommands::submit(const std::string& verb, const Json& args, Done done) {
    {
        std::lock_guard lock(m_mutex);
        if (m_jobs.size() < kMaxQueued) {
            m_jobs.push_back(Job{verb, args, std::move(done)});
            m_wake.notify_one();
            return;
        }
    }
    done(makeError(ErrorClass::TooManyRequests, "the agent is still working on " + std::to_string(kMaxQueued) +
                                                    " commands; try again when they are done"));
}

Result<protocol::Json> HostCommands::execute(const Job& job) {
    if (job.verb.rfind("vms.", 0) != 0)
        return makeError(ErrorClass::CommandNotFound, "the agent knows the host's commands vms.info, vms.cameras, "
                                                      "vms.camera.add, vms.camera.remove, vms.camera.status, "
                                                      "vms.camera.snapshot and vms.camera.recorded_clock");
    if (m_product == "none")
        return makeError(ErrorClass::Unavailable, "this guest has no VMS (vms-agentd runs with --vms none)");
    if (!m_adapter) {
        auto made = makeVmsAdapter(m_product);
        if (!made) return made.error();
        m_adapter = std::move(*made);
    }
    return runVmsCommand(*m_adapter, job.verb, job.args);
}

void HostCommands::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
            if (m_stopping) return;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
        }
        Result<Json> result = makeError(ErrorClass::Internal, "not run");
        try {
            result = execute(job);
        } catch (const std::exception& e) {
            // An adapter bug must not take the agent (and the operator's switching) down with it.
            logging::get("vms-agentd")->error("{} failed unexpectedly: {}", job.verb, e.what());
            result = makeError(ErrorClass::Internal, job.verb + " failed inside the agent: " + e.what());
        }
        asio::post(m_io, [done = std::move(job.done), result = std::move(result)]() mutable { done(std::move(result)); });
    }
}

}  // namespace appliance::agent

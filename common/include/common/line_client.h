// SPDX-License-Identifier: GPL-2.0-or-later
// A blocking client of the line protocol: appliancectl and the tests to applianced's admin API,
// the vms-agent CLI to vms-agentd.
// Context: one thread per client.
#pragma once

#include <deque>
#include <string>

#include "common/protocol.h"

namespace appliance {

class LineClient {
public:
    using Json = protocol::Json;
    LineClient() = default;
    LineClient(const LineClient&) = delete;
    ~LineClient();

    /// Connects and reads the greeting (or the refusal that replaces it).
    Result<Json> connect(const std::string& socketPath, int timeoutMs = 5000);
    /// Sends a command and waits for its answer; events arriving meanwhile are kept for nextEvent().
    Result<Json> call(const std::string& verb, const Json& args = Json::object(), int timeoutMs = 30000);
    /// The next pushed event, or a Timeout error.
    Result<protocol::Message> nextEvent(int timeoutMs);
    /// For tests of bad input: raw bytes on the wire, and the next message of any kind.
    Status sendRaw(const std::string& bytes);
    Result<protocol::Message> readMessage(int timeoutMs);
    void close();
    int fd() const { return m_fd; }

private:
    Result<std::string> readFrame(int timeoutMs);
    int m_fd = -1;
    int64_t m_nextId = 1;
    std::string m_buf;
    std::deque<protocol::Message> m_events;
};

}  // namespace appliance

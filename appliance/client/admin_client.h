// SPDX-License-Identifier: GPL-2.0-or-later
// A blocking client of applianced's admin API, for appliancectl, tests and benchmarks.
// Context: one thread per client.
#pragma once

#include <deque>
#include <string>

#include "common/protocol.h"

namespace appliance {

class AdminClient {
public:
    using Json = protocol::Json;
    AdminClient() = default;
    AdminClient(const AdminClient&) = delete;
    ~AdminClient();

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

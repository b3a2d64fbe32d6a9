// SPDX-License-Identifier: GPL-2.0-or-later
// A TLS client that speaks the agent protocol by hand (blocking), for tests of what a dishonest
// peer might send and for the many-connections benchmark.
#pragma once

#include <chrono>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/streambuf.hpp>

#include "common/protocol.h"

namespace appliance::test {

class RawTlsAgent {
public:
    using Json = protocol::Json;
    /// Connects, completes the handshake and reads the greeting (its challenge).
    explicit RawTlsAgent(int port);
    Json send(const Json& command);
    /// The next message, {"closed": why}, or {"timeout": true} if none arrives in time.
    Json next(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    /// Writes raw bytes (no newline added).
    void write(const std::string& bytes);
    /// agent.auth with the right proof for `vm` from `secret`; true if accepted.
    bool authenticate(const std::string& vm, const std::string& secret);
    std::string fingerprint, challenge;

private:
    asio::io_context m_io;
    asio::ssl::context m_ctx;
    asio::ssl::stream<asio::ip::tcp::socket> m_stream;
    asio::streambuf m_buf;
};

}  // namespace appliance::test

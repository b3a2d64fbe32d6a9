// SPDX-License-Identifier: GPL-2.0-or-later
// One peer on a stream socket speaking the line protocol: reads frames (bounded by the framer),
// writes queued lines, and hangs up on a peer that does not read what it is sent. The admin API
// and the agent server both build their sessions on it. Context: core thread.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <asio/posix/stream_descriptor.hpp>

#include "common/protocol.h"

namespace appliance {

class LineConnection : public std::enable_shared_from_this<LineConnection> {
public:
    /// Any stream file descriptor: a Unix or TCP socket, or a virtio-serial port.
    using Socket = asio::posix::stream_descriptor;
    struct Handlers {
        std::function<void(Result<std::string> frame)> onFrame;  ///< a frame, or a TooLarge error
        std::function<void(const std::string& why)> onClosed;    ///< once, whoever closed
    };

    LineConnection(Socket socket, std::size_t maxFrameBytes, std::size_t maxQueuedBytes);
    void start(Handlers handlers);
    void send(std::string line);
    /// Sends what is queued, then closes.
    void closeAfterWrite();
    void close(const std::string& why = "closed");
    bool closed() const { return m_closed; }

private:
    void read();
    void write();

    Socket m_socket;
    protocol::LineFramer m_framer;
    std::size_t m_maxQueuedBytes;
    Handlers m_handlers;
    std::array<char, 16384> m_buf{};
    std::deque<std::string> m_out;
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;
    bool m_closed = false;
    bool m_closeAfterWrite = false;
};

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// One peer on a stream speaking the line protocol: reads frames (bounded by the framer), writes
// queued lines, and hangs up on a peer that does not read what it is sent. The admin API, the
// agent server (virtio-serial and TLS) and vms-agentd all build on it. Context: one io thread.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <asio/posix/stream_descriptor.hpp>
#include <asio/write.hpp>

#include "common/protocol.h"

namespace appliance {

/// What a session needs of its connection, whatever the stream underneath.
class LineChannel {
public:
    struct Handlers {
        std::function<void(Result<std::string> frame)> onFrame;  ///< a frame, or a TooLarge error
        std::function<void(const std::string& why)> onClosed;    ///< once, whoever closed
    };
    static constexpr const char* kSlowReader = "the peer does not read what it is sent";

    virtual ~LineChannel() = default;
    virtual void start(Handlers handlers) = 0;
    virtual void send(std::string line) = 0;
    /// Sends what is queued, then closes.
    virtual void closeAfterWrite() = 0;
    virtual void close(const std::string& why = "closed") = 0;
    virtual bool closed() const = 0;
    virtual void setMaxFrameBytes(std::size_t maxFrameBytes) = 0;
};

/// Stream: a Unix or TCP socket or a device as asio::posix::stream_descriptor, or a TLS stream (asio::ssl::stream, TlsSocket).
template <class Stream>
class LineConnection final : public LineChannel, public std::enable_shared_from_this<LineConnection<Stream>> {
public:
    LineConnection(Stream stream, std::size_t maxFrameBytes, std::size_t maxQueuedBytes)
        : m_stream(std::move(stream)), m_framer(maxFrameBytes), m_maxQueuedBytes(maxQueuedBytes) {}

    void start(Handlers handlers) override {
        m_handlers = std::move(handlers);
        read();
    }

    void send(std::string line) override {
        if (m_closed) return;
        m_queuedBytes += line.size();
        if (m_queuedBytes > m_maxQueuedBytes) return close(kSlowReader);
        m_out.push_back(std::move(line));
        if (!m_writing) write();
    }

    void closeAfterWrite() override {
        m_closeAfterWrite = true;
        if (!m_writing) write();
    }

    void close(const std::string& why = "closed") override {
        if (m_closed) return;
        m_closed = true;
        asio::error_code ec;
        if constexpr (requires(Stream& s) { s.lowest_layer(); }) m_stream.lowest_layer().close(ec);
        else m_stream.close(ec);
        auto onClosed = std::move(m_handlers.onClosed);
        m_handlers = {};  // drop whatever the handlers hold (they may hold the session)
        if (onClosed) onClosed(why);
    }

    bool closed() const override { return m_closed; }
    void setMaxFrameBytes(std::size_t maxFrameBytes) override { m_framer.setMaxFrameBytes(maxFrameBytes); }
    Stream& stream() { return m_stream; }

private:
    void read() {
        auto self = this->shared_from_this();
        m_stream.async_read_some(asio::buffer(m_buf), [this, self](const asio::error_code& ec, std::size_t n) {
            if (m_closed) return;
            if (ec) return close(ec == asio::error::eof ? "the peer hung up" : ec.message());
            m_framer.feed(std::string_view(m_buf.data(), n));
            while (auto frame = m_framer.next()) {
                m_handlers.onFrame(std::move(*frame));
                if (m_closed) return;
            }
            read();
        });
    }

    void write() {
        if (m_out.empty() || m_closed) {
            m_writing = false;
            if (m_closeAfterWrite) close("closed after the last answer");
            return;
        }
        m_writing = true;
        auto self = this->shared_from_this();
        asio::async_write(m_stream, asio::buffer(m_out.front()), [this, self](const asio::error_code& ec, std::size_t) {
            if (m_closed) return;
            if (ec) return close(ec.message());
            m_queuedBytes -= m_out.front().size();
            m_out.pop_front();
            write();
        });
    }

    Stream m_stream;
    protocol::LineFramer m_framer;
    std::size_t m_maxQueuedBytes;
    Handlers m_handlers;
    std::array<char, 4096> m_buf{};  // small: a thousand idle agents hold one each
    std::deque<std::string> m_out;
    std::size_t m_queuedBytes = 0;
    bool m_writing = false;
    bool m_closed = false;
    bool m_closeAfterWrite = false;
};

using FdLineConnection = LineConnection<asio::posix::stream_descriptor>;

}  // namespace appliance

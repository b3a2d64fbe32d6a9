// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/line_connection.h"

#include <asio/write.hpp>

namespace appliance {

LineConnection::LineConnection(Socket socket, std::size_t maxFrameBytes, std::size_t maxQueuedBytes)
    : m_socket(std::move(socket)), m_framer(maxFrameBytes), m_maxQueuedBytes(maxQueuedBytes) {}

void LineConnection::start(Handlers handlers) {
    m_handlers = std::move(handlers);
    read();
}

void LineConnection::read() {
    auto self = shared_from_this();
    m_socket.async_read_some(asio::buffer(m_buf), [this, self](const asio::error_code& ec, std::size_t n) {
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

void LineConnection::send(std::string line) {
    if (m_closed) return;
    m_queuedBytes += line.size();
    if (m_queuedBytes > m_maxQueuedBytes) return close("the peer does not read what it is sent");
    m_out.push_back(std::move(line));
    if (!m_writing) write();
}

void LineConnection::write() {
    if (m_out.empty() || m_closed) {
        m_writing = false;
        if (m_closeAfterWrite) close("closed after the last answer");
        return;
    }
    m_writing = true;
    auto self = shared_from_this();
    asio::async_write(m_socket, asio::buffer(m_out.front()), [this, self](const asio::error_code& ec, std::size_t) {
        if (ec) return close(ec.message());
        m_queuedBytes -= m_out.front().size();
        m_out.pop_front();
        write();
    });
}

void LineConnection::closeAfterWrite() {
    m_closeAfterWrite = true;
    if (!m_writing) write();
}

void LineConnection::close(const std::string& why) {
    if (m_closed) return;
    m_closed = true;
    asio::error_code ec;
    m_socket.close(ec);
    if (m_handlers.onClosed) {
        auto onClosed = std::move(m_handlers.onClosed);
        onClosed(why);
    }
    m_handlers = {};  // drop whatever the handlers hold (they may hold the session)
}

}  // namespace appliance

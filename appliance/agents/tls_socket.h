// SPDX-License-Identifier: GPL-2.0-or-later
// The server side of a TLS connection: OpenSSL straight on the non-blocking TCP socket, driven by
// asio's readiness waits. asio::ssl::stream keeps two 17 KiB buffers of its own and a BIO pair
// with two more for every stream, idle or not (about 68 KiB per agent); here OpenSSL reads and
// writes the socket itself and, with SSL_MODE_RELEASE_BUFFERS, holds no record buffer while a
// connection is idle: about 20 KiB per idle agent instead of about 75 (docs/benchmarks.md).
// Meets asio's AsyncReadStream/AsyncWriteStream: LineConnection and asio::async_write use it as
// they use any socket. Context: one io thread (SSL objects are not thread-safe).
#pragma once

#include <cerrno>
#include <cstddef>
#include <utility>

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace appliance {

class TlsSocket {
public:
    using executor_type = asio::ip::tcp::socket::executor_type;
    using lowest_layer_type = asio::ip::tcp::socket;

    /// Takes the accepted socket; the handshake is the server's side of `context`.
    TlsSocket(asio::ip::tcp::socket socket, asio::ssl::context& context);
    TlsSocket(TlsSocket&& other) noexcept;
    TlsSocket& operator=(TlsSocket&&) = delete;
    TlsSocket(const TlsSocket&) = delete;
    ~TlsSocket();

    executor_type get_executor() { return m_socket.get_executor(); }
    lowest_layer_type& lowest_layer() { return m_socket; }

    /// handler(error_code): the TLS handshake, server side.
    template <class Handler>
    void async_handshake(Handler&& handler) {
        drive([ssl = m_ssl] { return ::SSL_do_handshake(ssl); },
              [h = std::forward<Handler>(handler)](const asio::error_code& ec, std::size_t) mutable { h(ec); });
    }

    /// handler(error_code, bytes): reads into the first non-empty buffer what one SSL_read gives.
    template <class MutableBuffers, class Handler>
    void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        asio::mutable_buffer b = firstNonEmpty<asio::mutable_buffer>(buffers);
        if (b.size() == 0) return complete(std::forward<Handler>(handler), {}, 0);
        drive([ssl = m_ssl, b] { return ::SSL_read(ssl, b.data(), clampedSize(b.size())); },
              std::forward<Handler>(handler));
    }

    /// handler(error_code, bytes): writes from the first non-empty buffer (one record at most).
    template <class ConstBuffers, class Handler>
    void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        asio::const_buffer b = firstNonEmpty<asio::const_buffer>(buffers);
        if (b.size() == 0) return complete(std::forward<Handler>(handler), {}, 0);
        drive([ssl = m_ssl, b] { return ::SSL_write(ssl, b.data(), clampedSize(b.size())); },
              std::forward<Handler>(handler));
    }

private:
    static int clampedSize(std::size_t n) { return n > (1u << 30) ? (1 << 30) : static_cast<int>(n); }

    template <class Buffer, class Buffers>
    static Buffer firstNonEmpty(const Buffers& buffers) {
        for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers); ++it)
            if (Buffer b(*it); b.size() > 0) return b;
        return Buffer();
    }

    /// Handlers never run inside the call that started the operation (asio's rule).
    template <class Handler>
    void complete(Handler&& handler, asio::error_code ec, std::size_t n) {
        asio::post(m_socket.get_executor(),
                   [h = std::forward<Handler>(handler), ec, n]() mutable { h(ec, n); });
    }

    /// Tries the OpenSSL call; while it wants the socket readable or writable, waits for that and
    /// tries again. The same buffer is passed again, as SSL_write requires.
    template <class Attempt, class Handler>
    void drive(Attempt attempt, Handler&& handler) {
        // Closed (LineConnection::close) while asio::async_write was between two writes: the
        // descriptor's number may already belong to another connection or file.
        if (!m_socket.is_open()) return complete(std::forward<Handler>(handler), asio::error::operation_aborted, 0);
        ::ERR_clear_error();
        errno = 0;
        int r = attempt();
        const int savedErrno = errno;
        if (r > 0) return complete(std::forward<Handler>(handler), {}, static_cast<std::size_t>(r));
        asio::error_code ec;
        switch (const int err = ::SSL_get_error(m_ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            m_socket.async_wait(err == SSL_ERROR_WANT_READ ? asio::socket_base::wait_read : asio::socket_base::wait_write,
                                [this, attempt = std::move(attempt), h = std::forward<Handler>(handler)](
                                    const asio::error_code& wec) mutable {
                                    if (wec) return h(wec, 0);
                                    drive(std::move(attempt), std::move(h));
                                });
            return;
        // close_notify, or (SSL_OP_IGNORE_UNEXPECTED_EOF) a peer that hangs up without it.
        case SSL_ERROR_ZERO_RETURN: ec = asio::error::eof; break;
        case SSL_ERROR_SYSCALL:  // a socket error
            ec = (r == 0 || savedErrno == 0) ? asio::error::eof : asio::error_code(savedErrno, asio::system_category());
            break;
        default: {
            unsigned long e = ::ERR_get_error();
            ec = e ? asio::error_code(static_cast<int>(e), asio::error::get_ssl_category()) : asio::error::eof;
        }
        }
        complete(std::forward<Handler>(handler), ec, 0);
    }

    asio::ip::tcp::socket m_socket;
    SSL* m_ssl = nullptr;
};

}  // namespace appliance

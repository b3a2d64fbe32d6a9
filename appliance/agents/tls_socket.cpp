// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/tls_socket.h"

#include <new>

namespace appliance {

TlsSocket::TlsSocket(asio::ip::tcp::socket socket, asio::ssl::context& context)
    : m_socket(std::move(socket)), m_ssl(::SSL_new(context.native_handle())) {
    if (!m_ssl) throw std::bad_alloc();
    asio::error_code ec;
    // A blocking socket would stall the one io thread inside OpenSSL: without non-blocking mode
    // (or the socket BIO) the connection is closed, and its first operation says so.
    m_socket.non_blocking(true, ec);
    if (ec || ::SSL_set_fd(m_ssl, m_socket.native_handle()) != 1) m_socket.close(ec);
    ::SSL_set_accept_state(m_ssl);
    // A peer that hangs up without close_notify has hung up (OpenSSL 3 would call it an error);
    // no renegotiation, so a write never has to wait for a record that a read is waiting for.
    ::SSL_set_options(m_ssl, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    // Partial writes make async_write_some a write of one record; the moving buffer lets a retry
    // pass the same bytes at another address; released buffers keep an idle connection small.
    ::SSL_set_mode(m_ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
}

TlsSocket::TlsSocket(TlsSocket&& other) noexcept
    : m_socket(std::move(other.m_socket)), m_ssl(std::exchange(other.m_ssl, nullptr)) {}

TlsSocket::~TlsSocket() {
    if (m_ssl) ::SSL_free(m_ssl);
}

}  // namespace appliance

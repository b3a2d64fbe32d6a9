// SPDX-License-Identifier: GPL-2.0-or-later
#include "agents/tls_socket.h"

#include <new>

namespace appliance {

TlsSocket::TlsSocket(asio::ip::tcp::socket socket, asio::ssl::context& context)
    : m_socket(std::move(socket)), m_ssl(::SSL_new(context.native_handle())) {
    if (!m_ssl) throw std::bad_alloc();
    asio::error_code ec;
    m_socket.non_blocking(true, ec);  // a failure shows as an error of the first SSL call
    ::SSL_set_fd(m_ssl, m_socket.native_handle());
    ::SSL_set_accept_state(m_ssl);
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

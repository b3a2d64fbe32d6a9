// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration/raw_tls_agent.h"

#include <istream>

#include <asio/read_until.hpp>
#include <asio/write.hpp>

#include "common/agent_auth.h"

namespace appliance::test {

RawTlsAgent::RawTlsAgent(int port) : m_ctx(asio::ssl::context::tls_client), m_stream(m_io, m_ctx) {
    m_stream.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    m_stream.handshake(asio::ssl::stream_base::client);
    X509* cert = SSL_get1_peer_certificate(m_stream.native_handle());
    fingerprint = agent_auth::fingerprintSha256(cert);
    X509_free(cert);
    auto greeting = next();
    challenge = greeting.value("greeting", Json::object()).value("challenge", "");
}

RawTlsAgent::Json RawTlsAgent::send(const Json& command) {
    asio::write(m_stream, asio::buffer(command.dump() + "\n"));
    return next();
}

void RawTlsAgent::write(const std::string& bytes) { asio::write(m_stream, asio::buffer(bytes)); }

RawTlsAgent::Json RawTlsAgent::next(std::chrono::milliseconds timeout) {
    asio::error_code ec = asio::error::would_block;
    bool done = false;
    asio::async_read_until(m_stream, m_buf, '\n', [&](const asio::error_code& e, std::size_t) {
        ec = e;
        done = true;
    });
    m_io.restart();
    m_io.run_for(timeout);
    if (!done) {
        asio::error_code ignored;
        m_stream.lowest_layer().cancel(ignored);
        m_io.restart();
        m_io.run();
        return Json{{"timeout", true}};
    }
    if (ec) return Json{{"closed", ec.message()}};
    std::istream in(&m_buf);
    std::string line;
    std::getline(in, line);
    return Json::parse(line, nullptr, false);
}

bool RawTlsAgent::authenticate(const std::string& vm, const std::string& secret) {
    Json r = send({{"execute", "agent.auth"},
                   {"arguments", {{"vm", vm}, {"proof", agent_auth::proof(secret, challenge, vm, fingerprint)}}},
                   {"id", "auth"}});
    return r.contains("return");
}

}  // namespace appliance::test

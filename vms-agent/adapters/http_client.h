// SPDX-License-Identifier: GPL-2.0-or-later
// A minimal blocking HTTP/1.1 client for the VMS on the same guest (motion's web control and
// stream port, ZoneMinder's REST API). Plain TCP, one request per connection ("Connection:
// close"), every wait bounded by a connect and a total deadline, the answer bounded in size. No
// TLS and no redirects: the peer is a local daemon, not the Internet.
// Context: the caller's thread (vms-agentd's command thread); an HttpClient is not shared.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace appliance::agent::http {

struct Options {
    std::string host = "127.0.0.1";
    int port = 80;
    int connectTimeoutMs = 3000;
    int totalTimeoutMs = 10000;  ///< connect, send and the whole answer
    std::size_t maxHeaderBytes = 64 * 1024;
    std::size_t maxBodyBytes = 2 * 1024 * 1024;
};

struct Response {
    int status = 0;
    std::string contentType;
    std::string body;
};

using Form = std::vector<std::pair<std::string, std::string>>;

/// Percent-encodes everything except RFC 3986's unreserved characters (A-Z a-z 0-9 - . _ ~).
/// `alsoKeep`: characters besides RFC 3986's unreserved ones to leave as they are.
std::string urlEncode(std::string_view text, std::string_view alsoKeep = "");
/// application/x-www-form-urlencoded: key=value pairs joined by '&', both sides urlEncode'd.
std::string formEncode(const Form& fields);

/// Parses an HTTP/1.x response as its bytes arrive (Content-Length, chunked, or until close).
/// Separate from the socket so that tests and a fuzz target can feed it directly.
class ResponseParser {
public:
    ResponseParser(std::size_t maxHeaderBytes, std::size_t maxBodyBytes, bool headRequest = false);
    /// Feeds bytes; an error (MalformedAnswer, TooLarge) is final.
    Status feed(std::string_view bytes);
    /// The peer closed the connection: completes a body delimited by the close, or fails.
    Status finish();
    bool done() const { return m_state == State::Done; }
    const Response& response() const { return m_response; }
    Response take() { return std::move(m_response); }

private:
    enum class State { Invalid = 0, Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose, Done };
    Status parseHead(std::string_view head);
    Status step();
    Status appendBody(std::string_view bytes);

    std::size_t m_maxHeader;
    std::size_t m_maxBody;
    bool m_head;
    State m_state = State::Head;
    std::string m_buf;
    std::size_t m_remaining = 0;  ///< Body/ChunkData: bytes still expected
    Response m_response;
};

class HttpClient {
public:
    explicit HttpClient(Options options = {});
    const Options& options() const { return m_opt; }

    /// `target` is the path and query ("/zm/api/monitors.json?token=..."); a query is never put
    /// into an error message, because it may hold a token.
    Result<Response> get(std::string_view target);
    Result<Response> postForm(std::string_view target, const Form& fields);
    Result<Response> del(std::string_view target);
    Result<Response> request(std::string_view method, std::string_view target, std::string_view body,
                             std::string_view contentType);

private:
    Options m_opt;
};

}  // namespace appliance::agent::http

// SPDX-License-Identifier: GPL-2.0-or-later
// The socket half of http_client.h: non-blocking connect and I/O with poll(), so that every wait
// ends at the connect or the total deadline, whatever the peer does.
#include "adapters/http_client.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace appliance::agent::http {

namespace {
using Clock = std::chrono::steady_clock;

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

int msUntil(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? int(left) : 0;
}

/// Waits for `events` on `fd` until `deadline`: 1 ready, 0 timed out, -1 error (errno set).
int waitFor(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, msUntil(deadline));
        if (r < 0 && errno == EINTR) continue;
        return r;
    }
}

std::string hostPort(const Options& o) {
    bool v6 = o.host.find(':') != std::string::npos;
    return (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port);
}
}  // namespace

HttpClient::HttpClient(Options options) : m_opt(std::move(options)) {}

Result<Response> HttpClient::get(std::string_view target) { return request("GET", target, {}, {}); }

Result<Response> HttpClient::postForm(std::string_view target, const Form& fields) {
    return request("POST", target, formEncode(fields), "application/x-www-form-urlencoded");
}

Result<Response> HttpClient::del(std::string_view target) { return request("DELETE", target, {}, {}); }

Result<Response> HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                     std::string_view contentType) {
    const std::string hp = hostPort(m_opt);
    // Named without the query: it may carry an access token.
    const std::string url = "http://" + hp + std::string(target.substr(0, target.find('?')));
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::milliseconds(m_opt.totalTimeoutMs);
    const auto connectDeadline = std::min(deadline, start + std::chrono::milliseconds(m_opt.connectTimeoutMs));
    if (target.empty() || target[0] != '/' || target.find_first_of("\r\n ") != std::string_view::npos)
        return makeError(ErrorClass::Internal, "bad HTTP request target for " + url);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(m_opt.host.c_str(), std::to_string(m_opt.port).c_str(), &hints, &found); rc != 0)
        return makeError(ErrorClass::Unavailable,
                         "cannot resolve '" + m_opt.host + "' for " + url + ": " + ::gai_strerror(rc));
    Fd sock;
    int lastErrno = 0;
    bool timedOut = false;
    for (addrinfo* ai = found; ai && sock.fd < 0; ai = ai->ai_next) {
        Fd s{::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)};
        if (s.fd < 0) {
            lastErrno = errno;
            continue;
        }
        int rc = ::connect(s.fd, ai->ai_addr, ai->ai_addrlen);
        if (rc < 0 && errno == EINPROGRESS) {
            int w = waitFor(s.fd, POLLOUT, connectDeadline);
            if (w == 0) {
                timedOut = true;
                break;
            }
            int err = 0;
            socklen_t len = sizeof err;
            if (w < 0) err = errno;
            else ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            rc = err ? -1 : 0;
            errno = err;
        }
        if (rc == 0) std::swap(sock.fd, s.fd);
        else lastErrno = errno;
    }
    ::freeaddrinfo(found);
    if (sock.fd < 0) {
        if (timedOut)
            return makeError(ErrorClass::Timeout, "no connection to " + hp + " within " +
                                                      std::to_string(m_opt.connectTimeoutMs) + " ms (" + url + ")");
        if (lastErrno == ECONNREFUSED)
            return makeError(ErrorClass::Unavailable, "nothing listens on " + hp + " (connection refused; " + url + ")");
        return makeError(ErrorClass::Unavailable, "cannot connect to " + hp + ": " + std::strerror(lastErrno));
    }

    std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: " + hp +
                      "\r\nUser-Agent: vms-agentd\r\nAccept: */*\r\nConnection: close\r\n";
    if (!contentType.empty()) req += "Content-Type: " + std::string(contentType) + "\r\n";
    if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;

    auto timeout = [&] {
        return makeError(ErrorClass::Timeout, "no complete answer from " + url + " within " +
                                                  std::to_string(m_opt.totalTimeoutMs) + " ms");
    };
    for (std::size_t sent = 0; sent < req.size();) {
        int w = waitFor(sock.fd, POLLOUT, deadline);
        if (w == 0) return timeout();
        ssize_t n = w > 0 ? ::send(sock.fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL) : -1;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0) return makeError(ErrorClass::Unavailable, "sending to " + url + " failed: " + std::strerror(errno));
        sent += std::size_t(n);
    }

    ResponseParser parser(m_opt.maxHeaderBytes, m_opt.maxBodyBytes, method == "HEAD");
    char buf[16384];
    while (!parser.done()) {
        int w = waitFor(sock.fd, POLLIN, deadline);
        if (w == 0) return timeout();
        ssize_t n = w > 0 ? ::recv(sock.fd, buf, sizeof buf, 0) : -1;
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n < 0 && errno != ECONNRESET)
            return makeError(ErrorClass::Unavailable, "reading from " + url + " failed: " + std::strerror(errno));
        Status s = n > 0 ? parser.feed(std::string_view(buf, std::size_t(n))) : parser.finish();
        if (!s) return makeError(s.error().cls, url + ": " + s.error().message);
    }
    return parser.take();
}

}  // namespace appliance::agent::http

// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/line_client.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace appliance {

namespace {
constexpr std::size_t kMaxFrame = 16 * 1024 * 1024;  // answers (audit lists) can be large
}

LineClient::~LineClient() { close(); }

void LineClient::close() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
}

Result<LineClient::Json> LineClient::connect(const std::string& socketPath, int timeoutMs) {
    close();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socketPath.size() >= sizeof(addr.sun_path))
        return makeError(ErrorClass::InvalidArgument, "socket path too long: " + socketPath);
    std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size());
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0) return makeError(ErrorClass::Internal, std::string("socket: ") + std::strerror(errno));
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        int err = errno;
        close();
        return makeError(ErrorClass::Unavailable, "cannot connect to applianced at " + socketPath + ": " +
                                                      std::strerror(err) +
                                                      "; is it running? (start it with the README's main command)");
    }
    auto msg = readMessage(timeoutMs);
    if (!msg) return msg.error();
    if (msg->kind == protocol::Kind::Error) return msg->error;
    if (msg->kind != protocol::Kind::Greeting)
        return makeError(ErrorClass::GenericError, "the server at " + socketPath + " did not greet; is it the right socket?");
    return msg->body;
}

Status LineClient::sendRaw(const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
        ssize_t n = ::send(m_fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return makeError(ErrorClass::Unavailable, std::string("lost the connection: ") +
                                                          std::strerror(errno));
        }
        off += std::size_t(n);
    }
    return okStatus();
}

Result<std::string> LineClient::readFrame(int timeoutMs) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        auto nl = m_buf.find('\n');
        if (nl != std::string::npos) {
            std::string frame = m_buf.substr(0, nl);
            m_buf.erase(0, nl + 1);
            return frame;
        }
        if (m_buf.size() > kMaxFrame) return makeError(ErrorClass::TooLarge, "answer from applianced is too large");
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return makeError(ErrorClass::Timeout, "the server did not answer in time");
        pollfd p{m_fd, POLLIN, 0};
        int r = ::poll(&p, 1, int(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        char buf[65536];
        ssize_t n = ::recv(m_fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return makeError(ErrorClass::Unavailable, "the server closed the connection");
        m_buf.append(buf, std::size_t(n));
    }
}

Result<protocol::Message> LineClient::readMessage(int timeoutMs) {
    auto frame = readFrame(timeoutMs);
    if (!frame) return frame.error();
    return protocol::decode(*frame, protocol::Limits{kMaxFrame, 64});
}

Result<LineClient::Json> LineClient::call(const std::string& verb, const Json& args, int timeoutMs) {
    int64_t id = m_nextId++;
    if (auto s = sendRaw(protocol::encodeCommand(verb, args, id)); !s) return s.error();
    for (;;) {
        auto msg = readMessage(timeoutMs);
        if (!msg) return msg.error();
        if (msg->kind == protocol::Kind::Event) {
            m_events.push_back(std::move(*msg));
            continue;
        }
        if (msg->id != Json(id) && !msg->id.is_null()) continue;  // an answer to someone else's request
        if (msg->kind == protocol::Kind::Error) return msg->error;
        if (msg->kind == protocol::Kind::Return) return msg->body;
    }
}

Result<protocol::Message> LineClient::nextEvent(int timeoutMs) {
    if (!m_events.empty()) {
        auto m = std::move(m_events.front());
        m_events.pop_front();
        return m;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return makeError(ErrorClass::Timeout, "no event arrived in time");
        auto msg = readMessage(int(left.count()));
        if (!msg) return msg.error();
        if (msg->kind == protocol::Kind::Event) return msg;
    }
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// What the camera-layer tests share: short client limits, a fault-injecting TCP "camera" that
// answers with fixed bytes (or never), a second listener on the WS-Discovery group, and a check
// that a call failed with a class within a bound. Test code only.
#pragma once

#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "common/result.h"
#include "onvif/onvif_types.h"

namespace appliance::test {

inline camera::ClientLimits quickLimits() {
    camera::ClientLimits l;
    l.connectTimeout = std::chrono::milliseconds(1000);
    l.ioTimeout = std::chrono::milliseconds(1500);
    l.transferTimeout = std::chrono::milliseconds(3000);
    return l;
}

/// A TCP server on loopback that answers every connection with `answer` (or never, if empty).
class FaultyCamera {
public:
    explicit FaultyCamera(std::string answer) : m_answer(std::move(answer)) {
        m_fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        listen(m_fd, 8);
        socklen_t len = sizeof a;
        getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] {
            while (!m_stop) {
                int c = accept(m_fd, nullptr, nullptr);
                if (c < 0) return;
                if (m_answer.empty()) {  // never answers: holds the connection open
                    m_held.push_back(c);
                    continue;
                }
                char buf[8192];
                (void)!read(c, buf, sizeof buf);
                for (std::size_t off = 0; off < m_answer.size();) {
                    ssize_t n = write(c, m_answer.data() + off, m_answer.size() - off);
                    if (n <= 0) break;
                    off += std::size_t(n);
                }
                close(c);
            }
        });
    }
    ~FaultyCamera() {
        m_stop = true;
        shutdown(m_fd, SHUT_RDWR);
        close(m_fd);
        m_thread.join();
        for (int c : m_held) close(c);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/onvif/device_service"; }

private:
    std::string m_answer;
    int m_fd = -1, m_port = 0;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::vector<int> m_held;
};

inline std::string http200(const std::string& body, const std::string& type = "application/soap+xml") {
    return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

/// Another host's view of the segment: a UDP socket on port 3702 in the WS-Discovery group on
/// loopback, so it hears our probes (5 s receive timeout); -1 on failure.
inline int discoveryListener() {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_port = htons(3702);
    ip_mreq group{};
    inet_pton(AF_INET, "239.255.255.250", &group.imr_multiaddr);
    inet_pton(AF_INET, "127.0.0.1", &group.imr_interface);
    if (bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
        close(fd);
        return -1;
    }
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/// Runs `f` and checks it failed with `cls` within `bound`.
template <class F>
void expectFailure(F f, ErrorClass cls, std::chrono::seconds bound, const std::string& what) {
    const auto started = std::chrono::steady_clock::now();
    auto r = f();
    const auto took = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(r) << what << " succeeded";
    EXPECT_EQ(errorClassName(r.error().cls), errorClassName(cls)) << what << ": " << r.error().message;
    EXPECT_LT(took, bound) << what << " took too long to fail";  // a bound on the error path, not a speed test
    std::printf("%s -> %s: %s\n", what.c_str(), std::string(errorClassName(r.error().cls)).c_str(), r.error().message.c_str());
}

}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// The simulator as a live camera over raw RTSP: a PLAY with a Range (ffmpeg, so motion, sends
// "Range: npt=0.000-") must not restart the stream's RTP timestamps for the clients already
// playing it. When it did, ZoneMinder refused every later packet ("non increasing dts") and
// silently stopped recording the camera as soon as motion attached to it.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "common/base64.h"
#include "integration/camera_sim_process.h"

namespace appliance::test {
namespace {

using Clock = std::chrono::steady_clock;

/// One RTSP client on one TCP connection, RTP interleaved on it: just enough of RFC 2326.
class RawRtspClient {
public:
    RawRtspClient(int port, std::string path) : m_url("rtsp://127.0.0.1:" + std::to_string(port) + path) {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(std::uint16_t(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_connected = m_fd >= 0 && ::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~RawRtspClient() {
        if (m_fd >= 0) ::close(m_fd);
    }
    /// DESCRIBE, SETUP (TCP interleaved), PLAY with `range` (none if empty); false on any non-200.
    bool play(const std::string& range) {
        if (!m_connected) return false;
        std::string answer = request("DESCRIBE", m_url, "Accept: application/sdp\r\n");
        if (answer.find(" 200 ") == std::string::npos) return false;
        answer = request("SETUP", m_url + "/stream=0", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n");
        const auto at = answer.find("Session: ");
        if (answer.find(" 200 ") == std::string::npos || at == std::string::npos) return false;
        m_session = answer.substr(at + 9, answer.find_first_of(";\r", at + 9) - at - 9);
        answer = request("PLAY", m_url, "Session: " + m_session + "\r\n" + (range.empty() ? "" : "Range: " + range + "\r\n"));
        return answer.find(" 200 ") != std::string::npos;
    }
    /// RTP timestamps of the packets on channel 0 for `d`.
    std::vector<std::uint32_t> timestamps(std::chrono::milliseconds d) {
        std::vector<std::uint32_t> out;
        const auto end = Clock::now() + d;
        while (Clock::now() < end) {
            if (!fill(4)) break;
            if (m_buf[0] != '$') {  // an RTSP message (an RTCP-triggered reply, say): skip to its end
                const auto stop = m_buf.find("\r\n\r\n");
                if (stop == std::string::npos) { if (!more()) break; continue; }
                m_buf.erase(0, stop + 4);
                continue;
            }
            const std::size_t len = std::uint8_t(m_buf[2]) << 8 | std::uint8_t(m_buf[3]);
            if (!fill(4 + len)) break;
            if (m_buf[1] == 0 && len >= 12)
                out.push_back(std::uint32_t(std::uint8_t(m_buf[8])) << 24 | std::uint32_t(std::uint8_t(m_buf[9])) << 16 |
                              std::uint32_t(std::uint8_t(m_buf[10])) << 8 | std::uint8_t(m_buf[11]));
            m_buf.erase(0, 4 + len);
        }
        return out;
    }

private:
    std::string request(const std::string& method, const std::string& url, const std::string& headers) {
        const std::string msg = method + " " + url + " RTSP/1.0\r\nCSeq: " + std::to_string(++m_cseq) +
                                "\r\nAuthorization: Basic " + toBase64("admin:admin") + "\r\n" + headers + "\r\n";
        if (::send(m_fd, msg.data(), msg.size(), MSG_NOSIGNAL) != ssize_t(msg.size())) return "";
        // The reply's headers, and its body if it has one (the SDP).
        for (;;) {
            const auto end = m_buf.find("\r\n\r\n");
            if (end != std::string::npos && m_buf.rfind("RTSP/1.0", 0) == 0) {
                std::size_t body = 0;
                if (auto cl = m_buf.find("Content-Length: "); cl != std::string::npos && cl < end)
                    body = std::stoul(m_buf.substr(cl + 16));
                if (!fill(end + 4 + body)) return "";
                std::string reply = m_buf.substr(0, end + 4 + body);
                m_buf.erase(0, end + 4 + body);
                return reply;
            }
            if (!more()) return "";
        }
    }
    bool more() {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) return false;
        char chunk[65536];
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n <= 0) return false;
        m_buf.append(chunk, std::size_t(n));
        return true;
    }
    bool fill(std::size_t n) {
        while (m_buf.size() < n)
            if (!more()) return false;
        return true;
    }
    std::string m_url, m_session, m_buf;
    int m_fd = -1, m_cseq = 0;
    bool m_connected = false;
};

TEST(RtspRangeTest, APlayWithARangeFromASecondClientDoesNotRestartTheFirstClientsTimestamps) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const int port = sim.cameras()[0]["rtsp_port"];
    RawRtspClient first(port, "/cam01/sub");
    ASSERT_TRUE(first.play("")) << "the first client could not play";
    const auto before = first.timestamps(std::chrono::milliseconds(2000));
    ASSERT_GE(before.size(), 5u);
    RawRtspClient second(port, "/cam01/sub");
    ASSERT_TRUE(second.play("npt=0.000-")) << "a PLAY with a Range was refused";
    const auto after = first.timestamps(std::chrono::milliseconds(3000));
    ASSERT_GE(after.size(), 5u) << "the first client's stream stopped when the second started";
    // 90 kHz: a live stream's timestamps only move forward; a seek would restart them near zero.
    std::uint32_t previous = before.back();
    for (std::uint32_t ts : after) {
        EXPECT_LT(std::uint32_t(ts - previous), 90000u * 10) << "RTP timestamp went from " << previous << " to " << ts;
        previous = ts;
    }
}

}  // namespace
}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// The VMS adapters' HTTP client against a loopback server this test runs (port 0): what it sends,
// and how it takes Content-Length, chunked and close-delimited answers, oversized ones, broken
// ones and a server that never answers.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/http_client.h"

namespace appliance::agent::http {
namespace {

using Clock = std::chrono::steady_clock;

/// Accepts one connection, reads the request head (and a Content-Length body), then writes each
/// piece of `answer` (with a pause between pieces) and closes, or holds the connection open.
class OneShotServer {
public:
    explicit OneShotServer(std::vector<std::string> answer, bool holdOpen = false, int pauseMs = 0) {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(m_fd, 1), 0);
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
        m_thread = std::thread([this, answer = std::move(answer), holdOpen, pauseMs] {
            int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) return;
            char buf[4096];
            while (request.find("\r\n\r\n") == std::string::npos || !bodyComplete()) {
                ssize_t n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) break;
                request.append(buf, std::size_t(n));
            }
            for (const auto& piece : answer) {
                if (::send(c, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) break;
                if (pauseMs) std::this_thread::sleep_for(std::chrono::milliseconds(pauseMs));
            }
            if (holdOpen) ::recv(c, buf, sizeof buf, 0);  // until the client gives up
            ::close(c);
        });
    }
    ~OneShotServer() {
        ::shutdown(m_fd, SHUT_RDWR);
        m_thread.join();
        ::close(m_fd);
    }
    Options options(int totalMs = 3000) const { return Options{"127.0.0.1", port, 1000, totalMs, 1024, 4096}; }

    int port = 0;
    std::string request;

private:
    bool bodyComplete() const {
        auto cl = request.find("Content-Length: ");
        if (cl == std::string::npos) return true;
        return request.size() - (request.find("\r\n\r\n") + 4) >= std::size_t(std::atoi(request.c_str() + cl + 16));
    }
    int m_fd = -1;
    std::thread m_thread;
};

TEST(HttpClientTest, ContentLengthAnswerAndWhatIsSent) {
    Result<Response> r = makeError(ErrorClass::Invalid, "");
    std::string request;
    {
        OneShotServer s({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": true}XTRA"});
        r = HttpClient(s.options()).postForm("/zm/api/host/login.json", {{"user", "admin"}, {"pass", "p@ss w&rd=%"}});
        request = s.request;
    }
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->contentType, "application/json");
    EXPECT_EQ(r->body, "{\"a\": true}");
    EXPECT_EQ(request.rfind("POST /zm/api/host/login.json HTTP/1.1\r\n", 0), 0u) << request;
    EXPECT_NE(request.find("Content-Type: application/x-www-form-urlencoded\r\n"), std::string::npos);
    EXPECT_NE(request.find("Connection: close\r\n"), std::string::npos);
    EXPECT_NE(request.find("\r\n\r\nuser=admin&pass=p%40ss%20w%26rd%3D%25"), std::string::npos) << request;
}

TEST(HttpClientTest, ChunkedAnswerArrivingOneByteAtATime) {
    std::string answer = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5;ext=1\r\nhello\r\nA\r\n, chunked!\r\n0\r\nX-Trailer: t\r\n\r\n";
    std::vector<std::string> bytes;
    for (char c : answer) bytes.emplace_back(1, c);
    OneShotServer s(bytes);
    auto r = HttpClient(s.options()).get("/1/status.json");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 201);
    EXPECT_EQ(r->body, "hello, chunked!");
}

TEST(HttpClientTest, AnswerDelimitedByCloseAndInterimAnswers) {
    OneShotServer s({"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\n", "Motion 4.5.1 Running [1] Camera\n101\n"});
    auto r = HttpClient(s.options()).get("/");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->body, "Motion 4.5.1 Running [1] Camera\n101\n");
}

TEST(HttpClientTest, OversizedAnswersAreTooLarge) {
    const std::string big(5000, 'x');
    for (const std::string& answer : std::vector<std::string>{std::string("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n") + big,
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1388\r\n" + big + "\r\n0\r\n\r\n",
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
                               "HTTP/1.1 200 OK\r\n\r\n" + big,
                               "HTTP/1.1 200 OK\r\nX-Long: " + std::string(2000, 'h') + "\r\n\r\n"}) {
        OneShotServer s({answer});
        auto r = HttpClient(s.options()).get("/x");
        ASSERT_FALSE(r) << answer.substr(0, 60);
        EXPECT_EQ(r.error().cls, ErrorClass::TooLarge) << r.error().message;
    }
}

TEST(HttpClientTest, BrokenAnswersAreMalformed) {
    for (const std::string& answer : std::vector<std::string>{"SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                                     "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
                                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
                                     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", ""}) {
        OneShotServer s({answer});
        auto r = HttpClient(s.options()).get("/x");
        ASSERT_FALSE(r) << answer;
        EXPECT_EQ(r.error().cls, ErrorClass::MalformedAnswer) << answer << ": " << r.error().message;
    }
}

TEST(HttpClientTest, SilentServerTimesOutAtTheTotalDeadlineAndTheQueryStaysSecret) {
    OneShotServer s({"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"}, /*holdOpen=*/true);
    const auto start = Clock::now();
    auto r = HttpClient(s.options(500)).get("/zm/api/monitors.json?token=SECRET");
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::Timeout);
    EXPECT_GE(ms, 450);
    EXPECT_LT(ms, 2500);
    EXPECT_NE(r.error().message.find("/zm/api/monitors.json"), std::string::npos);
    EXPECT_EQ(r.error().message.find("SECRET"), std::string::npos) << r.error().message;
}

TEST(HttpClientTest, SlowButSteadyServerStillHitsTheTotalDeadline) {
    std::vector<std::string> drip{"HTTP/1.1 200 OK\r\n\r\n"};
    for (int i = 0; i < 50; ++i) drip.emplace_back("x");
    OneShotServer s(drip, false, /*pauseMs=*/50);
    auto r = HttpClient(s.options(600)).get("/x");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::Timeout);
}

TEST(HttpClientTest, NothingListeningIsUnavailable) {
    int port = 0;
    { OneShotServer s({}); port = s.port; }  // bound, then closed: nothing listens there now
    auto r = HttpClient(Options{"127.0.0.1", port, 1000, 2000}).get("/");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::Unavailable);
    EXPECT_NE(r.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << r.error().message;
}

TEST(HttpClientTest, UrlEncodingKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(urlEncode("aZ09-._~"), "aZ09-._~");
    EXPECT_EQ(urlEncode("a b/c:d@e%f+ü"), "a%20b%2Fc%3Ad%40e%25f%2B%C3%BC");
    EXPECT_EQ(formEncode({{"Monitor[Name]", "cam 1"}, {"x", ""}}), "Monitor%5BName%5D=cam%201&x=");
}

TEST(HttpClientTest, ParserTakesHeadAndBodyInAnySplit) {
    const std::string answer = "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody";
    for (std::size_t split = 0; split <= answer.size(); ++split) {
        ResponseParser p(1024, 1024);
        ASSERT_TRUE(p.feed(answer.substr(0, split)));
        ASSERT_TRUE(p.feed(answer.substr(split)));
        ASSERT_TRUE(p.done()) << split;
        EXPECT_EQ(p.response().body, "body");
    }
}

}  // namespace
}  // namespace appliance::agent::http

// SPDX-License-Identifier: GPL-2.0-or-later
// The camera layer against the real onvif-camera-sim, inside a network namespace this test program
// creates (only `lo`, multicast routed to it): WS-Discovery, probing, stream verification, and
// every failure a camera can cause, each with its error class within a bounded time. Fault
// injection (a camera that never answers, answers garbage or too much) uses tiny TCP servers here.
#include <arpa/inet.h>
#include <csignal>
#include <atomic>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "integration/camera_sim_process.h"
#include "onvif/camera_client.h"
#include "onvif/device_url.h"
#include "onvif/ws_discovery.h"
#include "stream/stream_verifier.h"

namespace appliance::test {
namespace {

using namespace appliance::camera;
using Clock = std::chrono::steady_clock;

class PrivateNetwork : public ::testing::Environment {
public:
    void SetUp() override {
        std::string why;
        if (!enterPrivateNetwork(&why)) GTEST_FAIL() << why;
        ::signal(SIGPIPE, SIG_IGN);  // a hostile camera's peer (the client) may hang up mid-answer
    }
};
const auto* const kNetwork = ::testing::AddGlobalTestEnvironment(new PrivateNetwork);

ClientLimits quickLimits() {
    ClientLimits l;
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

std::string http200(const std::string& body, const std::string& type = "application/soap+xml") {
    return "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

/// Another host's view of the segment: a UDP socket on port 3702 in the WS-Discovery group on
/// loopback, so it hears our probes (5 s receive timeout); -1 on failure.
int discoveryListener() {
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
    const auto started = Clock::now();
    auto r = f();
    const auto took = Clock::now() - started;
    ASSERT_FALSE(r) << what << " succeeded";
    EXPECT_EQ(errorClassName(r.error().cls), errorClassName(cls)) << what << ": " << r.error().message;
    EXPECT_LT(took, bound) << what << " took too long to fail";  // a bound on the error path, not a speed test
    std::printf("%s -> %s: %s\n", what.c_str(), std::string(errorClassName(r.error().cls)).c_str(), r.error().message.c_str());
}

TEST(OnvifTest, SixteenCamerasAreAllDiscoveredProbedAndTheirStreamsDecode) {
    CameraSimProcess sim({"--cameras", "16"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    ASSERT_EQ(sim.cameras().size(), 16u);

    DiscoveryOptions o;
    o.timeout = std::chrono::seconds(5);
    o.expected = 16;
    auto found = discoverCameras(o);
    ASSERT_TRUE(found) << found.error().message;
    std::set<std::string> want, got;
    for (const auto& c : sim.cameras()) want.insert(c["endpoint_reference"].get<std::string>());
    for (const auto& d : *found) {
        got.insert(d.endpointReference);
        EXPECT_FALSE(d.name.empty());
        ASSERT_FALSE(d.xaddrs.empty());
    }
    EXPECT_EQ(got, want) << "every camera found once, by its endpoint reference";
    EXPECT_EQ(found->size(), 16u) << "duplicates were not merged";

    for (const auto& d : *found) {
        auto client = makeOnvifClient(d.xaddrs.front(), {"admin", "admin"}, quickLimits());
        auto report = probeCamera(*client, d.xaddrs.front());
        ASSERT_TRUE(report) << d.name << ": " << report.error().message;
        EXPECT_EQ(report->device.manufacturer, "Appliance Simulated Cameras");
        ASSERT_EQ(report->streams.size(), 2u) << d.name;
        EXPECT_EQ(report->streams[0].profile.encoding, "H264");
        VerifyOptions v;
        v.measureFor = std::chrono::milliseconds(500);
        auto stream = verifyStream(report->streams[0].streamUri, {"admin", "admin"}, v);
        ASSERT_TRUE(stream) << d.name << ": " << stream.error().message;
        EXPECT_EQ(stream->codec, "H264");
        EXPECT_EQ(stream->width, 640);
        EXPECT_EQ(stream->height, 360);
        EXPECT_GT(stream->frames, 0);
    }
}

TEST(OnvifTest, ADirectProbeFindsTheCamerasAtOneAddressAndHelloByeAreHeard) {
    std::atomic<bool> stop{false};
    std::vector<std::pair<Announcement, std::string>> heard;
    std::mutex mutex;
    std::thread watcher([&] {
        DiscoveryOptions o;
        (void)watchAnnouncements(o, std::chrono::seconds(30), stop, [&](Announcement a, const DiscoveredDevice& d) {
            std::lock_guard lock(mutex);
            heard.emplace_back(a, d.endpointReference);
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the watcher is listening
    std::string epr;
    {
        CameraSimProcess sim({"--cameras", "2"});
        ASSERT_TRUE(sim.start()) << sim.errors();
        epr = sim.cameras()[0]["endpoint_reference"];
        DiscoveryOptions o;
        o.timeout = std::chrono::seconds(3);
        o.expected = 2;
        auto found = probeAddress("127.0.0.1", o);
        ASSERT_TRUE(found) << found.error().message;
        EXPECT_EQ(found->size(), 2u);
    }  // stopped: says Bye
    auto seen = [&](Announcement a) {
        std::lock_guard lock(mutex);
        for (const auto& [kind, id] : heard)
            if (kind == a && id == epr) return true;
        return false;
    };
    for (int i = 0; i < 50 && !(seen(Announcement::Hello) && seen(Announcement::Bye)); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
    watcher.join();
    EXPECT_TRUE(seen(Announcement::Hello)) << "no Hello from the camera at start";
    EXPECT_TRUE(seen(Announcement::Bye)) << "no Bye from the camera at stop";
}

TEST(OnvifTest, AWrongPasswordIsAnAuthenticationFailureForOnvifAndForRtsp) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string url = sim.cameras()[0]["device_url"], rtsp = sim.cameras()[0]["main_uri"];
    expectFailure([&] { auto c = makeOnvifClient(url, {"admin", "wrong"}, quickLimits()); return probeCamera(*c, url); },
                  ErrorClass::AuthenticationFailed, std::chrono::seconds(10), "ONVIF with a wrong password");
    expectFailure([&] { return verifyStream(rtsp, {"admin", "wrong"}); }, ErrorClass::AuthenticationFailed,
                  std::chrono::seconds(10), "RTSP with a wrong password (401)");
    expectFailure([&] { return verifyStream(rtsp + "-missing", {"admin", "admin"}); }, ErrorClass::NotFound,
                  std::chrono::seconds(10), "RTSP of a path that does not exist (404)");
}

TEST(OnvifTest, ACameraWhoseClockIsAnHourOffEitherWayIsSignedWithItsOwnTime) {
    for (const char* offset : {"3600", "-3600"}) {
        CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--clock-offset", offset});
        ASSERT_TRUE(sim.start()) << sim.errors();
        const std::string url = sim.cameras()[0]["device_url"];
        auto client = makeOnvifClient(url, {"admin", "admin"}, quickLimits());
        auto report = probeCamera(*client, url);
        ASSERT_TRUE(report) << offset << ": " << report.error().message;
        EXPECT_NEAR(report->clockOffsetS, std::stod(offset), 5) << offset;
    }
}

TEST(OnvifTest, ACameraThatWantsHttpDigestGetsIt) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--auth", "digest"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string url = sim.cameras()[0]["device_url"];
    auto client = makeOnvifClient(url, {"admin", "admin"}, quickLimits());
    auto report = probeCamera(*client, url);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_EQ(report->streams.size(), 2u);
    expectFailure([&] { auto c = makeOnvifClient(url, {"admin", "nope"}, quickLimits()); return probeCamera(*c, url); },
                  ErrorClass::AuthenticationFailed, std::chrono::seconds(10), "HTTP digest with a wrong password");
}

TEST(OnvifTest, TheSnapshotIsAJpegAndNeedsTheCredentials) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string url = sim.cameras()[0]["device_url"];
    auto client = makeOnvifClient(url, {"admin", "admin"}, quickLimits());
    auto uri = client->snapshotUri("main");
    ASSERT_TRUE(uri) << uri.error().message;
    auto jpeg = client->fetchSnapshot(*uri);
    ASSERT_TRUE(jpeg) << jpeg.error().message;
    EXPECT_GT(jpeg->size(), 1000u);
    auto stranger = makeOnvifClient(url, {"admin", "nope"}, quickLimits());
    expectFailure([&] { return stranger->fetchSnapshot(*uri); }, ErrorClass::AuthenticationFailed, std::chrono::seconds(10),
                  "snapshot with a wrong password");
}

TEST(OnvifTest, CredentialsTravelOnlyAsDigestsAndOnlyAfterAChallenge) {
    for (const std::string auth : {"wsse", "digest"}) {
        CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--auth", auth});
        ASSERT_TRUE(sim.start()) << sim.errors();
        const std::string url = sim.cameras()[0]["device_url"];
        auto client = makeOnvifClient(url, {"admin", "admin"}, quickLimits());
        auto report = probeCamera(*client, url);
        ASSERT_TRUE(report) << auth << ": " << report.error().message;
        auto uri = client->snapshotUri("main");
        ASSERT_TRUE(uri) << uri.error().message;
        EXPECT_TRUE(client->fetchSnapshot(*uri)) << auth;
        sim.stop();
        EXPECT_EQ(sim.errors().find("in clear"), std::string::npos) << auth << ": " << sim.errors();
    }
}

TEST(OnvifTest, ABasicOnlyCameraGetsNoPasswordUnlessAnAdministratorEnabledBasicForIt) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--auth", "basic"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string url = sim.cameras()[0]["device_url"];
    expectFailure([&] { auto c = makeOnvifClient(url, {"admin", "admin"}, quickLimits()); return probeCamera(*c, url); },
                  ErrorClass::AuthenticationFailed, std::chrono::seconds(10), "probe of a Basic-only camera");
    auto client = makeOnvifClient(url, {"admin", "admin"}, quickLimits());
    const std::string snapshot = url.substr(0, url.find("/onvif/")) + "/snapshot/main.jpg";
    auto refused = client->fetchSnapshot(snapshot);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("HTTP Basic"), std::string::npos) << refused.error().message;
    EXPECT_EQ(sim.errors().find("in clear"), std::string::npos) << "a password went out in clear: " << sim.errors();

    Credentials enabled{"admin", "admin"};
    enabled.allowBasic = true;  // the administrator's explicit choice for this camera
    auto allowed = makeOnvifClient(url, enabled, quickLimits());
    auto report = probeCamera(*allowed, url);
    EXPECT_TRUE(report) << report.error().message;
    EXPECT_TRUE(allowed->fetchSnapshot(snapshot));
}

TEST(OnvifTest, AddressesOnAnotherHostAreRefusedUnlessTrusted) {
    // The camera listens everywhere but names 127.0.0.77 in its answers; we reach it at 127.0.0.1.
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--host", "0.0.0.0", "--advertise-host", "127.0.0.77"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    std::string url = sim.cameras()[0]["device_url"];
    url.replace(url.find("127.0.0.77"), 10, "127.0.0.1");
    auto client = makeOnvifClient(url, {"admin", "admin"}, quickLimits());
    auto refused = probeCamera(*client, url);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().cls, ErrorClass::MalformedAnswer) << refused.error().message;
    EXPECT_NE(refused.error().message.find("on another host ('127.0.0.77')"), std::string::npos) << refused.error().message;
    auto snapshot = client->fetchSnapshot("http://127.0.0.99:1/steal.jpg");
    ASSERT_FALSE(snapshot);
    EXPECT_NE(snapshot.error().message.find("another host"), std::string::npos) << "nothing is sent there";

    Credentials trusting{"admin", "admin"};
    trusting.trustedHosts = {"127.0.0.77"};
    auto trusted = makeOnvifClient(url, trusting, quickLimits());
    auto report = probeCamera(*trusted, url);
    EXPECT_TRUE(report) << report.error().message;
}

TEST(OnvifTest, CamerasThatNeverAnswerAnswerGarbageOrTooMuchOrAreNotThereFailCleanly) {
    {
        FaultyCamera silent("");
        expectFailure([&] { return makeOnvifClient(silent.url(), {"admin", "admin"}, quickLimits())->clockOffset(); },
                      ErrorClass::Timeout, std::chrono::seconds(10), "a camera that never answers");
    }
    {
        FaultyCamera web(http200("<html><body>Welcome to the router</body></html>", "text/html"));
        expectFailure([&] { return makeOnvifClient(web.url(), {}, quickLimits())->clockOffset(); }, ErrorClass::NotOnvif,
                      std::chrono::seconds(10), "a web page instead of ONVIF");
    }
    {
        FaultyCamera noise(std::string("\x00\xff garbage \x01\x02 not http at all", 32));
        auto r = makeOnvifClient(noise.url(), {}, quickLimits())->clockOffset();
        ASSERT_FALSE(r) << "binary garbage parsed";
        std::printf("binary garbage -> %s: %s\n", std::string(errorClassName(r.error().cls)).c_str(), r.error().message.c_str());
        EXPECT_TRUE(r.error().cls == ErrorClass::NotOnvif || r.error().cls == ErrorClass::MalformedAnswer) << r.error().message;
    }
    {
        std::string huge = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>" +
                           std::string(3 << 20, ' ') + "</s:Body></s:Envelope>";
        FaultyCamera flood(http200(huge));
        expectFailure([&] { return makeOnvifClient(flood.url(), {}, quickLimits())->clockOffset(); },
                      ErrorClass::MalformedAnswer, std::chrono::seconds(10), "an oversized answer (3 MiB)");
    }
    {
        int port = 0;
        {
            FaultyCamera gone("x");  // bind, learn the port, close: nothing listens there any more
            port = std::stoi(gone.url().substr(17, 5));
        }
        const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/onvif/device_service";
        expectFailure([&] { return makeOnvifClient(url, {}, quickLimits())->clockOffset(); }, ErrorClass::Unreachable,
                      std::chrono::seconds(10), "a closed port");
    }
}

TEST(OnvifTest, AnIndependentOnvifClientReadsTheSimulatedCamera) {
    // Debian's onvif-util (libonvif, written by others) finds the camera by WS-Discovery, logs in
    // with WS-Security and reads device information, the stream URI, profiles and the time.
    ASSERT_EQ(access("/usr/bin/onvif-util", X_OK), 0) << "install onvif-tools (the README's commands do)";
    CameraSimProcess sim({"--cameras", "1"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string rtsp = sim.cameras()[0]["main_uri"];
    FILE* p = popen("printf 'get rtsp\\nget profiles\\nget time\\nquit\\n' | timeout 30 onvif-util -u admin -p admin 127.0.0.1 2>&1", "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    const int status = pclose(p);
    EXPECT_EQ(WEXITSTATUS(status), 0) << out;
    EXPECT_NE(out.find("successfully connected"), std::string::npos) << out;
    EXPECT_NE(out.find("Camera 01"), std::string::npos) << "device information: " << out;
    EXPECT_NE(out.find(rtsp), std::string::npos) << "stream URI: " << out;
    EXPECT_NE(out.find("Token 1: sub"), std::string::npos) << "profiles: " << out;
    EXPECT_NE(out.find("Time Offset"), std::string::npos) << "time: " << out;

    // And with a wrong password it gets nothing it should not.
    p = popen("printf 'get rtsp\\nquit\\n' | timeout 30 onvif-util -u admin -p wrong 127.0.0.1 2>&1", "r");
    ASSERT_NE(p, nullptr);
    std::string refused;
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) refused.append(buf, n);
    pclose(p);
    EXPECT_EQ(refused.find(rtsp), std::string::npos) << "a wrong password got the stream URI: " << refused;
}

TEST(OnvifTest, ACameraThatAnswersTooSlowlyTimesOutAndAPatientClientStillGetsIt) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--slow-ms", "2500"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string url = sim.cameras()[0]["device_url"];
    expectFailure([&] { return makeOnvifClient(url, {"admin", "admin"}, quickLimits())->clockOffset(); }, ErrorClass::Timeout,
                  std::chrono::seconds(10), "a camera 2.5 s slow, with a 1.5 s limit");
    ClientLimits patient = quickLimits();
    patient.ioTimeout = std::chrono::milliseconds(5000);
    patient.transferTimeout = std::chrono::milliseconds(8000);
    auto offset = makeOnvifClient(url, {"admin", "admin"}, patient)->clockOffset();
    EXPECT_TRUE(offset) << offset.error().message;
}

TEST(OnvifTest, GarbageAndAnswersWithoutIdentityDuringDiscoveryAreIgnored) {
    CameraSimProcess sim({"--cameras", "3"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    // A liar on the segment: answers every probe with garbage, an oversized datagram and a
    // ProbeMatch that has no endpoint reference.
    int liar = discoveryListener();
    ASSERT_GE(liar, 0);
    std::atomic<int> lies{0};
    std::thread liarThread([&] {
        char buf[65536];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        if (recvfrom(liar, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len) <= 0) return;
        const std::string noIdentity =
            "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
            "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">"
            "<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address></a:Address></a:EndpointReference>"
            "<d:XAddrs>http://127.0.0.1:1/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
            "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>";
        const std::string garbage = std::string("\x00\x01<<<not xml", 15), huge(60000, '<');
        for (const std::string* msg : {&garbage, &huge, &noIdentity})
            if (sendto(liar, msg->data(), msg->size(), 0, reinterpret_cast<sockaddr*>(&from), len) > 0) ++lies;
    });
    DiscoveryOptions o;
    o.timeout = std::chrono::seconds(3);
    auto found = discoverCameras(o);
    liarThread.join();
    close(liar);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ(lies.load(), 3) << "the liar did not get to answer";
    std::set<std::string> want, got;
    for (const auto& c : sim.cameras()) want.insert(c["endpoint_reference"].get<std::string>());
    for (const auto& d : *found) got.insert(d.endpointReference);
    EXPECT_EQ(got, want) << "the real cameras, and nothing from the liar";
}

TEST(OnvifTest, DiscoveryTakesOnlyAnswersToItsProbeReportsConflictsAndSanitisesText) {
    CameraSimProcess sim({"--cameras", "2"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string victim = sim.cameras()[0]["endpoint_reference"];
    // A second host on the segment (127.0.0.2) hears the probe and answers: with an unrelated
    // match, with a claim on a real camera's identity, and as a new device whose name carries a
    // terminal escape and invalid UTF-8.
    int listen = discoveryListener(), send = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(listen, 0);
    sockaddr_in second{};
    second.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.2", &second.sin_addr);
    ASSERT_EQ(bind(send, reinterpret_cast<sockaddr*>(&second), sizeof second), 0);
    std::atomic<int> sent{0};
    std::thread other([&] {
        char buf[65536];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(listen, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) return;
        std::string probe(buf, size_t(n));
        auto at = probe.find("MessageID>");
        if (at == std::string::npos) return;
        at += 10;
        const std::string id = probe.substr(at, probe.find('<', at) - at);
        auto match = [](const std::string& relatesTo, const std::string& epr, const std::string& scopes) {
            return "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
                   "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
                   "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\"><s:Header>"
                   "<a:MessageID>urn:uuid:0f0f0f0f-0000-4000-8000-" + std::to_string(100000000000 + relatesTo.size()) +
                   "</a:MessageID><a:RelatesTo>" + relatesTo + "</a:RelatesTo>"
                   "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header>"
                   "<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>" + epr +
                   "</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>" + scopes +
                   "</d:Scopes><d:XAddrs>http://127.0.0.2:1/onvif/device_service</d:XAddrs>"
                   "<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>";
        };
        const std::string unrelated = match("urn:uuid:11111111-2222-4333-8444-555555555555",
                                            "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001", "");
        const std::string claim = match(id, victim, "onvif://www.onvif.org/name/Impostor");
        const std::string odd = match(id, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000002",
                                      "onvif://www.onvif.org/name/%1B%5B2J%FFcam onvif://www.onvif.org/hardware/%07x");
        for (const std::string* msg : {&unrelated, &claim, &odd})
            if (sendto(send, msg->data(), msg->size(), 0, reinterpret_cast<sockaddr*>(&from), len) > 0) ++sent;
    });
    DiscoveryOptions o;
    o.timeout = std::chrono::seconds(3);
    auto found = discoverCameras(o);
    other.join();
    close(listen);
    close(send);
    ASSERT_TRUE(found) << found.error().message;
    ASSERT_EQ(sent.load(), 3);
    const DiscoveredDevice* attacked = nullptr;
    const DiscoveredDevice* newcomer = nullptr;
    for (const auto& d : *found) {
        EXPECT_NE(d.endpointReference, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001") << "an unrelated answer was taken";
        if (d.endpointReference == victim) attacked = &d;
        if (d.endpointReference == "urn:uuid:aaaaaaaa-0000-4000-8000-000000000002") newcomer = &d;
    }
    ASSERT_NE(attacked, nullptr);
    // Whichever answered first is listed; the other claim is the conflict. Neither is merged in.
    ASSERT_EQ(attacked->conflictingSources.size(), 1u) << "the second claim is a conflict";
    std::set<std::string> claimants{attacked->source, attacked->conflictingSources[0]};
    EXPECT_EQ(claimants, (std::set<std::string>{"127.0.0.1", "127.0.0.2"}));
    for (const auto& x : attacked->xaddrs)
        EXPECT_NE(x.find("//" + attacked->source + ":"), std::string::npos) << "addresses of the two were merged: " << x;
    ASSERT_NE(newcomer, nullptr);
    EXPECT_EQ(newcomer->name, "\\x1b[2J\\xffcam") << "escapes and invalid UTF-8 are shown, not obeyed";
    EXPECT_EQ(newcomer->hardware, "\\x07x");
    EXPECT_NO_THROW((void)toJson(*newcomer).dump()) << "JSON output never aborts on a camera's text";
}

// Part of the hostile-input suite: answers a camera (or something posing as one) might give.
TEST(OnvifTest, HostileCameraAnswersEachFailCleanlyWithAClass) {
    const std::string env = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
                            "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><s:Body>";
    std::string deep = env, lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">";
    for (int i = 0; i < 500; ++i) deep += "<a>";
    for (int i = 1; i < 10; ++i)
        lol += "<!ENTITY lol" + std::to_string(i) + " \"" + std::string(10, '&') + "lol" + std::to_string(i - 1) + ";\">";
    lol += "]><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>&lol9;</s:Body></s:Envelope>";
    const std::vector<std::pair<std::string, std::string>> answers = {
        {"binary garbage", std::string("\x00\xff\x13\x37garbage", 12)},
        {"HTTP without a body", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
        {"a web page", http200("<html><body>router login</body></html>", "text/html")},
        {"HTTP 500", "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!"},
        {"HTTP 404", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"},
        {"HTTP 301 elsewhere", "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.99:1/\r\nContent-Length: 0\r\n\r\n"},
        {"a lying Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + env},
        {"truncated XML", http200(env + "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>")},
        {"not SOAP XML", http200("<?xml version=\"1.0\"?><root><child/></root>")},
        {"an empty envelope", http200(env + "</s:Body></s:Envelope>")},
        {"nesting 500 deep", http200(deep)},
        {"entity expansion", http200(lol)},
        {"a 3 MiB element", http200(env + "<x>" + std::string(3 << 20, 'x') + "</x></s:Body></s:Envelope>")},
        {"invalid UTF-8", http200(env + "<tds:GetSystemDateAndTimeResponse>\xff\xfe\xfd</tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>")},
        {"a wrong answer", http200(env + "<tds:GetHostnameResponse/></s:Body></s:Envelope>")},
        {"a SOAP fault", http200(env + "<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text xml:lang=\"en\">no</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>")},
        {"a date that is not a date", http200(env + "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:UTCDateTime xmlns:tt=\"http://www.onvif.org/ver10/schema\"><tt:Time><tt:Hour>99</tt:Hour><tt:Minute>-1</tt:Minute><tt:Second>x</tt:Second></tt:Time><tt:Date><tt:Year>0</tt:Year><tt:Month>13</tt:Month><tt:Day>40</tt:Day></tt:Date></tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>")},
        {"chunked garbage", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzzzz\r\nxx\r\n"},
        {"a 401 without a challenge", "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"},
        {"a Basic challenge", "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"cam\"\r\nContent-Length: 0\r\n\r\n"},
        {"a header flood", "HTTP/1.1 200 OK\r\n" + std::string(200000, 'h') + "\r\n\r\n"},
        {"never answers", ""},
    };
    int clean = 0;
    for (const auto& [what, answer] : answers) {
        FaultyCamera cam(answer);
        const auto started = Clock::now();
        auto client = makeOnvifClient(cam.url(), {"admin", "admin"}, quickLimits());
        auto report = probeCamera(*client, cam.url());
        const auto took = Clock::now() - started;
        ASSERT_FALSE(report) << what << " was accepted";
        EXPECT_NE(report.error().cls, ErrorClass::Invalid) << what;
        EXPECT_FALSE(report.error().message.empty()) << what;
        EXPECT_LT(took, std::chrono::seconds(15)) << what;
        clean += !report && took < std::chrono::seconds(15);
        std::printf("hostile camera answer '%s' -> %s\n", what.c_str(), std::string(errorClassName(report.error().cls)).c_str());
    }
    std::printf("hostile camera answers: %zu sent, %d failed cleanly with a class\n", answers.size(), clean);
    EXPECT_EQ(clean, int(answers.size()));
}

TEST(OnvifTest, HostileDiscoveryDatagramsAreIgnoredAndTheRealCamerasFound) {
    CameraSimProcess sim({"--cameras", "2"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    int liar = discoveryListener();
    ASSERT_GE(liar, 0);
    const std::string head = "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
                             "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
                             "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">";
    auto matches = [&](const std::string& header, const std::string& body) {
        return head + "<s:Header>" + header + "</s:Header><s:Body><d:ProbeMatches>" + body + "</d:ProbeMatches></s:Body></s:Envelope>";
    };
    const std::string goodEpr = "<a:EndpointReference><a:Address>urn:uuid:bbbbbbbb-0000-4000-8000-0000000000";
    std::string many;
    for (int i = 0; i < 300; ++i) many += "<d:ProbeMatch>" + goodEpr + "99</a:Address></a:EndpointReference></d:ProbeMatch>";
    std::string deep = head;
    for (int i = 0; i < 400; ++i) deep += "<x>";
    const std::vector<std::string> datagrams = {
        std::string("\x00\x01\x02", 3),
        "not xml at all",
        std::string(65000, '<'),
        head,
        deep,
        matches("", ""),
        matches("<a:RelatesTo>urn:uuid:not-ours</a:RelatesTo>", "<d:ProbeMatch>" + goodEpr + "01</a:Address></a:EndpointReference></d:ProbeMatch>"),
        matches("", "<d:ProbeMatch>" + goodEpr + "02</a:Address></a:EndpointReference></d:ProbeMatch>"),
        matches("<a:RelatesTo></a:RelatesTo>", "<d:ProbeMatch>" + goodEpr + "03</a:Address></a:EndpointReference></d:ProbeMatch>"),
        matches("<a:RelatesTo>urn:uuid:x</a:RelatesTo>", many),
        matches("<a:RelatesTo>urn:uuid:x</a:RelatesTo>", "<d:ProbeMatch><a:EndpointReference><a:Address></a:Address></a:EndpointReference></d:ProbeMatch>"),
        head + "<s:Body><d:Hello>" + goodEpr + "04</a:Address></a:EndpointReference></d:Hello></s:Body></s:Envelope>",
        head + "<s:Body><d:Bye>" + goodEpr + "05</a:Address></a:EndpointReference></d:Bye></s:Body></s:Envelope>",
        head + "<s:Body><d:Probe/></s:Body></s:Envelope>",
        matches("<a:RelatesTo>urn:uuid:x</a:RelatesTo>", "<d:ProbeMatch>" + std::string(30000, ' ') + "</d:ProbeMatch>"),
        "\xef\xbb\xbf" + matches("", ""),
        matches("<a:RelatesTo>" + std::string(20000, 'r') + "</a:RelatesTo>", ""),
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
        "<!DOCTYPE x [<!ENTITY x SYSTEM \"file:///etc/shadow\">]><x>&x;</x>",
        matches("<a:RelatesTo>urn:uuid:x</a:RelatesTo>", "<d:ProbeMatch>" + goodEpr + "06</a:Address></a:EndpointReference><d:XAddrs>\x1b[2J</d:XAddrs></d:ProbeMatch>"),
    };
    std::atomic<int> sent{0};
    std::thread other([&] {
        char buf[65536];
        sockaddr_in from{};
        socklen_t len = sizeof from;
        if (recvfrom(liar, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len) <= 0) return;
        for (const auto& d : datagrams)
            if (sendto(liar, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&from), len) > 0) ++sent;
    });
    DiscoveryOptions o;
    o.timeout = std::chrono::seconds(3);
    auto found = discoverCameras(o);
    other.join();
    close(liar);
    ASSERT_TRUE(found) << found.error().message;
    std::set<std::string> want, got;
    for (const auto& c : sim.cameras()) want.insert(c["endpoint_reference"].get<std::string>());
    for (const auto& d : *found) got.insert(d.endpointReference);
    EXPECT_EQ(got, want) << "the real cameras, and nothing from the hostile datagrams";
    std::printf("hostile discovery datagrams: %d sent, %zu devices found (the %zu real ones)\n", sent.load(), got.size(),
                want.size());
    EXPECT_EQ(sent.load(), int(datagrams.size()));
}

TEST(OnvifTest, AStreamThatStopsIsReportedAsNoVideo) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--stream-stops-after", "1"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    VerifyOptions v;
    v.measureFor = std::chrono::seconds(4);
    v.firstFrameTimeout = std::chrono::seconds(5);
    expectFailure([&] { return verifyStream(sim.cameras()[0]["main_uri"], {"admin", "admin"}, v); }, ErrorClass::NoVideo,
                  std::chrono::seconds(15), "a stream that stops after 1 s");
}

TEST(OnvifTest, AStreamThatFreezesIsReportedAsNoVideoNotAsALowFrameRate) {
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--stream-freezes-after", "1"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    VerifyOptions v;
    v.measureFor = std::chrono::seconds(6);
    v.stallTimeout = std::chrono::seconds(2);
    expectFailure([&] { return verifyStream(sim.cameras()[0]["main_uri"], {"admin", "admin"}, v); }, ErrorClass::NoVideo,
                  std::chrono::seconds(15), "a stream that freezes after 1 s");
}

}  // namespace
}  // namespace appliance::test

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
#include "integration/onvif_test_support.h"
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

// The simulator draws its wall clock into every frame as cells (common/frame_clock.h), which the
// recording gap of a migration is read from: it must survive H.264 at both streams' bit rates, on
// each of the eight test patterns (they scroll, so the encoder spends its whole rate on them).
TEST(OnvifTest, EveryFrameCarriesTheCamerasClockReadableAfterH264InBothStreams) {
    CameraSimProcess sim({"--cameras", "8", "--no-discovery"});
    ASSERT_TRUE(sim.start()) << sim.errors();
    std::vector<std::pair<int, const char*>> streams;
    for (int camera = 0; camera < 8; ++camera) streams.emplace_back(camera, "sub_uri");  // what the VMSs record
    streams.emplace_back(0, "main_uri");
    streams.emplace_back(7, "main_uri");
    for (const auto& [camera, stream] : streams) {
        const std::string what = "camera " + std::to_string(camera + 1) + " " + stream;
        const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
        VerifyOptions v;
        v.measureFor = std::chrono::seconds(1);
        auto report = verifyStream(sim.cameras()[camera][stream], {"admin", "admin"}, v);
        ASSERT_TRUE(report) << what << ": " << report.error().message;
        ASSERT_TRUE(report->cameraClockMs) << what << ": no frame's clock could be read";
        // Made after the request (the frame is live), and read back within the minute it was sent.
        EXPECT_GE(*report->cameraClockMs, before - 1000) << what;
        EXPECT_LT(std::abs(*report->cameraToHostMs), 60000) << what;
        EXPECT_EQ(toJson(*report)["camera_clock_ms"], *report->cameraClockMs);
        EXPECT_GE(report->framesWithClock * 10, (report->frames + 1) * 9) << what << ": most frames carry a readable clock";
        std::printf("%s: the clock read in %d of %d frames, %lld ms from camera to host\n", what.c_str(),
                    report->framesWithClock, report->frames + 1, static_cast<long long>(*report->cameraToHostMs));
    }
}

// A camera that serves one RTSP session: the migration moves it break-before-make. While one
// client plays, a second is refused as busy; once the first has gone, the next is served again.
// Cameras refuse with 453 Not Enough Bandwidth or 503 Service Unavailable: both mean busy.
class SessionLimitTest : public testing::TestWithParam<int> {};

TEST_P(SessionLimitTest, ACameraLimitedToOneSessionRefusesASecondAsBusyUntilTheFirstLeaves) {
    const std::string status = std::to_string(GetParam());
    CameraSimProcess sim({"--cameras", "1", "--no-discovery", "--max-sessions", "1", "--busy-status", status});
    ASSERT_TRUE(sim.start()) << sim.errors();
    const std::string main = sim.cameras()[0]["main_uri"], sub = sim.cameras()[0]["sub_uri"];
    VerifyOptions longer;
    longer.measureFor = std::chrono::seconds(8);
    std::atomic<bool> firstDone{false};
    Result<StreamReport> first = makeError(ErrorClass::Internal, "not run");
    std::thread holder([&] {
        first = verifyStream(main, {"admin", "admin"}, longer);
        firstDone = true;
    });
    // The first client plays (its frames are being counted) before the second asks.
    std::this_thread::sleep_for(std::chrono::seconds(4));
    VerifyOptions quick;
    quick.measureFor = std::chrono::milliseconds(500);
    quick.firstFrameTimeout = std::chrono::seconds(5);
    auto second = verifyStream(sub, {"admin", "admin"}, quick);
    const bool overlapped = !firstDone;
    holder.join();
    ASSERT_TRUE(first) << first.error().message;
    ASSERT_TRUE(overlapped) << "the first session ended before the second asked; the check proves nothing";
    ASSERT_FALSE(second) << "a second session was served by a camera that takes one";
    // Refused as busy, not as broken: the migration tells the two apart.
    EXPECT_EQ(second.error().cls, ErrorClass::TooManyRequests) << second.error().message;
    EXPECT_NE(second.error().message.find("RTSP " + status), std::string::npos) << second.error().message;
    auto third = verifyStream(sub, {"admin", "admin"}, quick);
    EXPECT_TRUE(third) << "after the first left: " << third.error().message;
}

INSTANTIATE_TEST_SUITE_P(OnvifTest, SessionLimitTest, testing::Values(453, 503),
                         [](const testing::TestParamInfo<int>& i) { return "Rtsp" + std::to_string(i.param); });

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
        // The cameras hear a probe sent to 127.0.0.2 too (they listen on every address) but answer
        // from their own, 127.0.0.1: no answer counts but one from the address asked.
        o.timeout = std::chrono::seconds(1);
        auto elsewhere = probeAddress("127.0.0.2", o);
        ASSERT_TRUE(elsewhere) << elsewhere.error().message;
        EXPECT_TRUE(elsewhere->empty()) << elsewhere->size() << " answers from another address were taken";
        for (const char* notOneCamera : {"239.255.255.250", "0.0.0.0", "255.255.255.255", "::1", "camera.example"}) {
            auto refused = probeAddress(notOneCamera, o);
            ASSERT_FALSE(refused) << notOneCamera;
            EXPECT_EQ(refused.error().cls, ErrorClass::InvalidArgument) << notOneCamera << ": " << refused.error().message;
        }
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

// SPDX-License-Identifier: GPL-2.0-or-later
// The camera layer against what a hostile network sends (part of the hostile-input suite): garbage
// and forged WS-Discovery datagrams, a second claim on a camera's identity, terminal escapes in
// scopes, and 22 kinds of bad answers to ONVIF requests. Runs in onvif_tests' private network
// namespace (registered in onvif_test.cpp).
#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "integration/camera_sim_process.h"
#include "integration/onvif_test_support.h"
#include "onvif/camera_client.h"
#include "onvif/ws_discovery.h"

namespace appliance::test {
namespace {

using namespace appliance::camera;
using Clock = std::chrono::steady_clock;

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

}  // namespace
}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// Camera answers through the client's own parsing path (the fuzz corpus doubles as fixtures): real
// answers and a vendor's extra elements parse; a fault, a web page, a bomb of nesting or of list
// items, a bad enum and a cut-off answer each get the error class the client reports. Also what the
// camera layer reads from WS-Discovery scopes and from what a person types for a camera.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "onvif/answer_parser.h"
#include "onvif/device_url.h"
#include "onvif/onvif_types.h"

namespace appliance::camera {
namespace {

/// A corpus seed: its first byte picks the answer kind exactly as the fuzz target does.
Status parseSeed(const std::string& name) {
    std::ifstream f(std::string(APPLIANCE_SOURCE_DIR) + "/tests/fuzz/corpus/onvif/" + name, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_FALSE(bytes.empty()) << name;
    if (bytes.empty()) return makeError(ErrorClass::NotFound, "no seed " + name);
    return parseCameraAnswer(AnswerKind(1 + static_cast<unsigned char>(bytes[0]) % 7), bytes.substr(1));
}

TEST(OnvifAnswer, RealAnswersAndAVendorsExtraElementsParse) {
    // The first three were captured from onvif-camera-sim; "profiles" is hand-written with a
    // vendor element no schema here declares, as real cameras send.
    for (const char* seed : {"getsystemdateandtime", "getcapabilities", "getservices", "profiles", "streamuri"}) {
        auto st = parseSeed(seed);
        EXPECT_TRUE(st) << seed << ": " << (st ? "" : st.error().message);
    }
}

TEST(OnvifAnswer, EachBadAnswerGetsTheErrorClassTheClientReports) {
    const std::pair<const char*, ErrorClass> cases[] = {
        {"fault-not-authorized", ErrorClass::AuthenticationFailed},
        {"garbage", ErrorClass::NotOnvif},
        {"deep", ErrorClass::MalformedAnswer},
        {"many-items", ErrorClass::MalformedAnswer},
        {"profiles-bad-enum", ErrorClass::MalformedAnswer},
        {"truncated", ErrorClass::MalformedAnswer},
    };
    for (const auto& [seed, cls] : cases) {
        auto st = parseSeed(seed);
        ASSERT_FALSE(st) << seed << " parsed";
        EXPECT_EQ(errorClassName(st.error().cls), errorClassName(cls)) << seed << ": " << st.error().message;
    }
}

TEST(OnvifAnswer, AnAnswerOfTheWrongKindIsMalformedNotAccepted) {
    // A GetSystemDateAndTime answer where GetProfiles was asked.
    std::ifstream f(std::string(APPLIANCE_SOURCE_DIR) + "/tests/fuzz/corpus/onvif/getsystemdateandtime", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto st = parseCameraAnswer(AnswerKind::Profiles, bytes.substr(1));
    ASSERT_FALSE(st);
    EXPECT_EQ(errorClassName(st.error().cls), "MalformedAnswer") << st.error().message;
}

TEST(OnvifAnswer, ScopesAndAddressesAreReadAsPeopleWriteThem) {
    auto d = describeDevice("urn:uuid:1", "dn:NetworkVideoTransmitter",
                            "onvif://www.onvif.org/name/Gate%20North onvif://www.onvif.org/location/lot-2", "http://a/ http://b/", 3);
    EXPECT_EQ(d.name, "Gate North");
    EXPECT_EQ(d.location, "lot-2");
    EXPECT_EQ(d.xaddrs.size(), 2u);
    EXPECT_EQ(*deviceServiceUrl("192.0.2.7"), "http://192.0.2.7/onvif/device_service");
    EXPECT_EQ(*deviceServiceUrl("192.0.2.7:8080"), "http://192.0.2.7:8080/onvif/device_service");
    EXPECT_EQ(*deviceServiceUrl("https://cam/onvif/device_service"), "https://cam/onvif/device_service");
    EXPECT_FALSE(deviceServiceUrl("ftp://cam"));
    EXPECT_FALSE(deviceServiceUrl("cam;rm -rf"));
    EXPECT_FALSE(deviceServiceUrl(""));
}

}  // namespace
}  // namespace appliance::camera

// SPDX-License-Identifier: GPL-2.0-or-later
// The vms.* commands' argument checks and answer shapes (vms-agent/adapters/vms_json.h). The
// adapter here only records what reached it: the real VMSes run in guests (tested by hand and by
// the libvirt tests), and this test is about what is refused before anything reaches them.
#include <gtest/gtest.h>

#include "adapters/vms_json.h"

namespace appliance::agent {
namespace {

using Json = protocol::Json;

class RecordingAdapter : public VmsAdapter {
public:
    Result<VmsInfo> info() override { return VmsInfo{"motion", "4.5.1", 1, 4, true, ""}; }
    Result<std::vector<CameraState>> cameras() override { return std::vector<CameraState>{state}; }
    Result<std::string> add(const CameraSpec& c) override {
        added = c;
        return std::string("101");
    }
    Status remove(const std::string& id) override {
        removed = id;
        return okStatus();
    }
    Result<CameraState> status(const std::string& id) override {
        if (id != "101") return makeError(ErrorClass::NotFound, "no camera " + id);
        return state;
    }
    Result<std::string> snapshot(const std::string& id) override {
        if (id != "101") return makeError(ErrorClass::NotFound, "no camera " + id);
        return std::string("\xFF\xD8pic\xFF\xD9");
    }
    Result<RecordedClock> recordedClock(const std::string& id, FrameEnd end, std::int64_t sinceMs) override {
        if (id != "101") return makeError(ErrorClass::NotFound, "no camera " + id);
        clockAsked = {end, sinceMs};
        return RecordedClock{sinceMs + (end == FrameEnd::First ? 1 : 2), "/var/lib/motion/101/a.mp4"};
    }
    std::optional<std::pair<FrameEnd, std::int64_t>> clockAsked;
    CameraState state{"101", "cam01", "urn:uuid:1", "rtsp://10.0.2.100:8554/cam01/sub", true, false, 1.5, std::nullopt, "why"};
    std::optional<CameraSpec> added;
    std::string removed;
};

Json addArgs(Json extra = Json::object()) {
    Json a{{"name", "cam01"}, {"stream_uri", "rtsp://10.0.2.100:8554/cam01/sub"}};
    a.update(extra);
    return a;
}

ErrorClass addError(const Json& args) {
    RecordingAdapter a;
    auto r = runVmsCommand(a, "vms.camera.add", args);
    EXPECT_FALSE(a.added) << args.dump();
    return r ? ErrorClass::Invalid : r.error().cls;
}

TEST(VmsJsonTest, AddTakesTheFullSpecAndAnswersTheId) {
    RecordingAdapter a;
    auto r = runVmsCommand(a, "vms.camera.add",
                           addArgs({{"onvif_id", "urn:uuid:5"}, {"username", "admin"}, {"password", "p@ss:w/rd%"},
                                    {"width", 640}, {"height", 360}, {"fps", 15}, {"name", "Küche 1"}}));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, (Json{{"id", "101"}}));
    ASSERT_TRUE(a.added);
    EXPECT_EQ(a.added->name, "Küche 1");
    EXPECT_EQ(a.added->password, "p@ss:w/rd%");
    EXPECT_EQ(a.added->onvifId, "urn:uuid:5");
    EXPECT_EQ(a.added->width, 640);
    EXPECT_EQ(a.added->fps, 15);
}

TEST(VmsJsonTest, OnlyNameAndStreamUriAreRequired) {
    auto spec = cameraSpecFromJson(addArgs());
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->width, 0);
    EXPECT_TRUE(spec->username.empty());
    EXPECT_EQ(addError(Json{{"name", "a"}}), ErrorClass::InvalidArgument);
    EXPECT_EQ(addError(Json{{"stream_uri", "rtsp://h/"}}), ErrorClass::InvalidArgument);
    EXPECT_EQ(addError(Json::array()), ErrorClass::InvalidArgument);
}

TEST(VmsJsonTest, UnknownKeysAreRefusedByName) {
    RecordingAdapter a;
    auto r = runVmsCommand(a, "vms.camera.add", addArgs({{"pasword", "x"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::InvalidArgument);
    EXPECT_NE(r.error().message.find("'pasword'"), std::string::npos);
    EXPECT_FALSE(runVmsCommand(a, "vms.info", Json{{"x", 1}}));
    EXPECT_FALSE(runVmsCommand(a, "vms.camera.status", Json{{"id", "101"}, {"verbose", true}}));
}

TEST(VmsJsonTest, NamesArePrintableAndBounded) {
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"name", std::string(64, 'n')}})));
    for (const Json& bad : {Json(""), Json(std::string(65, 'n')), Json("a\nb"), Json("a\x1b[2Jb"), Json(" lead"),
                            Json("trail "), Json("c1\xc2\x85"), Json(5), Json(true)})
        EXPECT_EQ(addError(addArgs({{"name", bad}})), ErrorClass::InvalidArgument) << bad.dump();
}

TEST(VmsJsonTest, StreamUrisAreRtspWithoutCredentials) {
    for (const char* good : {"rtsp://10.0.2.100:8554/cam01/sub", "rtsp://cam.local/live?x=1&y=%20", "rtsp://[::1]:554/a",
                             "rtsp://[::1]/a", "rtsp://h"})
        EXPECT_TRUE(checkStreamUri(good)) << good;
    for (const std::string& bad : std::vector<std::string>{"http://h/a", "RTSP://h/a", "rtsp://", "rtsp://:554/a", "rtsp://admin:pw@h/a", "rtsp://u@h/a",
                            "rtsp://h/a b", "rtsp://h/a\"b", "rtsp://h/%zz", "rtsp://h/%4", "rtsp://h:0/a", "rtsp://h:65536/a",
                            "rtsp://h:x/a", "rtsp://h:/a", "rtsp://[::1/a", "rtsp://[::1]x/a", "rtsp://h/ä",
                            "rtsp://h/" + std::string(510, 'a')})
        EXPECT_FALSE(checkStreamUri(bad)) << bad;
    EXPECT_TRUE(checkStreamUri("rtsp://h/" + std::string(503, 'a')));  // exactly 512 bytes
    auto r = cameraSpecFromJson(addArgs({{"stream_uri", "rtsp://admin:pw@h/a"}}));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("'username' and 'password'"), std::string::npos);
    EXPECT_EQ(r.error().message.find("pw"), std::string::npos);  // the secret is not repeated
}

TEST(VmsJsonTest, CredentialsAreBoundedWithoutControlCharacters) {
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"username", std::string(128, 'u')}, {"password", std::string(128, 'p')}})));
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"username", "admin"}, {"password", " spaces & ünïcode "}})));
    for (const Json& extra : {Json{{"username", std::string(129, 'u')}}, Json{{"username", "a"}, {"password", std::string(129, 'p')}},
                              Json{{"username", "a\tb"}}, Json{{"username", "a"}, {"password", "p\rq"}},
                              Json{{"username", "a"}, {"password", "p\x7f"}}, Json{{"username", "a:b"}},
                              Json{{"password", "no user"}}, Json{{"username", 5}}})
        EXPECT_EQ(addError(addArgs(extra)), ErrorClass::InvalidArgument) << extra.dump();
}

TEST(VmsJsonTest, OnvifIdsAreShortAsciiWithoutSpaces) {
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"onvif_id", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"}})));
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"onvif_id", std::string(128, 'o')}})));
    for (const Json& bad : {Json(std::string(129, 'o')), Json("urn uuid"), Json("urn:ü"), Json(1)})
        EXPECT_EQ(addError(addArgs({{"onvif_id", bad}})), ErrorClass::InvalidArgument) << bad.dump();
}

TEST(VmsJsonTest, PictureSizesAndRatesAreIntegersInRange) {
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"width", 16}, {"height", 4320}, {"fps", 60}})));
    EXPECT_TRUE(cameraSpecFromJson(addArgs({{"width", nullptr}})));
    for (const Json& extra : {Json{{"width", 15}}, Json{{"width", 7681}}, Json{{"height", 0}}, Json{{"fps", 0}},
                              Json{{"fps", 61}}, Json{{"fps", -5}}, Json{{"fps", 5.5}}, Json{{"fps", "5"}},
                              Json{{"fps", true}}, Json{{"width", 18446744073709551615ull}}})
        EXPECT_EQ(addError(addArgs(extra)), ErrorClass::InvalidArgument) << extra.dump();
}

TEST(VmsJsonTest, IdsAreShortWordCharacters) {
    RecordingAdapter a;
    ASSERT_TRUE(runVmsCommand(a, "vms.camera.remove", Json{{"id", "101"}}));
    EXPECT_EQ(a.removed, "101");
    EXPECT_EQ(*runVmsCommand(a, "vms.camera.remove", Json{{"id", "a_b-C"}}), (Json{{"removed", "a_b-C"}}));
    for (const Json& bad : {Json{{"id", ""}}, Json{{"id", std::string(33, '1')}}, Json{{"id", "../1"}}, Json{{"id", "1 2"}},
                            Json{{"id", 101}}, Json::object(), Json(nullptr)}) {
        a.removed.clear();
        auto r = runVmsCommand(a, "vms.camera.remove", bad);
        ASSERT_FALSE(r) << bad.dump();
        EXPECT_EQ(r.error().cls, ErrorClass::InvalidArgument);
        EXPECT_TRUE(a.removed.empty());
    }
    auto missing = runVmsCommand(a, "vms.camera.status", Json{{"id", "7"}});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().cls, ErrorClass::NotFound);
}

TEST(VmsJsonTest, AnswersHaveExactlyTheWireKeys) {
    RecordingAdapter a;
    auto info = runVmsCommand(a, "vms.info", nullptr);
    ASSERT_TRUE(info);
    EXPECT_EQ(*info, (Json{{"product", "motion"}, {"version", "4.5.1"}, {"cameras", 1}, {"camera_limit", 4},
                           {"ready", true}, {"reason", ""}}));
    const Json camera{{"id", "101"},           {"name", "cam01"},      {"onvif_id", "urn:uuid:1"},
                      {"stream_uri", "rtsp://10.0.2.100:8554/cam01/sub"}, {"receiving", true}, {"recording", false},
                      {"last_frame", 1.5},     {"last_recorded", nullptr}, {"reason", "why"}};
    EXPECT_EQ(*runVmsCommand(a, "vms.camera.status", Json{{"id", "101"}}), camera);
    EXPECT_EQ(*runVmsCommand(a, "vms.cameras", Json::object()), (Json{{"cameras", Json::array({camera})}}));
    EXPECT_EQ(*runVmsCommand(a, "vms.camera.snapshot", Json{{"id", "101"}}), (Json{{"jpeg", "/9hwaWP/2Q=="}}));
    auto bad = runVmsCommand(a, "vms.camera.snapshot", Json{{"id", "../1"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().cls, ErrorClass::InvalidArgument);

    EXPECT_EQ(*runVmsCommand(a, "vms.camera.recorded_clock", Json{{"id", "101"}, {"end", "last"}, {"since_ms", 1000}}),
              (Json{{"clock_ms", 1002}, {"file", "/var/lib/motion/101/a.mp4"}}));
    ASSERT_TRUE(a.clockAsked);
    EXPECT_EQ(a.clockAsked->first, FrameEnd::Last);
    EXPECT_EQ(*runVmsCommand(a, "vms.camera.recorded_clock", Json{{"id", "101"}, {"end", "first"}}),
              (Json{{"clock_ms", 1}, {"file", "/var/lib/motion/101/a.mp4"}}))
        << "since_ms defaults to 0";
    a.clockAsked.reset();
    for (const Json& args : {Json{{"id", "101"}}, Json{{"id", "101"}, {"end", "middle"}},
                             Json{{"id", "101"}, {"end", "first"}, {"since_ms", -1}},
                             Json{{"id", "101"}, {"end", "first"}, {"since_ms", "now"}},
                             Json{{"id", "101"}, {"end", "first"}, {"since_ms", 1.5}},
                             Json{{"id", "101"}, {"end", "first"}, {"since_ms", std::int64_t(1) << 44}},
                             Json{{"id", "../1"}, {"end", "first"}}, Json{{"id", "101"}, {"end", "first"}, {"extra", 1}}}) {
        auto refused = runVmsCommand(a, "vms.camera.recorded_clock", args);
        ASSERT_FALSE(refused) << args.dump();
        EXPECT_EQ(refused.error().cls, ErrorClass::InvalidArgument) << args.dump();
    }
    EXPECT_FALSE(a.clockAsked) << "a refused request never reaches the VMS";
}

TEST(VmsJsonTest, TextFromTheVmsIsMadeValidUtf8) {
    CameraState c;
    c.name = "bad\xff\x1b[31m";
    Json j = toJson(c);
    EXPECT_EQ(j["name"], "bad\\xff\\x1b[31m");
    EXPECT_NO_THROW((void)j.dump());
}

TEST(VmsJsonTest, UnknownVerbsAreCommandNotFound) {
    RecordingAdapter a;
    auto r = runVmsCommand(a, "vms.camera.rename", Json::object());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::CommandNotFound);
    EXPECT_NE(r.error().message.find("vms.camera.add"), std::string::npos);
}

}  // namespace
}  // namespace appliance::agent

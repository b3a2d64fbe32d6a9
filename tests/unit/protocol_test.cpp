// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "common/protocol.h"

namespace appliance::protocol {
namespace {

TEST(ProtocolTest, DecodesACommandWithArgumentsAndId) {
    auto m = decode(R"({"execute": "vm.start", "arguments": {"name": "a"}, "id": 7})");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, Kind::Command);
    EXPECT_EQ(m->name, "vm.start");
    EXPECT_EQ(m->body["name"], "a");
    EXPECT_EQ(m->id, 7);
}

TEST(ProtocolTest, CommandWithoutArgumentsGetsAnEmptyObject) {
    auto m = decode(R"({"execute": "vm.list"})");
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->body.is_object());
    EXPECT_TRUE(m->body.empty());
    EXPECT_TRUE(m->id.is_null());
}

TEST(ProtocolTest, RoundTripsEveryKind) {
    auto ret = decode(encodeReturn({{"x", 1}}, "abc"));
    ASSERT_TRUE(ret);
    EXPECT_EQ(ret->kind, Kind::Return);
    EXPECT_EQ(ret->id, "abc");
    auto err = decode(encodeError(ErrorClass::NotFound, "no VM named 'x'", 3));
    ASSERT_TRUE(err);
    EXPECT_EQ(err->kind, Kind::Error);
    EXPECT_EQ(err->error.cls, ErrorClass::NotFound);
    EXPECT_EQ(err->error.message, "no VM named 'x'");
    auto ev = decode(encodeEvent("vm.state", {{"name", "a"}}, 1700000000.250001));
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->kind, Kind::Event);
    EXPECT_NEAR(ev->timestampS, 1700000000.250001, 1e-6);
    auto gr = decode(encodeGreeting({{"version", kVersion}}));
    ASSERT_TRUE(gr);
    EXPECT_EQ(gr->kind, Kind::Greeting);
    auto cmd = decode(encodeCommand("vm.info", {{"name", "b"}}, 9));
    ASSERT_TRUE(cmd);
    EXPECT_EQ(cmd->name, "vm.info");
}

TEST(ProtocolTest, EveryFrameEndsInExactlyOneNewline) {
    std::string s = encodeReturn("line\nbreak", 1);
    EXPECT_EQ(s.back(), '\n');
    EXPECT_EQ(s.find('\n'), s.size() - 1);
}

TEST(ProtocolTest, RejectsMalformedInputWithAReason) {
    for (const char* bad : {"", "not json", "[1]", "42", "{\"execute\": 1}", "{\"execute\": \"\"}",
                            "{\"execute\": \"x\", \"arguments\": [1]}", "{\"execute\": \"x\", \"id\": {}}",
                            "{\"error\": {\"class\": 1}}", "{\"nothing\": true}"}) {
        auto m = decode(bad);
        ASSERT_FALSE(m) << bad;
        EXPECT_EQ(m.error().cls, ErrorClass::InvalidArgument) << bad;
        EXPECT_FALSE(m.error().message.empty());
    }
}

TEST(ProtocolTest, BoundsSizeAndDepth) {
    Limits limits{100, 4};
    auto big = decode("{\"execute\": \"" + std::string(200, 'a') + "\"}", limits);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().cls, ErrorClass::TooLarge);
    auto deep = decode(R"({"a":{"b":{"c":{"d":{"e":1}}}}})", limits);
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().message.find("deeper"), std::string::npos);
    // Brackets inside strings do not count as nesting.
    EXPECT_TRUE(decode(R"({"execute":"x","arguments":{"s":"[[[[[[[[{{{{{{"}})", limits));
}

TEST(ProtocolTest, InvalidUtf8IsReplacedWhenEncodingInsteadOfThrowing) {
    std::string s = encodeReturn(std::string("bad \xff byte"), 1);
    EXPECT_TRUE(decode(s.substr(0, s.size() - 1)));
}

TEST(LineFramerTest, SplitsFramesAcrossFeeds) {
    LineFramer f(1024);
    f.feed("{\"a\":1}\n{\"b\"");
    auto first = f.next();
    ASSERT_TRUE(first && *first);
    EXPECT_EQ(first->value(), "{\"a\":1}");
    EXPECT_FALSE(f.next());
    f.feed(":2}\r\n\n");
    auto second = f.next();
    ASSERT_TRUE(second && *second);
    EXPECT_EQ(second->value(), "{\"b\":2}");
    EXPECT_FALSE(f.next());
}

TEST(LineFramerTest, AnOversizedLineIsReportedOnceThenSkippedToItsNewline) {
    LineFramer f(16);
    f.feed(std::string(40, 'x'));
    auto err = f.next();
    ASSERT_TRUE(err);
    ASSERT_FALSE(*err);
    EXPECT_EQ(err->error().cls, ErrorClass::TooLarge);
    f.feed(std::string(40, 'y'));
    EXPECT_FALSE(f.next());
    f.feed("zz\n{\"ok\":1}\n");
    auto ok = f.next();
    ASSERT_TRUE(ok && *ok);
    EXPECT_EQ(ok->value(), "{\"ok\":1}");
    EXPECT_LE(f.buffered(), 16u);
}

TEST(LineFramerTest, AByteAtATimeSenderCostsLinearWork) {
    // 64 KiB of a frame, one byte per read, then its newline: each byte is looked at once.
    constexpr std::size_t kBytes = 64 * 1024;
    LineFramer f(kBytes + 16);
    std::string frame = "{\"execute\":\"x\",\"arguments\":{\"p\":\"" + std::string(kBytes - 40, 'a') + "\"}}";
    for (char c : frame) {
        f.feed(std::string_view(&c, 1));
        EXPECT_FALSE(f.next());
    }
    f.feed("\n");
    auto got = f.next();
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(got->value(), frame);
    EXPECT_LE(f.bytesScanned(), frame.size() + 1) << "the framer rescans what it has already searched";
}

}  // namespace
}  // namespace appliance::protocol

// SPDX-License-Identifier: GPL-2.0-or-later
// The one place secrets are stripped: JSON values, JSON text and URIs; linear on hostile input.
#include <gtest/gtest.h>

#include "common/redact.h"

namespace appliance {
namespace {

TEST(Redact, JsonValuesUnderSecretKeysAreMaskedAtAnyDepth) {
    nlohmann::json in = {{"name", "cam"},
                         {"password", "hunter2"},
                         {"camera", {{"Camera_Password", "x"}, {"user", "admin"}}},
                         {"list", {{{"token", "t"}}, 5}},
                         {"secret", nullptr}};
    auto out = redact::json(in);
    EXPECT_EQ(out["password"], "***");
    EXPECT_EQ(out["camera"]["Camera_Password"], "***");
    EXPECT_EQ(out["camera"]["user"], "admin");
    EXPECT_EQ(out["list"][0]["token"], "***");
    EXPECT_EQ(out["list"][1], 5);
    EXPECT_TRUE(out["secret"].is_null()) << "nothing to hide in a null";
    EXPECT_EQ(out["name"], "cam");
    EXPECT_EQ(in["password"], "hunter2") << "the input is not changed";
}

TEST(Redact, JsonTextMasksSecretStringsAndKeepsTheRest) {
    EXPECT_EQ(redact::text(R"({"user":"a","password" : "p\"w\\","x":1})"), R"({"user":"a","password" : "***","x":1})");
    EXPECT_EQ(redact::text(R"({"PassPhrase":"abc"})"), R"({"PassPhrase":"***"})");
    EXPECT_EQ(redact::text(R"({"proof":"abc"})"), R"({"proof":"***"})");
    EXPECT_EQ(redact::text(R"(["password","visible"])"), R"(["password","visible"])") << "no colon: not a key";
    EXPECT_EQ(redact::text("plain text"), "plain text");
}

TEST(Redact, TruncatedOrMalformedTextNeverLeaksTheSecretAndNeverGrows) {
    EXPECT_EQ(redact::text(R"({"password":"abc)"), R"({"password":"***")");
    EXPECT_EQ(redact::text(R"({"password":"abc\)"), R"({"password":"***")");
    EXPECT_EQ(redact::text(R"({"password)"), R"({"password)");
    EXPECT_EQ(redact::text("\"\\"), "\"\\");
}

TEST(Redact, AOneMebibyteArgumentIsHandledLinearly) {
    // What overflowed the stack of the old recursive std::regex at 20,000 characters.
    std::string big = R"({"description":")" + std::string(1 << 20, 'a') + R"(","password":")" + std::string(1 << 20, 'b') + "\"}";
    std::string out = redact::text(big);
    EXPECT_EQ(out.size(), big.size() - (1 << 20) + 3);
    EXPECT_EQ(out.find("bbb"), std::string::npos);
    std::string escapes = R"({"password":")";
    for (int i = 0; i < (1 << 19); ++i) escapes += "\\\"";
    escapes += "\"}";
    EXPECT_EQ(redact::text(escapes), R"({"password":"***"})");
    auto j = redact::json(nlohmann::json::parse(big));
    EXPECT_EQ(j["password"], "***");
}

TEST(Redact, UriCredentialsAreMasked) {
    EXPECT_EQ(redact::uri("rtsp://admin:pw@10.0.2.2:8554/cam01/sub"), "rtsp://***@10.0.2.2:8554/cam01/sub");
    EXPECT_EQ(redact::uri("rtsp://admin:p@ss@host/x"), "rtsp://***@host/x") << "the last @ of the authority ends the user info";
    EXPECT_EQ(redact::uri("rtsp://host/path@not-credentials"), "rtsp://host/path@not-credentials");
    EXPECT_EQ(redact::uri("no scheme"), "no scheme");
}

}  // namespace
}  // namespace appliance

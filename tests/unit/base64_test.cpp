// SPDX-License-Identifier: GPL-2.0-or-later
// base64 for pictures in the protocol: what a guest sends is canonical base64 or refused.
#include <gtest/gtest.h>

#include "common/base64.h"

namespace appliance {
namespace {

TEST(Base64, RoundTripsEveryLengthAndByteValue) {
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        auto back = fromBase64(toBase64(bytes));
        ASSERT_TRUE(back) << i;
        EXPECT_EQ(*back, bytes) << i;
        bytes += char(i * 37 + 11);
    }
    EXPECT_EQ(toBase64("\xFF\xD8j"), "/9hq");
    EXPECT_EQ(toBase64("ab"), "YWI=");
    EXPECT_EQ(fromBase64("YWI=").value_or("?"), "ab");
}

TEST(Base64, AnythingNotCanonicalIsRefused) {
    for (const char* bad : {"YWI", "YW=I", "Y===", "YWI=YWI=", "YW\nI", "YWJ=", "YR==", "<b>=", "YWI*", "===="}) {
        EXPECT_FALSE(fromBase64(bad)) << bad;
    }
    EXPECT_FALSE(fromBase64(std::string_view("YW\0=", 4)));
    EXPECT_TRUE(fromBase64(""));
}

TEST(Base64, AJpegIsWholeFromItsStartMarkerToItsEndMarker) {
    EXPECT_TRUE(looksLikeJpeg("\xFF\xD8...\xFF\xD9"));
    EXPECT_FALSE(looksLikeJpeg("\xFF\xD8...cut"));
    EXPECT_FALSE(looksLikeJpeg("<svg>\xFF\xD9"));
    EXPECT_FALSE(looksLikeJpeg("\xFF\xD8"));
}

}  // namespace
}  // namespace appliance

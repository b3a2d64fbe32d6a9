// SPDX-License-Identifier: GPL-2.0-or-later
// The camera clock stamped into frames: round trips at the simulator's sizes, after the blur and
// noise a lossy encoder adds, after scaling, and refusals (no stamp, a damaged cell, too small).
#include "common/frame_clock.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace {
using namespace appliance::frameclock;

struct Frame {
    int width, height;
    std::vector<std::uint8_t> y;
    Frame(int w, int h, std::uint8_t fill = 90) : width(w), height(h), y(std::size_t(w) * h, fill) {}
    Plane plane() { return {y.data(), width, height, width}; }
    ConstPlane view() const { return {y.data(), width, height, width}; }
};

constexpr std::int64_t kNov2026 = 1795687200123;  // 2026-11-26 ...:00.123 UTC

TEST(FrameClock, ReadsBackWhatWasStampedAtEverySimulatorSize) {
    for (auto [w, h] : {std::pair{320, 180}, {640, 360}, {1280, 720}, {1920, 1080}, {80, 45}, {352, 288}}) {
        Frame f(w, h);
        ASSERT_TRUE(stamp(f.plane(), kNov2026)) << w << "x" << h;
        EXPECT_EQ(read(f.view()), kNov2026) << w << "x" << h;
    }
}

TEST(FrameClock, SurvivesBlurAndNoiseLikeALossyEncoder) {
    Frame f(320, 180);
    ASSERT_TRUE(stamp(f.plane(), kNov2026));
    Frame blurred(320, 180);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> noise(-30, 30);
    for (int y = 1; y < 179; ++y)
        for (int x = 1; x < 319; ++x) {
            int sum = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) sum += f.y[std::size_t(y + dy) * 320 + x + dx];
            blurred.y[std::size_t(y) * 320 + x] = std::uint8_t(std::clamp(sum / 9 + noise(rng), 0, 255));
        }
    EXPECT_EQ(read(blurred.view()), kNov2026);
}

TEST(FrameClock, ReadsAPictureScaledToHalfSize) {
    Frame f(640, 360);
    ASSERT_TRUE(stamp(f.plane(), kNov2026));
    Frame half(320, 180);
    for (int y = 0; y < 180; ++y)
        for (int x = 0; x < 320; ++x) half.y[std::size_t(y) * 320 + x] = f.y[std::size_t(2 * y) * 640 + 2 * x];
    EXPECT_EQ(read(half.view()), kNov2026);
}

TEST(FrameClock, StampsChromaNeutralOnlyInsideTheBlock) {
    Frame f(320, 180);
    std::vector<std::uint8_t> u(160 * 90, 40), v(160 * 90, 200);
    ASSERT_TRUE(stamp(f.plane(), kNov2026, {u.data(), 160, 90, 160}, {v.data(), 160, 90, 160}));
    EXPECT_EQ(u[159], 128);            // top-right corner: inside
    EXPECT_EQ(v[159], 128);
    EXPECT_EQ(u[0], 40);               // top-left: untouched
    EXPECT_EQ(v[89 * 160 + 159], 200);  // bottom-right: untouched
    EXPECT_EQ(read(f.view()), kNov2026);
}

TEST(FrameClock, RefusesPicturesWithoutAClock) {
    for (std::uint8_t fill : {0, 16, 128, 235, 255}) {
        Frame plain(320, 180, fill);
        EXPECT_FALSE(read(plain.view())) << "a plain picture of level " << int(fill);
    }
    Frame f(320, 180);
    ASSERT_TRUE(stamp(f.plane(), kNov2026));
    // One cell flipped (the rightmost cell of the top row: the 13th bit of the time).
    const int cell = 320 / 40;
    for (int y = 0; y < cell; ++y)
        for (int x = 320 - cell; x < 320; ++x) f.y[std::size_t(y) * 320 + x] ^= 0xff;
    EXPECT_FALSE(read(f.view())) << "the checksum must refuse a misread cell";
}

TEST(FrameClock, RefusesTooSmallFramesAndTimesOutOfRange) {
    Frame tiny(79, 45);
    EXPECT_FALSE(stamp(tiny.plane(), kNov2026));
    EXPECT_FALSE(read(tiny.view()));
    Frame f(320, 180);
    const std::vector<std::uint8_t> before = f.y;
    EXPECT_FALSE(stamp(f.plane(), -1));
    EXPECT_FALSE(stamp(f.plane(), std::int64_t(1) << 44));
    EXPECT_EQ(f.y, before) << "a refused stamp changes nothing";
    EXPECT_TRUE(stamp(f.plane(), 0));
    EXPECT_EQ(read(f.view()), 0);
    EXPECT_TRUE(stamp(f.plane(), (std::int64_t(1) << 44) - 1));
    EXPECT_EQ(read(f.view()), (std::int64_t(1) << 44) - 1);
}

}  // namespace

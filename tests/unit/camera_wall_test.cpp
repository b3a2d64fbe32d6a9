// SPDX-License-Identifier: GPL-2.0-or-later
// vms-wall's drawing, without a screen: JPEG decoding (real libjpeg, pictures encoded here),
// the grid's shape, and what the wall draws for cameras, for none, and for text from a VMS.
#include <cstdio>
#include <gtest/gtest.h>
#include <jpeglib.h>
#include <string>

#include "wall/camera_wall.h"
#include "wall/jpeg_decoder.h"

namespace appliance::wall {
namespace {

/// A JPEG of one flat colour, made with libjpeg.
std::string jpegOf(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    jpeg_compress_struct c{};
    jpeg_error_mgr err{};
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char* out = nullptr;
    unsigned long size = 0;
    jpeg_mem_dest(&c, &out, &size);
    c.image_width = unsigned(width), c.image_height = unsigned(height), c.input_components = 3, c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    jpeg_start_compress(&c, TRUE);
    std::vector<unsigned char> row(std::size_t(width) * 3);
    for (int x = 0; x < width; ++x) row[std::size_t(x) * 3] = r, row[std::size_t(x) * 3 + 1] = g, row[std::size_t(x) * 3 + 2] = b;
    while (c.next_scanline < c.image_height) {
        JSAMPROW p = row.data();
        jpeg_write_scanlines(&c, &p, 1);
    }
    jpeg_finish_compress(&c);
    std::string bytes(reinterpret_cast<char*>(out), size);
    jpeg_destroy_compress(&c);
    std::free(out);
    return bytes;
}

/// A font whose every glyph is a full block: each drawn character is a solid cell.
BitmapFont blockFont() {
    BitmapFont f;
    f.width = 8, f.height = 16, f.charCount = 256, f.glyphStrideBytes = 16;
    f.data.assign(256 * 16, 0xff);
    for (int y = 0; y < 16; ++y) f.data[std::size_t(' ') * 16 + y] = 0;  // spaces stay empty
    return f;
}

bool near(std::uint32_t p, int r, int g, int b) {
    return std::abs(int(p >> 16 & 0xff) - r) <= 6 && std::abs(int(p >> 8 & 0xff) - g) <= 6 && std::abs(int(p & 0xff) - b) <= 6;
}

TEST(JpegDecoder, DecodesAndScalesDownWhileDecoding) {
    auto full = decodeJpeg(jpegOf(640, 360, 200, 30, 40));
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(full->width, 640);
    EXPECT_EQ(full->height, 360);
    EXPECT_TRUE(near(uint32_t(full->rgb[0]) << 16 | uint32_t(full->rgb[1]) << 8 | full->rgb[2], 200, 30, 40));
    auto small = decodeJpeg(jpegOf(640, 360, 200, 30, 40), 150);
    ASSERT_TRUE(small);
    EXPECT_EQ(small->width, 160);  // 1/4: the smallest scale still at least 150 wide
}

TEST(JpegDecoder, GarbageAndCutPicturesAreErrorsNotCrashes) {
    EXPECT_EQ(decodeJpeg("not a picture").error().cls, ErrorClass::MalformedAnswer);
    const std::string whole = jpegOf(64, 64, 1, 2, 3);
    auto cut = decodeJpeg(whole.substr(0, 40));
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().cls, ErrorClass::MalformedAnswer);
    std::string huge = jpegOf(16, 16, 0, 0, 0);
    // The SOF0 header's height and width (big endian) say 60000 x 60000: refused before decoding.
    const auto sof = huge.find("\xff\xc0");
    ASSERT_NE(sof, std::string::npos);
    huge[sof + 5] = char(0xea), huge[sof + 6] = char(0x60), huge[sof + 7] = char(0xea), huge[sof + 8] = char(0x60);
    auto tooLarge = decodeJpeg(huge);
    ASSERT_FALSE(tooLarge);
    EXPECT_EQ(tooLarge.error().cls, ErrorClass::TooLarge);
}

TEST(CameraWall, GridShapesKeepCellsCloseToSixteenByNine) {
    auto g = gridFor(1, 1268, 760);
    EXPECT_EQ(g.columns * g.rows, 1);
    g = gridFor(4, 1268, 760);
    EXPECT_EQ(g.columns, 2);
    EXPECT_EQ(g.rows, 2);
    g = gridFor(8, 1268, 760);
    EXPECT_GE(g.columns * g.rows, 8);
    EXPECT_LE(g.columns * g.rows, 9);
    // Every cell of 8 lies inside the canvas, below the title bar, and no two overlap.
    const BitmapFont font = blockFont();
    for (int i = 0; i < 8; ++i) {
        const Rect a = cellRect(i, 8, 1280, 800, &font);
        EXPECT_GT(a.y, 16);
        EXPECT_LE(a.x + a.width, 1280);
        EXPECT_LE(a.y + a.height, 800);
        for (int j = 0; j < i; ++j) {
            const Rect b = cellRect(j, 8, 1280, 800, &font);
            EXPECT_TRUE(a.x >= b.x + b.width || b.x >= a.x + a.width || a.y >= b.y + b.height || b.y >= a.y + a.height);
        }
    }
}

TEST(CameraWall, EachCameraShowsItsOwnPictureInItsCell) {
    WallState s;
    s.title = "motion 4.5.1 - live view - new-vms";
    const std::uint8_t colours[3][3] = {{220, 20, 20}, {20, 200, 20}, {20, 20, 220}};
    for (int i = 0; i < 3; ++i) {
        WallCamera c;
        c.id = std::to_string(i + 1), c.name = "Camera " + c.id, c.recording = true;
        c.picture = *decodeJpeg(jpegOf(320, 180, colours[i][0], colours[i][1], colours[i][2]));
        s.cameras.push_back(c);
    }
    Canvas canvas(1280, 800);
    const BitmapFont font = blockFont();
    renderWall(s, &font, canvas);
    for (int i = 0; i < 3; ++i) {
        const Rect cell = cellRect(i, 3, 1280, 800, &font);
        const std::uint32_t centre = canvas.pixel(cell.x + cell.width / 2, cell.y + (cell.height - 28) / 2);
        EXPECT_TRUE(near(centre, colours[i][0], colours[i][1], colours[i][2])) << "camera " << i << " centre " << std::hex << centre;
        // The name is drawn under the picture: text pixels (the block font's white) in the label strip.
        int lit = 0;
        for (int x = cell.x; x < cell.x + cell.width / 2; ++x) lit += canvas.pixel(x, cell.y + cell.height - 12) == rgb(236, 236, 236);
        EXPECT_GT(lit, 8 * 4) << "no name under camera " << i;
    }
}

TEST(CameraWall, NoCameraSaysSoAndACameraWithoutPictureSaysWhy) {
    const BitmapFont font = blockFont();
    WallState empty;
    empty.message = "No cameras are recorded by motion 4.5.1 yet";
    Canvas canvas(1280, 800);
    renderWall(empty, &font, canvas);
    int lit = 0;
    for (int x = 0; x < 1280; ++x) lit += canvas.pixel(x, 400) != canvas.pixel(0, 400);
    EXPECT_GT(lit, 200) << "the message is drawn across the middle of the screen";

    WallState one;
    WallCamera c;
    c.id = "7", c.name = "Gate", c.note = "no new frames: ZoneMinder captured the last one 40 s ago";
    one.cameras.push_back(c);
    renderWall(one, &font, canvas);
    const Rect cell = cellRect(0, 1, 1280, 800, &font);
    int amber = 0;
    for (int x = cell.x; x < cell.x + cell.width; ++x) amber += canvas.pixel(x, cell.y + 6 + 8) == rgb(240, 176, 48);
    EXPECT_GT(amber, 100) << "the reason is written where the picture would be";
}

TEST(CameraWall, TextFromAVmsIsDataAndStaysInsideItsCell) {
    // A font in which only '?' is lit: control characters and bytes beyond ASCII must be drawn as
    // '?', never interpreted (no escape sequence, no markup), and printable text as itself.
    BitmapFont questionOnly;
    questionOnly.width = 8, questionOnly.height = 16, questionOnly.charCount = 256, questionOnly.glyphStrideBytes = 16;
    questionOnly.data.assign(256 * 16, 0);
    for (int y = 0; y < 16; ++y) questionOnly.data[std::size_t('?') * 16 + y] = 0xff;
    Canvas canvas(640, 400);
    const int drawn = canvas.drawText(questionOnly, 0, 0, "\x1b[2J\xff", rgb(255, 255, 255), 1, 640);
    EXPECT_EQ(drawn, 5 * 8);
    int lit = 0;
    for (int x = 0; x < 640; ++x) lit += canvas.pixel(x, 8) == rgb(255, 255, 255);
    EXPECT_EQ(lit, 2 * 8) << "ESC and 0xff are each one '?', '[', '2' and 'J' are themselves";

    // A name far wider than its cell is cut: nothing of it is drawn right of the cell.
    const BitmapFont font = blockFont();
    WallState s;
    WallCamera c;
    c.id = "1", c.recording = false, c.note = std::string(5000, 'N');
    c.name = std::string("<font size=7>") + std::string(500, 'W');
    s.cameras = {c};
    Canvas wide(640, 400);
    renderWall(s, &font, wide);
    const Rect cell = cellRect(0, 1, 640, 400, &font);
    for (int y = cell.y; y < cell.y + cell.height; ++y)
        for (int x = cell.x + cell.width; x < 640; ++x)
            ASSERT_NE(wide.pixel(x, y), rgb(236, 236, 236)) << "the name spills out of its cell at " << x << "," << y;
    for (int x = cell.x + cell.width; x < 640; ++x)
        EXPECT_NE(wide.pixel(x, cell.y + 8), rgb(240, 176, 48)) << "the reason spills out of its cell";
    EXPECT_EQ(Canvas::textWidth(font, "abc", 2), 48);
}

}  // namespace
}  // namespace appliance::wall

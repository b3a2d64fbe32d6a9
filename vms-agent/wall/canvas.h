// SPDX-License-Identifier: GPL-2.0-or-later
// The picture vms-wall draws before it reaches the framebuffer: 32-bit XRGB pixels in memory, so
// the whole layout is drawn (and tested) without a screen, then copied out in one go.
// Context: vms-wall's one thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace appliance::wall {

struct Rect {
    int x = 0, y = 0, width = 0, height = 0;
};

/// A decoded picture, 8-bit RGB, rows without padding.
struct Picture {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgb;
};

/// A console font as the kernel keeps it: one bit per pixel, rows of (width+7)/8 bytes, each glyph
/// `glyphStrideBytes` apart.
struct BitmapFont {
    int width = 0, height = 0, charCount = 0, glyphStrideBytes = 0;
    std::vector<std::uint8_t> data;
    bool bit(unsigned char c, int x, int y) const;
};

constexpr std::uint32_t rgb(int r, int g, int b) { return std::uint32_t(r) << 16 | std::uint32_t(g) << 8 | std::uint32_t(b); }

class Canvas {
public:
    Canvas(int width, int height);
    int width() const { return m_width; }
    int height() const { return m_height; }
    std::uint32_t pixel(int x, int y) const { return m_pixels[std::size_t(y) * m_width + x]; }
    const std::vector<std::uint32_t>& pixels() const { return m_pixels; }

    void fill(Rect r, std::uint32_t colour);
    /// Scales the picture into `box` keeping its aspect ratio (nearest neighbour: cheap, and a
    /// sub stream is shown about its own size), centred; returns where it landed.
    Rect drawPicture(const Picture& p, Rect box);
    /// Draws `text` from (x, y) (top-left), `scale` times the font's size, cut at `maxWidth`
    /// pixels with "…" drawn as "..". Bytes outside printable ASCII are drawn as '?': the text
    /// comes from a VMS and a camera, it is data. Returns the width drawn.
    int drawText(const BitmapFont& font, int x, int y, std::string_view text, std::uint32_t colour, int scale, int maxWidth);
    /// The width `text` takes at `scale`, before any cut.
    static int textWidth(const BitmapFont& font, std::string_view text, int scale);

private:
    Rect clip(Rect r) const;
    int m_width, m_height;
    std::vector<std::uint32_t> m_pixels;
};

}  // namespace appliance::wall

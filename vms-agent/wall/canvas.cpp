// SPDX-License-Identifier: GPL-2.0-or-later
#include "wall/canvas.h"

#include <algorithm>
#include <string>

namespace appliance::wall {

bool BitmapFont::bit(unsigned char c, int x, int y) const {
    if (c >= charCount || x < 0 || y < 0 || x >= width || y >= height) return false;
    const int pitch = (width + 7) / 8;
    const std::size_t at = std::size_t(c) * glyphStrideBytes + std::size_t(y) * pitch + x / 8;
    return at < data.size() && (data[at] >> (7 - x % 8) & 1);
}

Canvas::Canvas(int width, int height)
    : m_width(std::max(width, 0)), m_height(std::max(height, 0)), m_pixels(std::size_t(m_width) * m_height, 0) {}

Rect Canvas::clip(Rect r) const {
    const int x0 = std::max(r.x, 0), y0 = std::max(r.y, 0);
    const int x1 = std::min(r.x + r.width, m_width), y1 = std::min(r.y + r.height, m_height);
    return {x0, y0, std::max(x1 - x0, 0), std::max(y1 - y0, 0)};
}

void Canvas::fill(Rect r, std::uint32_t colour) {
    r = clip(r);
    for (int y = r.y; y < r.y + r.height; ++y)
        std::fill_n(m_pixels.begin() + std::ptrdiff_t(y) * m_width + r.x, r.width, colour);
}

Rect Canvas::drawPicture(const Picture& p, Rect box) {
    if (p.width <= 0 || p.height <= 0 || p.rgb.size() < std::size_t(p.width) * p.height * 3 || box.width <= 0 || box.height <= 0)
        return {};
    // The largest size that fits the box with the picture's own aspect ratio.
    int w = box.width, h = int(std::int64_t(p.height) * box.width / p.width);
    if (h > box.height) h = box.height, w = int(std::int64_t(p.width) * box.height / p.height);
    const Rect placed{box.x + (box.width - w) / 2, box.y + (box.height - h) / 2, w, h};
    const Rect visible = clip(placed);
    for (int y = visible.y; y < visible.y + visible.height; ++y) {
        const int sy = int(std::int64_t(y - placed.y) * p.height / h);
        const std::uint8_t* row = p.rgb.data() + std::size_t(sy) * p.width * 3;
        std::uint32_t* out = m_pixels.data() + std::size_t(y) * m_width;
        for (int x = visible.x; x < visible.x + visible.width; ++x) {
            const std::uint8_t* s = row + std::size_t(std::int64_t(x - placed.x) * p.width / w) * 3;
            out[x] = rgb(s[0], s[1], s[2]);
        }
    }
    return placed;
}

namespace {
unsigned char shown(char c) { return c >= 0x20 && c < 0x7f ? static_cast<unsigned char>(c) : '?'; }
}  // namespace

int Canvas::textWidth(const BitmapFont& font, std::string_view text, int scale) {
    return int(text.size()) * font.width * scale;
}

int Canvas::drawText(const BitmapFont& font, int x, int y, std::string_view text, std::uint32_t colour, int scale,
                     int maxWidth) {
    if (font.width <= 0 || scale <= 0 || maxWidth <= 0) return 0;
    const int advance = font.width * scale;
    std::size_t fits = std::size_t(maxWidth / advance);
    std::string cut(text.substr(0, std::min(text.size(), fits)));
    if (text.size() > fits && fits >= 2) cut.replace(fits - 2, 2, "..");
    for (std::size_t i = 0; i < cut.size(); ++i) {
        const unsigned char c = shown(cut[i]);
        for (int gy = 0; gy < font.height; ++gy)
            for (int gx = 0; gx < font.width; ++gx)
                if (font.bit(c, gx, gy)) fill({x + int(i) * advance + gx * scale, y + gy * scale, scale, scale}, colour);
    }
    return int(cut.size()) * advance;
}

}  // namespace appliance::wall

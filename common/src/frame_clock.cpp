// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/frame_clock.h"

#include <algorithm>

namespace appliance::frameclock {

namespace {
struct Grid {
    int x0 = 0, cellW = 0, cellH = 0;  // the block's left edge; it starts at the top row
};

/// Even cell sizes keep each cell on whole chroma samples of a half-size (4:2:0) plane.
std::optional<Grid> gridFor(int width, int height) {
    if (width < kMinWidth || height < kMinHeight) return std::nullopt;
    Grid g;
    g.cellW = std::max(2, (width / 40) & ~1);
    g.cellH = std::max(2, (height * 2 / 45) & ~1);
    g.x0 = (width - kColumns * g.cellW) & ~1;
    return g;
}

std::uint8_t crc8(std::uint64_t value) {  // polynomial x^8+x^2+x+1 over the 6 bytes of the time
    std::uint8_t crc = 0xff;  // not 0: an all-black picture must not read as 1970
    for (int byte = 5; byte >= 0; --byte) {
        crc ^= std::uint8_t(value >> (8 * byte));
        for (int i = 0; i < 8; ++i) crc = std::uint8_t(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
    }
    return crc;
}

constexpr std::int64_t kMaxTime = (std::int64_t(1) << kTimeBits) - 1;

void fill(Plane p, int x, int y, int w, int h, std::uint8_t value) {
    for (int row = y; row < y + h && row < p.height; ++row)
        std::fill_n(p.data + std::size_t(row) * std::size_t(p.stride) + x, std::min(w, p.width - x), value);
}
}  // namespace

bool stamp(Plane luma, std::int64_t epochMs, Plane chromaU, Plane chromaV) {
    const auto g = gridFor(luma.width, luma.height);
    if (!g || !luma.data || epochMs < 0 || epochMs > kMaxTime) return false;
    const std::uint64_t bits = std::uint64_t(epochMs) << kCrcBits | crc8(std::uint64_t(epochMs));
    for (int i = 0; i < kColumns * kRows; ++i) {
        const bool one = (bits >> (kColumns * kRows - 1 - i)) & 1;
        fill(luma, g->x0 + (i % kColumns) * g->cellW, (i / kColumns) * g->cellH, g->cellW, g->cellH, one ? 235 : 16);
    }
    for (Plane c : {chromaU, chromaV})
        if (c.data) fill(c, g->x0 / 2, 0, kColumns * g->cellW / 2, kRows * g->cellH / 2, 128);
    return true;
}

std::optional<std::int64_t> read(ConstPlane picture) {
    const auto g = gridFor(picture.width, picture.height);
    if (!g || !picture.data) return std::nullopt;
    std::uint64_t bits = 0;
    for (int i = 0; i < kColumns * kRows; ++i) {
        const int x = g->x0 + (i % kColumns) * g->cellW, y = (i / kColumns) * g->cellH;
        // The middle half of the cell (at least one pixel).
        const int x1 = x + g->cellW / 4, x2 = std::max(x1 + 1, x + g->cellW - g->cellW / 4);
        const int y1 = y + g->cellH / 4, y2 = std::max(y1 + 1, y + g->cellH - g->cellH / 4);
        unsigned sum = 0, n = 0;
        for (int row = y1; row < y2 && row < picture.height; ++row)
            for (int col = x1; col < x2 && col < picture.width; ++col, ++n)
                sum += picture.data[std::size_t(row) * std::size_t(picture.stride) + col];
        if (n == 0) return std::nullopt;
        bits = bits << 1 | (sum / n >= 126 ? 1 : 0);
    }
    const std::uint64_t time = bits >> kCrcBits;
    if (std::uint8_t(bits & 0xff) != crc8(time)) return std::nullopt;
    return std::int64_t(time);
}

}  // namespace appliance::frameclock

// SPDX-License-Identifier: GPL-2.0-or-later
#include "wall/camera_wall.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace appliance::wall {

namespace {
constexpr std::uint32_t kBackground = rgb(16, 18, 22), kTitleBar = rgb(32, 44, 64), kCell = rgb(28, 30, 36),
                        kText = rgb(236, 236, 236), kDim = rgb(150, 156, 168), kRecording = rgb(220, 48, 48),
                        kWarning = rgb(240, 176, 48);
constexpr int kGap = 6, kPad = 6;

int titleHeight(const BitmapFont* font) { return (font ? font->height : 16) + 2 * kPad; }
int labelHeight(const BitmapFont* font) { return (font ? font->height : 0) + 2 * kPad; }

std::string clock(double epochS) {
    const std::time_t t = std::time_t(epochS);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M", &tm);  // the wall is drawn when something changes: no seconds
    return buf;
}
}  // namespace

GridShape gridFor(int count, int width, int height) {
    GridShape best;
    double bestScore = 1e9;
    for (int columns = 1; columns <= std::max(count, 1); ++columns) {
        const int rows = (std::max(count, 1) + columns - 1) / columns;
        const double aspect = (double(width) / columns) / std::max(1.0, double(height) / rows);
        // Distance from 16:9 on a log scale, plus a small price per empty cell.
        const double score = std::abs(std::log(aspect / (16.0 / 9.0))) + 0.05 * (columns * rows - count);
        if (score < bestScore) bestScore = score, best = {columns, rows};
    }
    return best;
}

Rect cellRect(int index, int count, int canvasWidth, int canvasHeight, const BitmapFont* font) {
    const int top = titleHeight(font) + kGap;
    const int areaW = canvasWidth - 2 * kGap, areaH = canvasHeight - top - kGap;
    const GridShape g = gridFor(count, areaW, areaH);
    const int w = (areaW - (g.columns - 1) * kGap) / g.columns, h = (areaH - (g.rows - 1) * kGap) / g.rows;
    const int col = index % g.columns, row = index / g.columns;
    return {kGap + col * (w + kGap), top + row * (h + kGap), w, h};
}

void renderWall(const WallState& state, const BitmapFont* font, Canvas& canvas) {
    canvas.fill({0, 0, canvas.width(), canvas.height()}, kBackground);
    const int barH = titleHeight(font);
    canvas.fill({0, 0, canvas.width(), barH}, kTitleBar);
    if (font) {
        const std::string now = clock(state.nowS);
        const int nowW = Canvas::textWidth(*font, now, 1);
        canvas.drawText(*font, canvas.width() - kPad - nowW, kPad, now, kText, 1, nowW);
        canvas.drawText(*font, kPad, kPad, state.title, kText, 1, canvas.width() - 3 * kPad - nowW);
    }
    if (state.cameras.empty()) {
        if (font) {
            const int scale = 2, w = Canvas::textWidth(*font, state.message, scale);
            const int x = std::max(kPad, (canvas.width() - w) / 2), y = (canvas.height() - font->height * scale) / 2;
            canvas.drawText(*font, x, y, state.message, kDim, scale, canvas.width() - 2 * kPad);
        }
        return;
    }
    const int count = int(state.cameras.size());
    for (int i = 0; i < count; ++i) {
        const WallCamera& cam = state.cameras[std::size_t(i)];
        const Rect cell = cellRect(i, count, canvas.width(), canvas.height(), font);
        canvas.fill(cell, kCell);
        const int labelH = labelHeight(font);
        const Rect pictureBox{cell.x, cell.y, cell.width, std::max(0, cell.height - labelH)};
        if (cam.picture) canvas.drawPicture(*cam.picture, pictureBox);
        if (!font) continue;
        const int textY = cell.y + cell.height - labelH + kPad;
        // Right: REC while recording, otherwise the reason in amber (cut to what fits).
        int rightW = 0;
        if (cam.recording) {
            rightW = Canvas::textWidth(*font, "REC", 1);
            canvas.drawText(*font, cell.x + cell.width - kPad - rightW, textY, "REC", kRecording, 1, rightW);
        }
        const int nameMax = cell.width - 3 * kPad - rightW;
        const int nameW = canvas.drawText(*font, cell.x + kPad, textY, cam.name, kText, 1, nameMax);
        if (!cam.picture || !cam.recording) {
            // Said on the picture area, where the operator looks, in words.
            const std::string& why = cam.note.empty() ? std::string("no picture yet") : cam.note;
            const int lineH = font->height + 2;
            const int maxChars = std::max(1, (pictureBox.width - 2 * kPad) / font->width);
            int y = pictureBox.y + kPad;
            for (std::size_t at = 0; at < why.size() && y + lineH <= pictureBox.y + pictureBox.height; at += maxChars, y += lineH) {
                canvas.fill({pictureBox.x + kPad, y - 1, std::min(int(why.size() - at), maxChars) * font->width, lineH}, kCell);
                canvas.drawText(*font, pictureBox.x + kPad, y, std::string_view(why).substr(at, maxChars), kWarning, 1,
                                pictureBox.width - 2 * kPad);
            }
        } else if (cam.pictureAtS > 0 && state.nowS - cam.pictureAtS >= 30) {
            // A picture that is not live any more says how old it is.
            const std::string age = "picture of " + clock(cam.pictureAtS);
            canvas.drawText(*font, cell.x + 2 * kPad + nameW, textY, age, kDim, 1, nameMax - nameW - kPad);
        }
    }
}

}  // namespace appliance::wall

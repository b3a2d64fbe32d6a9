// SPDX-License-Identifier: GPL-2.0-or-later
// What the operator sees on a VMS guest's screen: the VMS's live view of its cameras, a grid of
// their pictures with their names, as the VMS's own full-screen client would show it; or a
// sentence when the VMS records no camera. Pure drawing (no I/O): tested on the host.
// Context: vms-wall's one thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wall/canvas.h"

namespace appliance::wall {

struct WallCamera {
    std::string id, name;
    bool recording = false;
    std::string note;                ///< when not recording, or when there is no picture: why
    std::optional<Picture> picture;  ///< the VMS's own newest picture of the camera
    double pictureAtS = 0;           ///< when that picture was fetched (epoch s)
};

struct WallState {
    std::string title;    ///< e.g. "motion 4.5.1 · new-vms"
    std::string message;  ///< shown instead of the grid when there is no camera (or the VMS is down)
    std::vector<WallCamera> cameras;
    double nowS = 0;
};

/// Columns × rows for `count` cells on a `width`×`height` area: the grid whose cells come closest
/// to 16:9, so sub streams fill them.
struct GridShape {
    int columns = 1, rows = 1;
};
GridShape gridFor(int count, int width, int height);

/// The cell of camera `index` in the grid, in canvas coordinates (below the title bar).
Rect cellRect(int index, int count, int canvasWidth, int canvasHeight, const BitmapFont* font);

/// Draws the whole wall. Without a font (the kernel gave none) the pictures are drawn alone.
void renderWall(const WallState& state, const BitmapFont* font, Canvas& canvas);

}  // namespace appliance::wall

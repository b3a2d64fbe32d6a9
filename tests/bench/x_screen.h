// SPDX-License-Identifier: GPL-2.0-or-later
// Reading an X screen, kept apart because Xlib's macros (None, Bool, ...) clash with other headers.
#pragma once

namespace appliance::bench {

struct XScreen;
XScreen* openXScreen(const char* display);
void closeXScreen(XScreen* screen);
/// Whether at least `minSamples` of a sparse grid of pixels satisfy `match(r, g, b)`.
bool xScreenHas(XScreen* screen, bool (*match)(int r, int g, int b), int minSamples);
/// The screen's size, and the colour of one pixel (false if it cannot be read).
bool xScreenSize(XScreen* screen, int* width, int* height);
bool xScreenPixel(XScreen* screen, int x, int y, int* r, int* g, int* b);

}  // namespace appliance::bench

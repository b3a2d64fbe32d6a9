// SPDX-License-Identifier: GPL-2.0-or-later
// JPEG → RGB with libjpeg (in every VMS guest: motion and ZoneMinder both link it). The bytes come
// from the VMS, so sizes are bounded and a corrupt file is an error value, never an exit.
// Context: any one thread at a time per call (no shared state).
#pragma once

#include <string_view>

#include "common/result.h"
#include "wall/canvas.h"

namespace appliance::wall {

/// Largest picture decoded, in either direction: a camera's main stream is at most 4K.
inline constexpr int kMaxJpegSide = 4096;

/// Decodes a baseline or progressive JPEG. libjpeg scales down by 1/2, 1/4 or 1/8 while decoding
/// (nearly free); the smallest of those still at least `wantWidth` wide is chosen (0: full size).
Result<Picture> decodeJpeg(std::string_view bytes, int wantWidth = 0);

}  // namespace appliance::wall

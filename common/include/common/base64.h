// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 4648 base64, for pictures (JPEGs) carried in the line protocol's JSON. Decoding is strict:
// what a guest or a camera sends is either canonical base64 or refused, never half-read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace appliance {

std::string toBase64(std::string_view bytes);
/// The bytes, or nullopt when `text` is not canonical padded base64 (wrong alphabet, length not a
/// multiple of 4, padding in the middle, non-zero bits after the last byte).
std::optional<std::string> fromBase64(std::string_view text);

/// Whether `bytes` look like one whole JPEG: the start-of-image marker, and the end-of-image
/// marker as the last bytes (a cut-off or padded picture is not one).
bool looksLikeJpeg(std::string_view bytes);

}  // namespace appliance

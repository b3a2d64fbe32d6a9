// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/plain_text.h"

namespace appliance {

namespace {
// Length of the valid UTF-8 sequence at `i`, or 0 (overlong forms and surrogates count as invalid).
std::size_t utf8Length(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 0;
    auto c1 = static_cast<unsigned char>(s[i + (n > 1 ? 1 : 0)]);
    if ((n == 2 && c < 0xc2) || (n == 3 && c == 0xe0 && c1 < 0xa0) || (n == 3 && c == 0xed && c1 >= 0xa0) ||
        (n == 4 && c == 0xf0 && c1 < 0x90) || (n == 4 && c > 0xf4) || (n == 4 && c == 0xf4 && c1 >= 0x90))
        return 0;
    return n;
}
}  // namespace

std::string plainText(std::string_view text, std::size_t maxBytes) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(std::min(text.size(), maxBytes));
    std::size_t i = 0;
    while (i < text.size() && out.size() < maxBytes) {
        auto c = static_cast<unsigned char>(text[i]);
        std::size_t n = utf8Length(text, i);
        // C1 controls (U+0080..U+009F, 0xC2 0x80..0x9F) act as escapes on some terminals too.
        bool c1 = n == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
        if (n == 1 && c >= 0x20 && c != 0x7f) {
            out += char(c);
        } else if (n > 1 && !c1) {
            out.append(text.substr(i, n));
        } else {
            n = n ? n : 1;
            for (std::size_t k = 0; k < n; ++k) {
                auto b = static_cast<unsigned char>(text[i + k]);
                out += "\\x";
                out += hex[b >> 4];
                out += hex[b & 15];
            }
        }
        i += n;
    }
    if (i < text.size()) out += "…(" + std::to_string(text.size() - i) + " more bytes)";
    return out;
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for everything that reads a peer's bytes: the line framer and the frame decoder.
// Invariants checked: no crash, no unbounded buffering, and anything decoded re-encodes and
// decodes to the same kind.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/protocol.h"

using namespace appliance::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    constexpr std::size_t kMax = 4096;
    LineFramer framer(kMax);
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    // Feed in uneven pieces, as a socket would deliver them.
    for (std::size_t off = 0; off < bytes.size();) {
        std::size_t n = 1 + (bytes[off] & 0x3f);
        framer.feed(bytes.substr(off, n));
        off += n;
        while (auto frame = framer.next()) {
            if (!*frame) continue;
            auto m = decode(frame->value(), Limits{kMax, 16});
            if (!m) continue;
            std::string again;
            switch (m->kind) {
            case Kind::Command: again = encodeCommand(m->name, m->body, m->id); break;
            case Kind::Return: again = encodeReturn(m->body, m->id); break;
            case Kind::Error: again = encodeError(m->error.cls, m->error.message, m->id); break;
            case Kind::Event: again = encodeEvent(m->name, m->body, m->timestampS); break;
            case Kind::Greeting: again = encodeGreeting(m->body); break;
            case Kind::Invalid: std::abort();
            }
            auto back = decode(std::string_view(again).substr(0, again.size() - 1), Limits{1 << 20, 64});
            if (!back || back->kind != m->kind) std::abort();
        }
        if (framer.buffered() > kMax + 64) std::abort();
    }
    return 0;
}

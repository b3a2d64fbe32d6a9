// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for what a VMS guest's agent and screen read from the VMS: a recording being written
// (ZoneMinder's fragmented MP4, fmp4_tail.h) and a picture (JPEG, jpeg_decoder.h). The input is
// both. Invariants: no crash, no read out of bounds; a fragment handed on is never larger than
// its bound and starts with the file's own ftyp; a decoded picture has the size it says.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

#include "adapters/fmp4_tail.h"
#include "wall/jpeg_decoder.h"

using namespace appliance;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    static const std::string path = [] {
        char name[] = "/tmp/vms-picture-fuzz-XXXXXX";
        const int fd = ::mkstemp(name);
        if (fd < 0) std::abort();
        ::close(fd);
        return std::string(name);
    }();
    if (FILE* f = std::fopen(path.c_str(), "wb")) {
        std::fwrite(input.data(), 1, input.size(), f);
        std::fclose(f);
    }
    constexpr std::size_t kBound = 64 * 1024;
    if (auto fragment = agent::newestFragment(path, kBound)) {
        if (fragment->size() > kBound || fragment->compare(4, 4, "ftyp") != 0) std::abort();
    }
    if (auto picture = wall::decodeJpeg(input, 64)) {
        if (picture->width <= 0 || picture->height <= 0 || picture->width > wall::kMaxJpegSide ||
            picture->rgb.size() != std::size_t(picture->width) * std::size_t(picture->height) * 3)
            std::abort();
    }
    return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/mp4_annexb.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adapters/local_files.h"
#include "common/unique_fd.h"

namespace appliance::agent {

namespace {
std::uint64_t bigEndian(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
    return v;
}

/// Up to `bytes` at `offset`; fewer where the file ends.
std::string readAt(int fd, std::uint64_t offset, std::size_t bytes) {
    std::string out(bytes, '\0');
    std::size_t done = 0;
    while (done < bytes) {
        const ssize_t n = ::pread(fd, out.data() + done, bytes - done, off_t(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += std::size_t(n);
    }
    out.resize(done);
    return out;
}

constexpr int kMaxTopLevelBoxes = 16;  // ftyp, free, wide, mdat: the mdat comes early or not at all
}  // namespace

std::optional<bool> mp4BeingWritten(const std::string& path) {
    const std::string head = readHead(path, 128);
    std::size_t off = 0;
    while (off + 8 <= head.size()) {
        const std::uint64_t size = bigEndian(reinterpret_cast<const unsigned char*>(head.data() + off), 4);
        if (head.compare(off + 4, 4, "mdat") == 0) return size == 0;
        if (size < 8) return std::nullopt;
        off += size;
    }
    return std::nullopt;
}

Result<std::string> annexBFromMdat(const std::string& path, std::size_t maxBytes) {
    // As the ZoneMinder reader: a regular file only, no links followed (the agent reads as root).
    UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW));
    if (!file.valid())
        return makeError(errno == ENOENT ? ErrorClass::NotFound : ErrorClass::Unavailable,
                         "cannot open the recording " + path + ": " + std::strerror(errno));
    struct stat st{};
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return makeError(ErrorClass::NotFound, path + " is not a recording file (not a regular file)");
    const std::uint64_t fileSize = std::uint64_t(st.st_size);
    std::uint64_t pos = 0;
    for (int i = 0; i < kMaxTopLevelBoxes && pos + 8 <= fileSize; ++i) {
        const std::string head = readAt(file.get(), pos, 16);
        const auto* h = reinterpret_cast<const unsigned char*>(head.data());
        std::uint64_t size = bigEndian(h, 4), header = 8;
        if (size == 1) {
            if (head.size() < 16) break;
            size = bigEndian(h + 8, 8), header = 16;
        }
        const bool isMdat = head.compare(4, 4, "mdat") == 0;
        if (size != 0 && size < header)
            return makeError(ErrorClass::MalformedAnswer, path + ": a box at byte " + std::to_string(pos) +
                                                              " declares fewer bytes than its header");
        if (!isMdat) {
            if (size == 0) break;  // "to the end" for anything but the mdat: not a file of this kind
            pos += size;
            continue;
        }
        // Size 0 (or a placeholder) while the file is written: the samples run to the file's end.
        const std::uint64_t end = size == 0 || size > fileSize - pos ? fileSize : pos + size;
        const std::string samples =
            readAt(file.get(), pos + header, std::size_t(std::min<std::uint64_t>(maxBytes, end - pos - header)));
        std::string out;
        out.reserve(samples.size() + samples.size() / 8);
        for (std::size_t at = 0; at + 4 <= samples.size();) {
            const std::uint64_t length = bigEndian(reinterpret_cast<const unsigned char*>(samples.data() + at), 4);
            if (length == 0 || length > samples.size() - at - 4) break;
            out.append("\0\0\0\1", 4);
            out.append(samples, at + 4, std::size_t(length));
            at += 4 + std::size_t(length);
        }
        if (out.empty())
            return makeError(ErrorClass::Unavailable, path + " has no whole video sample on disk yet (motion writes "
                                                             "in 256 KB steps); try again in a few seconds");
        return out;
    }
    return makeError(ErrorClass::Unavailable, path + " has no mdat box before its end yet (" + std::to_string(fileSize) +
                                                  " bytes); try again in a few seconds");
}

}  // namespace appliance::agent

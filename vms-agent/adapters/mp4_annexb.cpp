// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/mp4_annexb.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

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
constexpr std::uint64_t kMaxUnits = 10000000;  // a day of a 30 fps camera is ~3 million units
}  // namespace

std::optional<bool> mp4BeingWritten(const std::string& path) {
    const std::string head = readHead(path, 128, Links::Refuse);
    std::size_t off = 0;
    while (off + 8 <= head.size()) {
        const std::uint64_t size = bigEndian(reinterpret_cast<const unsigned char*>(head.data() + off), 4);
        if (head.compare(off + 4, 4, "mdat") == 0) return size == 0;
        if (size < 8) return std::nullopt;
        off += size;
    }
    return std::nullopt;
}

namespace {
struct Samples {
    std::uint64_t begin = 0, end = 0;  ///< the mdat's payload in the file (end: the file's end while written)
};

/// Finds the mdat among the first top-level boxes, with every size checked against the file.
Result<Samples> findMdat(int fd, const std::string& path, std::uint64_t fileSize) {
    std::uint64_t pos = 0;
    for (int i = 0; i < kMaxTopLevelBoxes && fileSize >= 8 && pos <= fileSize - 8; ++i) {
        const std::string head = readAt(fd, pos, 16);
        if (head.size() < 8) break;  // the file shrank under us
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
        if (isMdat) {
            // Size 0 (or a size past the end) while the file is written: the samples run to its end.
            const std::uint64_t end = size == 0 || size > fileSize - pos ? fileSize : pos + size;
            if (end < pos + header) break;
            return Samples{pos + header, end};
        }
        if (size == 0 || size > fileSize - pos) break;  // a box still being written before any mdat
        pos += size;
    }
    return makeError(ErrorClass::Unavailable, path + " has no mdat box before its end yet (" + std::to_string(fileSize) +
                                                  " bytes); try again in a few seconds");
}

UniqueFd openRecording(const std::string& path, Error& error, std::uint64_t& size) {
    // As the ZoneMinder reader: a regular file only, no links followed (the agent reads as root).
    UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW));
    if (!file.valid()) {
        error = makeError(errno == ENOENT ? ErrorClass::NotFound : ErrorClass::Unavailable,
                          "cannot open the recording " + path + ": " + std::strerror(errno));
        return file;
    }
    struct stat st{};
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        error = makeError(ErrorClass::NotFound, path + " is not a recording file (not a regular file)");
        return UniqueFd();
    }
    size = std::uint64_t(st.st_size);
    return file;
}

/// Opens the recording into `file` and finds its samples.
Result<Samples> openMdat(const std::string& path, UniqueFd& file) {
    Error error;
    std::uint64_t fileSize = 0;
    file = openRecording(path, error, fileSize);
    if (!file.valid()) return error;
    return findMdat(file.get(), path, fileSize);
}

/// Each length-prefixed unit in `samples` from `from` on as 00 00 00 01 + unit; a cut one is left out.
std::string toAnnexB(const std::string& samples, std::size_t from) {
    std::string out;
    out.reserve(samples.size() - from + (samples.size() - from) / 8);
    for (std::size_t at = from; at + 4 <= samples.size();) {
        const std::uint64_t length = bigEndian(reinterpret_cast<const unsigned char*>(samples.data() + at), 4);
        if (length == 0 || length > samples.size() - at - 4) break;
        out.append("\0\0\0\1", 4);
        out.append(samples, at + 4, std::size_t(length));
        at += 4 + std::size_t(length);
    }
    return out;
}
}  // namespace

Result<std::string> annexBFromMdat(const std::string& path, std::size_t maxBytes) {
    UniqueFd file;
    auto mdat = openMdat(path, file);
    if (!mdat) return mdat.error();
    const std::string samples = readAt(file.get(), mdat->begin, std::size_t(std::min<std::uint64_t>(maxBytes, mdat->end - mdat->begin)));
    std::string out = toAnnexB(samples, 0);
    if (out.empty())
        return makeError(ErrorClass::Unavailable, path + " has no whole video sample on disk yet (motion writes "
                                                         "in 256 KB steps); try again in a few seconds");
    return out;
}

Result<std::string> annexBTailFromMdat(const std::string& path, std::size_t maxBytes) {
    UniqueFd file;
    auto mdat = openMdat(path, file);
    if (!mdat) return mdat.error();
    // Hop over the units by their lengths (5-byte reads, nothing copied) and remember where the
    // last parameter set (SPS, type 7) starts: a decoder can begin there, at the last keyframe.
    // A parameter set counts once a whole picture (types 1-5) follows it: in a file being written
    // the keyframe after the newest one may not be on disk yet.
    std::optional<std::uint64_t> lastSps, pendingSps;
    std::uint64_t at = mdat->begin, units = 0, end = at;
    while (at + 5 <= mdat->end) {
        if (++units > kMaxUnits)
            return makeError(ErrorClass::TooLarge, path + " has more than " + std::to_string(kMaxUnits) + " video units");
        const std::string head = readAt(file.get(), at, 5);
        if (head.size() < 5) break;
        const std::uint64_t length = bigEndian(reinterpret_cast<const unsigned char*>(head.data()), 4);
        if (length == 0 || length > mdat->end - at - 4) break;
        const int type = std::uint8_t(head[4]) & 0x1f;
        if (type == 7) pendingSps = at;
        if (type >= 1 && type <= 5 && pendingSps) lastSps = pendingSps, pendingSps.reset();
        at += 4 + length;
        if (lastSps && !pendingSps) end = at;  // the whole units after the last usable keyframe
    }
    if (!lastSps)
        return makeError(ErrorClass::Unavailable, path + " has no keyframe with its parameter sets on disk yet; try again "
                                                         "in a few seconds");
    const std::uint64_t bytes = end - *lastSps;
    if (bytes > maxBytes)
        return makeError(ErrorClass::TooLarge, path + ": its last keyframe interval is " + std::to_string(bytes) +
                                                   " bytes, over " + std::to_string(maxBytes));
    return toAnnexB(readAt(file.get(), *lastSps, std::size_t(bytes)), 0);
}

Result<RecordedTail> newestTailOnDisk(const std::vector<std::string>& pathsOldestFirst, std::size_t maxFiles) {
    std::optional<Error> newest;
    for (std::size_t n = 0; n < maxFiles && n < pathsOldestFirst.size(); ++n) {
        const std::string& path = pathsOldestFirst[pathsOldestFirst.size() - 1 - n];
        auto tail = annexBTailFromMdat(path);
        if (tail) return RecordedTail{path, std::move(*tail)};
        // Damage in the newest file is said at once; in an older one it only ends the search.
        if (tail.error().cls != ErrorClass::Unavailable) return newest ? *newest : tail.error();
        if (!newest) newest = tail.error();
    }
    if (newest) return *newest;
    return makeError(ErrorClass::NotFound, "no recording to read");
}

}  // namespace appliance::agent

// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/fmp4_tail.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/plain_text.h"
#include "common/unique_fd.h"

namespace appliance::agent {

namespace {

// ZoneMinder's init segment for one video track is under 1 KB; a much larger "moov" means this is
// not the file we think it is, and its size must not decide how much we read.
constexpr std::uint64_t kMaxInitBytes = 256 * 1024;
constexpr std::uint64_t kMaxBoxes = 1000000;  // a 24-hour event at one fragment per second is ~170,000

constexpr std::uint32_t fourcc(const char (&s)[5]) {
    return std::uint32_t(std::uint8_t(s[0])) << 24 | std::uint32_t(std::uint8_t(s[1])) << 16 |
           std::uint32_t(std::uint8_t(s[2])) << 8 | std::uint32_t(std::uint8_t(s[3]));
}
constexpr std::uint32_t kFtyp = fourcc("ftyp"), kMoov = fourcc("moov"), kMoof = fourcc("moof"),
                        kMdat = fourcc("mdat"), kTraf = fourcc("traf"), kTfhd = fourcc("tfhd");
constexpr std::uint32_t kBaseDataOffsetPresent = 0x000001;

std::uint64_t readBigEndian(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
    return v;
}

void writeBigEndian64(unsigned char* p, std::uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8) p[i] = std::uint8_t(v);
}

std::string typeName(std::uint32_t type) {
    const char bytes[4] = {char(type >> 24), char(type >> 16), char(type >> 8), char(type)};
    return plainText(std::string_view(bytes, 4), 16);  // the type comes from the file: data
}

struct Box {
    std::uint32_t type = 0;
    std::uint64_t offset = 0;  ///< of its header, in the file or the buffer it was read from
    std::uint64_t size = 0;    ///< header included
    std::uint32_t headerBytes = 0;
};

enum class Header {
    Whole,      ///< a size that can be true
    Cut,        ///< fewer header bytes than the header needs: the writer has not got that far
    ToTheEnd,   ///< size 0, "extends to the end of the file": only an unfinished file says that
    Malformed,  ///< a size smaller than the header itself
};

/// Decodes the box header in the `available` bytes at `p` (at most 16 are looked at).
Header decodeHeader(const unsigned char* p, std::uint64_t available, std::uint64_t offset, Box& box) {
    if (available < 8) return Header::Cut;
    box = Box{std::uint32_t(readBigEndian(p + 4, 4)), offset, readBigEndian(p, 4), 8};
    if (box.size == 0) return Header::ToTheEnd;
    if (box.size == 1) {
        if (available < 16) return Header::Cut;
        box.size = readBigEndian(p + 8, 8);
        box.headerBytes = 16;
    }
    return box.size < box.headerBytes ? Header::Malformed : Header::Whole;
}

Error malformed(const std::string& path, const std::string& what) {
    return makeError(ErrorClass::MalformedAnswer,
                     path + " is not a fragmented MP4 as ZoneMinder writes it (" + what +
                         "); check that the monitor records to MP4 (Video Writer: camera passthrough)");
}

/// Reads exactly `bytes` at `offset`; false when the file ended first or the read failed.
bool readExactly(int fd, void* to, std::size_t bytes, std::uint64_t offset) {
    auto* out = static_cast<unsigned char*>(to);
    for (std::size_t done = 0; done < bytes;) {
        const ssize_t n = ::pread(fd, out + done, bytes - done, off_t(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += std::size_t(n);
    }
    return true;
}

/// Calls `each(child)` for every box directly inside [begin, end) of `buf`; a child that does not
/// fit its parent exactly is a malformed file (nested boxes are complete by construction).
template <class Each>
std::optional<std::string> forEachChild(std::string& buf, std::uint64_t begin, std::uint64_t end, Each each) {
    auto* bytes = reinterpret_cast<unsigned char*>(buf.data());
    for (std::uint64_t pos = begin; pos < end;) {
        Box child;
        if (decodeHeader(bytes + pos, end - pos, pos, child) != Header::Whole || child.size > end - pos)
            return "a box inside the newest moof at byte " + std::to_string(pos) + " runs past its parent";
        if (auto problem = each(child)) return problem;
        pos += child.size;
    }
    return std::nullopt;
}

/// Moves every tfhd base_data_offset of the moof at buf[moof.offset] back by `shift` bytes.
std::optional<std::string> rebaseMoof(std::string& buf, const Box& moof, std::uint64_t shift) {
    auto* bytes = reinterpret_cast<unsigned char*>(buf.data());
    return forEachChild(buf, moof.offset + moof.headerBytes, moof.offset + moof.size,
                        [&](const Box& traf) -> std::optional<std::string> {
        if (traf.type != kTraf) return std::nullopt;
        return forEachChild(buf, traf.offset + traf.headerBytes, traf.offset + traf.size,
                            [&](const Box& tfhd) -> std::optional<std::string> {
            if (tfhd.type != kTfhd) return std::nullopt;
            // Full box: version (1), flags (3), track_ID (4), then base_data_offset (8) if flagged.
            const std::uint64_t body = tfhd.offset + tfhd.headerBytes, bodyBytes = tfhd.size - tfhd.headerBytes;
            if (bodyBytes < 8) return std::string("a tfhd box is too short for its track id");
            if ((readBigEndian(bytes + body, 4) & kBaseDataOffsetPresent) == 0) return std::nullopt;
            if (bodyBytes < 16) return std::string("a tfhd box is too short for its base_data_offset");
            const std::uint64_t base = readBigEndian(bytes + body + 8, 8);
            // The offset must land inside what we hand on, or the decoder would read outside it.
            if (base < shift || base - shift < moof.offset || base - shift >= buf.size())
                return "a tfhd base_data_offset of " + std::to_string(base) + " points outside its fragment";
            writeBigEndian64(bytes + body + 8, base - shift);
            return std::nullopt;
        });
    });
}

}  // namespace

Result<std::string> newestFragment(const std::string& path, std::size_t maxBytes) {
    return wholeFragment(path, Fragment::Newest, maxBytes);
}

Result<std::string> wholeFragment(const std::string& path, Fragment which, std::size_t maxBytes) {
    // Not a FIFO (open would wait for a writer) nor a link planted in the events tree (www-data
    // writes there; the agent reads as root): only a regular file, opened without following links.
    UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW));
    if (!file.valid()) {
        const int err = errno;
        return makeError(err == ENOENT    ? ErrorClass::NotFound
                         : err == EACCES ? ErrorClass::PermissionDenied
                                         : ErrorClass::Unavailable,
                         "cannot open the recording " + path + ": " + std::strerror(err));
    }
    struct stat st{};
    if (::fstat(file.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return makeError(ErrorClass::NotFound, path + " is not a recording file (not a regular file)");
    // One size for the whole walk: the writer appends behind us, and we only trust what was there.
    const std::uint64_t fileSize = std::uint64_t(st.st_size);
    const Error notYet = makeError(ErrorClass::Unavailable,
                                   path + " has no complete fragment recorded yet; ZoneMinder writes in 256 KB "
                                          "steps, try again in a few seconds");

    Box ftyp, moov;
    std::optional<Box> lastMoof;                  // the box just before, if it was a whole moof
    std::optional<std::pair<Box, Box>> newest;    // the last (or first) whole moof+mdat pair
    std::uint64_t pos = 0;
    std::uint64_t index = 0;
    for (; pos < fileSize; ++index) {
        if (index > kMaxBoxes)
            return malformed(path, "it has more than " + std::to_string(kMaxBoxes) + " boxes (a camera's recording has one pair per second)");
        unsigned char head[16];
        const std::uint64_t available = std::min<std::uint64_t>(sizeof head, fileSize - pos);
        if (!readExactly(file.get(), head, std::size_t(available), pos))
            return makeError(ErrorClass::Unavailable, "cannot read the recording " + path + " at byte " +
                                                          std::to_string(pos) + " (was it deleted or cut?)");
        Box box;
        const Header header = decodeHeader(head, available, pos, box);
        if (header == Header::Cut) break;
        if (index == 0 && box.type != kFtyp)
            return malformed(path, "it starts with '" + typeName(box.type) + "', not 'ftyp'");
        if (index == 1 && box.type != kMoov)
            return malformed(path, "its second box is '" + typeName(box.type) + "', not 'moov'");
        if (header == Header::Malformed)
            return malformed(path, "the '" + typeName(box.type) + "' box at byte " + std::to_string(pos) +
                                       " declares " + std::to_string(box.size) + " bytes, less than its header");
        if (index <= 1 && header == Header::Whole && box.size > kMaxInitBytes)
            return malformed(path, "its '" + typeName(box.type) + "' box declares " + std::to_string(box.size) +
                                       " bytes, over " + std::to_string(kMaxInitBytes));
        // A box that reaches past the end is the one being written; nothing after it exists yet.
        if (header == Header::ToTheEnd || box.size > fileSize - pos) break;
        if (index == 0) ftyp = box;
        else if (index == 1) moov = box;
        else if (box.type == kMoof) lastMoof = box;
        else {
            if (box.type == kMdat && lastMoof) newest = std::make_pair(*lastMoof, box);
            lastMoof.reset();
            if (newest && which == Fragment::First) break;
        }
        pos += box.size;
    }
    if (index < 2 || !newest) return notYet;

    const auto& [moof, mdat] = *newest;
    const std::uint64_t initBytes = ftyp.size + moov.size;  // both under kMaxInitBytes
    const std::uint64_t pairBytes = moof.size + mdat.size;  // both within the file
    if (pairBytes > maxBytes || initBytes + pairBytes > maxBytes)
        return makeError(ErrorClass::TooLarge,
                         std::string(which == Fragment::First ? "the first" : "the newest") + " fragment of " + path + " is " + std::to_string(initBytes + pairBytes) +
                             " bytes with its init segment, over the limit of " + std::to_string(maxBytes) +
                             "; a shorter keyframe interval on the camera makes smaller fragments");
    std::string out(std::size_t(initBytes + pairBytes), '\0');
    if (!readExactly(file.get(), out.data(), std::size_t(initBytes), 0) ||
        !readExactly(file.get(), out.data() + initBytes, std::size_t(pairBytes), moof.offset))
        return makeError(ErrorClass::Unavailable,
                         "the recording " + path + " shrank while it was read (was it deleted?); try again");
    Box moofInOut = moof;
    moofInOut.offset = initBytes;
    if (auto problem = rebaseMoof(out, moofInOut, moof.offset - initBytes)) return malformed(path, *problem);
    return out;
}

}  // namespace appliance::agent

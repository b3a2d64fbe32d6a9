// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/device_acl.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <sys/stat.h>
#include <sys/xattr.h>

namespace appliance {

namespace {
// The kernel's xattr form of an access ACL (linux/posix_acl_xattr.h), little-endian on x86_64:
// a version word, then entries sorted by tag and, for named entries, by id.
constexpr const char* kAclXattr = "system.posix_acl_access";
constexpr uint32_t kAclVersion = 2;
constexpr uint32_t kNoId = 0xFFFFFFFF;
enum Tag : uint16_t { UserObj = 0x01, User = 0x02, GroupObj = 0x04, Group = 0x08, Mask = 0x10, Other = 0x20 };

struct Entry {
    uint16_t tag, perm;
    uint32_t id;
};
static_assert(sizeof(Entry) == 8, "the kernel's entry is 8 bytes");

std::vector<Entry> fromMode(mode_t mode) {
    return {{UserObj, uint16_t((mode >> 6) & 7), kNoId},
            {GroupObj, uint16_t((mode >> 3) & 7), kNoId},
            {Other, uint16_t(mode & 7), kNoId}};
}
}  // namespace

Status grantGroupReadWrite(const std::string& path, uint32_t gid) {
    auto fail = [&](const std::string& what) {
        return makeError(ErrorClass::Unavailable, "cannot give group " + std::to_string(gid) + " access to " + path +
                                                      " (" + what + ": " + std::strerror(errno) + ")");
    };
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return fail("stat");
    std::vector<Entry> entries;
    ssize_t size = ::getxattr(path.c_str(), kAclXattr, nullptr, 0);
    if (size < 0 && errno != ENODATA) return fail("reading its ACL");
    std::vector<char> buf(size > 0 ? size_t(size) : 0);
    ssize_t n = size > 0 ? ::getxattr(path.c_str(), kAclXattr, buf.data(), buf.size()) : 0;
    if (n < 0) return fail("reading its ACL");
    if (n >= ssize_t(sizeof(uint32_t))) {
        uint32_t version;
        std::memcpy(&version, buf.data(), sizeof version);
        if (version != kAclVersion || (n - 4) % sizeof(Entry) != 0) {
            errno = EINVAL;
            return fail("its ACL has an unknown form");
        }
        entries.resize(size_t(n - 4) / sizeof(Entry));
        std::memcpy(entries.data(), buf.data() + 4, entries.size() * sizeof(Entry));
    } else {
        entries = fromMode(st.st_mode);
    }
    auto mine = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) { return e.tag == Group && e.id == gid; });
    auto mask0 = std::find_if(entries.begin(), entries.end(), [](const Entry& e) { return e.tag == Mask; });
    // Given before (applianced grants at every start and sync): no write to the node again.
    if (mine != entries.end() && (mine->perm & 6) == 6 && mask0 != entries.end() && (mask0->perm & 6) == 6)
        return okStatus();
    if (mine != entries.end()) mine->perm |= 6;
    else entries.push_back({Group, 6, gid});
    // The mask caps every named entry and the owning group: it must let rw through. An existing
    // mask only gains rw (what an administrator masked off for others stays off); a new one is
    // what the entries ask for, as setfacl computes it.
    auto m = std::find_if(entries.begin(), entries.end(), [](const Entry& e) { return e.tag == Mask; });
    if (m != entries.end()) {
        m->perm |= 6;
    } else {
        uint16_t mask = 0;
        for (const Entry& e : entries)
            if (e.tag == User || e.tag == Group || e.tag == GroupObj) mask |= e.perm;
        entries.push_back({Mask, mask, kNoId});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.tag != b.tag ? a.tag < b.tag : a.id < b.id; });
    std::vector<char> out(4 + entries.size() * sizeof(Entry));
    std::memcpy(out.data(), &kAclVersion, 4);
    std::memcpy(out.data() + 4, entries.data(), entries.size() * sizeof(Entry));
    if (::setxattr(path.c_str(), kAclXattr, out.data(), out.size(), 0) != 0) return fail("writing its ACL");
    return okStatus();
}

}  // namespace appliance

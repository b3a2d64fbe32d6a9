// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/local_files.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace appliance::agent {

double nowS() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1e6;
}

std::optional<FileFacts> statFile(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    return FileFacts{path, std::uint64_t(st.st_size), double(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9};
}

std::optional<FileFacts> newestFileIn(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return std::nullopt;
    std::optional<FileFacts> best;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        auto f = statFile(dir + "/" + e->d_name);
        if (f && (!best || f->mtimeS > best->mtimeS)) best = std::move(f);
    }
    ::closedir(d);
    return best;
}

namespace {
/// A regular file only, opened without waiting on a FIFO (see Links for the links).
int openRegular(const std::string& path, Links links) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (links == Links::Refuse ? O_NOFOLLOW : 0));
    if (fd < 0) return -1;
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        errno = EINVAL;
        return -1;
    }
    return fd;
}
}  // namespace

Result<std::string> readSmallFile(const std::string& path, std::size_t maxBytes, Links links) {
    int fd = openRegular(path, links);
    if (fd < 0)
        return makeError(errno == ENOENT ? ErrorClass::NotFound : ErrorClass::Unavailable,
                         "cannot read " + path + ": " + (errno == EINVAL ? "not a regular file" : std::strerror(errno)));
    std::string text;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, std::size_t(n));
        if (text.size() > maxBytes) {
            ::close(fd);
            return makeError(ErrorClass::TooLarge, path + " is over " + std::to_string(maxBytes) + " bytes");
        }
    }
    ::close(fd);
    return text;
}

std::string readHead(const std::string& path, std::size_t bytes, Links links) {
    std::string out(bytes, '\0');
    int fd = openRegular(path, links);
    if (fd < 0) return "";
    ssize_t n = ::pread(fd, out.data(), bytes, 0);
    ::close(fd);
    out.resize(n > 0 ? std::size_t(n) : 0);
    return out;
}

Status writeFileAtomically(const std::string& path, const std::string& text, mode_t mode, gid_t gid) {
    auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
    const std::string tmp = dir + "/." + path.substr(slash + 1) + ".tmp";
    auto fail = [&](const std::string& what) {
        const int err = errno;
        const char* hint = err == EROFS    ? " (read-only here: a systemd unit needs ReadWritePaths= for "
                           : err == EACCES ? " (the agent must run as root in the guest to write "
                                           : " (";
        Error e = makeError(ErrorClass::Unavailable,
                            "cannot " + what + " " + tmp + ": " + std::strerror(err) + hint + dir + ")");
        ::unlink(tmp.c_str());
        return e;
    };
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail("create");
    // Owner and mode before the content, so that the secret is never readable by others.
    if ((gid != gid_t(-1) && ::fchown(fd, uid_t(-1), gid) != 0) || ::fchmod(fd, mode) != 0) {
        ::close(fd);
        return fail("set the owner or mode of");
    }
    for (std::size_t done = 0; done < text.size();) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            ::close(fd);
            return fail("write");
        }
        done += std::size_t(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        return fail("sync");
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
    return okStatus();
}

}  // namespace appliance::agent

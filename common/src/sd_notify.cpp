// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/sd_notify.h"

#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace appliance::sdnotify {

bool notify(const std::string& state) {
    const char* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    size_t len = std::strlen(path);
    if (len >= sizeof(addr.sun_path)) return false;
    std::memcpy(addr.sun_path, path, len);
    if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    auto addrLen = socklen_t(offsetof(sockaddr_un, sun_path) + len);
    bool sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), addrLen) ==
                ssize_t(state.size());
    ::close(fd);
    return sent;
}

std::optional<std::chrono::microseconds> watchdogInterval() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (!usec) return std::nullopt;
    if (const char* pid = std::getenv("WATCHDOG_PID"); pid && std::atol(pid) != long(::getpid())) return std::nullopt;
    long long v = std::atoll(usec);
    if (v <= 0) return std::nullopt;
    return std::chrono::microseconds(v);
}

}  // namespace appliance::sdnotify

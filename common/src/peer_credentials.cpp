// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/peer_credentials.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

namespace appliance {

Result<PeerCredentials> peerCredentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof(cred);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return makeError(ErrorClass::Internal, std::string("cannot read peer credentials: ") + std::strerror(errno));
    return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

bool userInGroup(uid_t uid, const std::string& groupName) {
    if (groupName.empty()) return false;
    std::vector<char> buf(16384);
    group grp{};
    group* gres = nullptr;
    if (::getgrnam_r(groupName.c_str(), &grp, buf.data(), buf.size(), &gres) != 0 || !gres) return false;
    gid_t wanted = gres->gr_gid;
    passwd pw{};
    passwd* pres = nullptr;
    std::vector<char> pbuf(16384);
    if (::getpwuid_r(uid, &pw, pbuf.data(), pbuf.size(), &pres) != 0 || !pres) return false;
    if (pres->pw_gid == wanted) return true;
    int n = 64;
    std::vector<gid_t> groups(static_cast<size_t>(n), 0);
    if (::getgrouplist(pres->pw_name, pres->pw_gid, groups.data(), &n) < 0) {
        groups.resize(size_t(n));
        if (::getgrouplist(pres->pw_name, pres->pw_gid, groups.data(), &n) < 0) return false;
    }
    for (int i = 0; i < n; ++i)
        if (groups[size_t(i)] == wanted) return true;
    return false;
}

std::string userName(uid_t uid) {
    passwd pw{};
    passwd* pres = nullptr;
    std::vector<char> buf(16384);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &pres) == 0 && pres) return pres->pw_name;
    return "uid " + std::to_string(uid);
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Who is on the other end of a Unix socket, as the kernel says (SO_PEERCRED), never as the peer says.
#pragma once

#include <string>
#include <sys/types.h>

#include "common/result.h"

namespace appliance {

struct PeerCredentials {
    pid_t pid = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

Result<PeerCredentials> peerCredentials(int fd);
/// Whether `uid` belongs to group `groupName` (primary or supplementary). False if either is unknown.
bool userInGroup(uid_t uid, const std::string& groupName);
std::string userName(uid_t uid);

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Who sent an admin request, as established from the socket's peer credentials.
#pragma once

#include <string>
#include <sys/types.h>

namespace appliance {

enum class Role { Invalid = 0, Viewer, Admin };

struct Caller {
    uid_t uid = 0;
    pid_t pid = 0;
    std::string user;
    Role role = Role::Invalid;
};

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/qemu_identity.h"

#include <grp.h>
#include <pwd.h>

namespace appliance {

Result<QemuIdentity> qemuIdentity(StateStore& store, const QemuUsers& users, const std::string& vm, bool assign,
                                  const std::set<uint32_t>& inUse) {
    passwd* shared = ::getpwnam(users.sharedUser.c_str());
    if (!shared)
        return makeError(ErrorClass::Unavailable, "there is no user '" + users.sharedUser +
                                                      "' (qemu_user); install libvirt-daemon-system or set qemu_user");
    QemuIdentity id{shared->pw_uid, shared->pw_gid, false};
    Result<std::optional<uint32_t>> own = store.vmUid(vm);
    if (!own) return own.error();
    if (!*own && assign && users.uidCount > 0) {
        // An id that a host account or another domain already has is skipped: that account or
        // that VM's QEMU would own this VM's files.
        auto made = store.assignVmUid(vm, users.firstUid, users.uidCount,
                                      [&](uint32_t uid) { return inUse.count(uid) || ::getpwuid(uid) != nullptr; });
        if (!made) return made.error();
        *own = *made;
    }
    if (*own) {
        group* g = ::getgrnam(users.group.c_str());
        if (!g)
            return makeError(ErrorClass::Unavailable, "there is no group '" + users.group +
                                                          "' (qemu_group); set it to the group of qemu.conf");
        id = {**own, g->gr_gid, true};
    }
    return id;
}

}  // namespace appliance

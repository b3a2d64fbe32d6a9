// SPDX-License-Identifier: GPL-2.0-or-later
// The ACL entry that lets a VM's own QEMU user open /dev/kvm, tried on a file of the same mode:
// the user it names may open it read-write, another user still may not, and entries that were
// there before stay.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "core/device_acl.h"

namespace appliance {
namespace {

/// Whether `uid` (in no group with access) can open `path` read-write: a child process asks.
bool opensReadWrite(const std::string& path, uid_t uid) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(uid) != 0) ::_exit(2);
        int fd = ::open(path.c_str(), O_RDWR);
        ::_exit(fd >= 0 ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 2) << "the child could not become user " << uid;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(DeviceAclTest, TheNamedUserMayOpenTheNodeAndNoOtherUserMay) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as other users";
    char dir[] = "/var/tmp/device-acl-XXXXXX";  // not /tmp, which may be a tmpfs without ACLs
    ASSERT_NE(::mkdtemp(dir), nullptr);
    ::chmod(dir, 0755);
    const std::string node = std::string(dir) + "/kvm";
    std::ofstream(node) << "x";
    ASSERT_EQ(::chmod(node.c_str(), 0660), 0);  // as /dev/kvm: root and group kvm only
    const uid_t vmA = 1879048193, vmB = 1879048194;
    EXPECT_FALSE(opensReadWrite(node, vmA)) << "the test proves nothing if A could open it already";

    auto granted = grantReadWrite(node, vmA);
    if (!granted && granted.error().message.find("Operation not supported") != std::string::npos)
        GTEST_SKIP() << "this file system has no ACLs: " << granted.error().message;
    ASSERT_TRUE(granted) << granted.error().message;
    EXPECT_TRUE(opensReadWrite(node, vmA));
    EXPECT_FALSE(opensReadWrite(node, vmB)) << "only the named user";

    ASSERT_TRUE(grantReadWrite(node, vmB));
    ASSERT_TRUE(grantReadWrite(node, vmA)) << "granting twice is harmless";
    EXPECT_TRUE(opensReadWrite(node, vmA)) << "an earlier entry is kept";
    EXPECT_TRUE(opensReadWrite(node, vmB));
    EXPECT_FALSE(opensReadWrite(node, 1879048195));

    EXPECT_FALSE(grantReadWrite(std::string(dir) + "/missing", vmA));
    std::system(("rm -rf " + std::string(dir)).c_str());
}

}  // namespace
}  // namespace appliance

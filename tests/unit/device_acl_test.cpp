// SPDX-License-Identifier: GPL-2.0-or-later
// The ACL entry that lets every VM's own QEMU user (all in libvirt's QEMU group) open /dev/kvm,
// tried on a file of the same mode: a process in the group it names may open it read-write, one
// in another group still may not, and entries that were there before stay.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "core/device_acl.h"

namespace appliance {
namespace {

/// Whether a process of user `uid` and group `gid` alone can open `path` read-write: a child asks.
bool opensReadWrite(const std::string& path, gid_t gid, uid_t uid = 1879048193) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(2);
        int fd = ::open(path.c_str(), O_RDWR);
        ::_exit(fd >= 0 ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 2) << "the child could not become user " << uid;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(DeviceAclTest, TheNamedGroupMayOpenTheNodeAndNoOtherGroupMay) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as other users";
    char dir[] = "/var/tmp/device-acl-XXXXXX";  // not /tmp, which may be a tmpfs without ACLs
    ASSERT_NE(::mkdtemp(dir), nullptr);
    ::chmod(dir, 0755);
    const std::string node = std::string(dir) + "/kvm";
    std::ofstream(node) << "x";
    ASSERT_EQ(::chmod(node.c_str(), 0660), 0);  // as /dev/kvm: root and group kvm only
    const gid_t qemuGroup = 1879048300, other = 1879048301, third = 1879048302;
    EXPECT_FALSE(opensReadWrite(node, qemuGroup)) << "the test proves nothing if the group could open it already";

    auto granted = grantGroupReadWrite(node, qemuGroup);
    if (!granted && granted.error().message.find("Operation not supported") != std::string::npos)
        GTEST_SKIP() << "this file system has no ACLs: " << granted.error().message;
    ASSERT_TRUE(granted) << granted.error().message;
    EXPECT_TRUE(opensReadWrite(node, qemuGroup));
    EXPECT_TRUE(opensReadWrite(node, qemuGroup, 1879048199)) << "any user of the group";
    EXPECT_FALSE(opensReadWrite(node, other)) << "only the named group";

    ASSERT_TRUE(grantGroupReadWrite(node, other));
    ASSERT_TRUE(grantGroupReadWrite(node, qemuGroup)) << "granting twice is harmless";
    EXPECT_TRUE(opensReadWrite(node, qemuGroup)) << "an earlier entry is kept";
    EXPECT_TRUE(opensReadWrite(node, other));
    EXPECT_FALSE(opensReadWrite(node, third));
    struct stat st{};
    ::stat(node.c_str(), &st);
    EXPECT_EQ(st.st_mode & 0007, 0u) << "others still get nothing";

    EXPECT_FALSE(grantGroupReadWrite(std::string(dir) + "/missing", qemuGroup));
    std::system(("rm -rf " + std::string(dir)).c_str());
}

}  // namespace
}  // namespace appliance

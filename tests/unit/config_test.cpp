// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "common/config_file.h"
#include "daemon/daemon_config.h"

namespace appliance {
namespace {

TEST(ConfigTest, ParsesKeysValuesAndComments) {
    auto v = config::parseText("# comment\n a = b  # trailing\n\nc=d e\n", "x.conf");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->at("a"), "b");
    EXPECT_EQ(v->at("c"), "d e");
}

TEST(ConfigTest, ALineWithoutEqualsNamesItsFileAndLine) {
    auto v = config::parseText("a = b\noops\n", "x.conf");
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("x.conf:2"), std::string::npos);
}

TEST(ConfigTest, OverridesApplyAndUnknownOrInvalidSettingsAreErrors) {
    auto c = loadDaemonConfig("", false, {"instance=t1", "shutdown_timeout_s=5", "domain_type=qemu"});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->instance, "t1");
    EXPECT_EQ(c->shutdownTimeoutS, 5);
    EXPECT_FALSE(loadDaemonConfig("", false, {"instanse=t1"}));
    EXPECT_FALSE(loadDaemonConfig("", false, {"shutdown_timeout_s=0"}));
    EXPECT_FALSE(loadDaemonConfig("", false, {"domain_type=xen"}));
    EXPECT_FALSE(loadDaemonConfig("/nonexistent.conf", true, {}));
    EXPECT_TRUE(loadDaemonConfig("/nonexistent.conf", false, {}));
}

TEST(ConfigTest, TheShippedExampleIsValid) {
    auto c = loadDaemonConfig(std::string(APPLIANCE_SOURCE_DIR) + "/appliance/applianced.conf.example", true, {});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->libvirtUri, "qemu:///system");
}

}  // namespace
}  // namespace appliance

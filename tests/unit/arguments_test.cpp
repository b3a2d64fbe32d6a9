// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "admin/arguments.h"

namespace appliance {
namespace {

using Json = protocol::Json;

TEST(ArgumentsTest, VmNamesAreShellAndPathSafe) {
    for (const char* good : {"legacy-vms", "new_vms.2", "A1"}) EXPECT_TRUE(validVmName(good)) << good;
    for (const char* bad : {"", "-x", "../etc", "a b", "a/b", "a;b", "ä"}) EXPECT_FALSE(validVmName(bad)) << bad;
    EXPECT_FALSE(validVmName(std::string(64, 'a')));
}

TEST(ArgumentsTest, UnknownKeysAreNamedWithTheKnownOnes) {
    Json args{{"name", "a"}, {"forse", true}};
    auto s = Arguments("vm.start", args).onlyKeys({"name", "force"});
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("'forse'"), std::string::npos);
    EXPECT_NE(s.error().message.find("force, name"), std::string::npos);
}

TEST(ArgumentsTest, IntegersAreRangeCheckedAndTyped) {
    Json args{{"a", 5}, {"b", 0}, {"c", "5"}, {"d", 5.5}, {"e", 18446744073709551615ull}};
    Arguments a("vm.set", args);
    EXPECT_EQ(a.integer("a", 1, 10)->value(), 5);
    EXPECT_FALSE(a.integer("b", 1, 10));
    EXPECT_FALSE(a.integer("c", 1, 10));
    EXPECT_FALSE(a.integer("d", 1, 10));
    EXPECT_FALSE(a.integer("e", 1, 10));
    EXPECT_FALSE(a.integer("missing", 1, 10)->has_value());
}

TEST(ArgumentsTest, StringsAreBoundedAndBooleansStrict) {
    Json args{{"s", std::string(20, 'x')}, {"b", "true"}, {"t", true}};
    Arguments a("vm.set", args);
    EXPECT_FALSE(a.string("s", 10));
    EXPECT_TRUE(a.string("s", 20));
    EXPECT_FALSE(a.boolean("b"));
    EXPECT_TRUE(a.boolean("t")->value());
}

}  // namespace
}  // namespace appliance

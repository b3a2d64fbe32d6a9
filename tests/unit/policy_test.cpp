// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/policy.h"

namespace appliance {
namespace {

TEST(PolicyTest, DefaultDenyWhenNothingMatches) {
    Policy empty;
    EXPECT_EQ(empty.decide("a", "focus.request", "b").action, PolicyAction::Deny);
    auto p = Policy::parse("a focus.request b allow\n", "t");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->decide("a", "focus.request", "c").action, PolicyAction::Deny);
    EXPECT_NE(p->decide("a", "focus.request", "c").why.find("default deny"), std::string::npos);
}

TEST(PolicyTest, FirstMatchWinsAndTagsMatch) {
    auto p = Policy::parse("# comment\n"
                           "legacy  focus.request  admin-console  ask\n"
                           "legacy  *              @self          deny\n"
                           "@any    focus.request  *              allow   # trailing comment\n",
                           "site.policy");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->decide("legacy", "focus.request", "admin-console").action, PolicyAction::Ask);
    EXPECT_EQ(p->decide("legacy", "focus.request", "legacy").action, PolicyAction::Deny);
    EXPECT_EQ(p->decide("legacy", "focus.request", "new").action, PolicyAction::Allow);
    EXPECT_EQ(p->decide("new", "focus.request", "legacy").action, PolicyAction::Allow);
    EXPECT_EQ(p->decide("new", "targets.list", "").action, PolicyAction::Deny);
    EXPECT_EQ(p->decide("legacy", "focus.request", "legacy").why, "rule at site.policy:3");
}

TEST(PolicyTest, FocusedMatchesOnlyTheGuestThatHoldsTheDisplayAndTheShippedDefaultUsesIt) {
    std::ifstream shipped(std::string(APPLIANCE_SOURCE_DIR) + "/appliance/policy.d/50-default.policy");
    std::stringstream text;
    text << shipped.rdbuf();
    auto p = Policy::parse(text.str(), "50-default.policy");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->decide("legacy", "focus.request", "new", /*sourceHasFocus=*/true).action, PolicyAction::Allow);
    EXPECT_EQ(p->decide("legacy", "focus.request", "new", /*sourceHasFocus=*/false).action, PolicyAction::Deny)
        << "a guest in the background may not take the display by default";
    for (const char* verb : {"agent.hello", "targets.list", "focus.get", "events.subscribe"})
        EXPECT_EQ(p->decide("legacy", verb, "", false).action, PolicyAction::Allow) << verb;
    EXPECT_EQ(p->decide("legacy", "vm.start", "new", true).action, PolicyAction::Deny) << "nothing else is granted";
    EXPECT_FALSE(Policy::parse("@nobody focus.request * allow\n", "t")) << "unknown tags are errors";
}

TEST(PolicyTest, SyntaxErrorsNameTheFileAndLine) {
    for (const char* bad : {"a focus.request b\n", "a focus.request b maybe\n", "* focus.request b allow\n",
                            "@tag focus.request b allow\n", "a focus.request @other allow\n"}) {
        auto p = Policy::parse(std::string("# ok\n") + bad, "x.policy");
        ASSERT_FALSE(p) << bad;
        EXPECT_NE(p.error().message.find("x.policy:2"), std::string::npos) << p.error().message;
    }
}

TEST(PolicyTest, ADirectoryIsReadInNameOrderAndABrokenOneDeniesEverything) {
    char tmpl[] = "/tmp/policy-test-XXXXXX";
    std::string dir = ::mkdtemp(tmpl);
    std::ofstream(dir + "/50-default.policy") << "@any focus.request * allow\n";
    std::ofstream(dir + "/10-site.policy") << "a focus.request b deny\n";
    std::ofstream(dir + "/README") << "not a policy file\n";
    auto p = Policy::loadDirectory(dir);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->decide("a", "focus.request", "b").action, PolicyAction::Deny);
    EXPECT_EQ(p->decide("a", "focus.request", "c").action, PolicyAction::Allow);
    std::ofstream(dir + "/60-broken.policy") << "garbage\n";
    auto broken = Policy::loadDirectory(dir);
    ASSERT_FALSE(broken);
    Policy fallback = Policy::denyAll(broken.error().message);
    EXPECT_EQ(fallback.decide("a", "focus.request", "c").action, PolicyAction::Deny);
    EXPECT_NE(fallback.decide("a", "focus.request", "c").why.find("60-broken.policy:1"), std::string::npos);
    EXPECT_FALSE(Policy::loadDirectory(dir + "/missing"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace appliance

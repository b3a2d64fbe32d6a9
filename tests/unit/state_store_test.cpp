// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "state/state_store.h"

namespace appliance {
namespace {

class StateStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/state-store-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir + "/state.db";
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
    std::string dir, path;
};

TEST_F(StateStoreTest, AuditEntriesComeBackNewestFirstAndFiltered) {
    auto store = StateStore::open(path);
    ASSERT_TRUE(store) << store.error().message;
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE((*store)->insertAudit({0, 0, 0, "root", "vm.start", i % 2 ? "a" : "b", "{}", "ok", ""}));
    ASSERT_TRUE((*store)->insertAudit({0, 0, std::nullopt, "hypervisor", "vm.state", "a", "", "shut-off (crashed)", ""}));
    auto all = (*store)->listAudit(100, "", 0);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 6u);
    EXPECT_EQ((*all)[0].actor, "hypervisor");
    EXPECT_FALSE((*all)[0].uid.has_value());
    EXPECT_GT((*all)[0].id, (*all)[1].id);
    auto onlyA = (*store)->listAudit(100, "a", 0);
    ASSERT_TRUE(onlyA);
    EXPECT_EQ(onlyA->size(), 3u);
    auto page = (*store)->listAudit(2, "", (*all)[1].id);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->size(), 2u);
    EXPECT_EQ((*page)[0].id, (*all)[2].id);
}

TEST_F(StateStoreTest, StateSurvivesReopeningAndMigrationsAreNotRerun) {
    {
        auto store = StateStore::open(path);
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->rememberVmState("a", "running", "booted"));
        ASSERT_TRUE((*store)->setSetting("focus", "admin"));
    }
    auto store = StateStore::open(path);
    ASSERT_TRUE(store) << store.error().message;
    auto states = (*store)->rememberedVmStates();
    ASSERT_TRUE(states);
    EXPECT_EQ(states->at("a").state, "running");
    auto focus = (*store)->setting("focus");
    ASSERT_TRUE(focus);
    EXPECT_EQ(focus->value_or(""), "admin");
    EXPECT_EQ(*(*store)->integrityCheck(), "ok");
}

TEST_F(StateStoreTest, AFileThatIsNotADatabaseIsRefusedWithAWayForward) {
    std::ofstream(path) << std::string(8192, 'g');
    auto store = StateStore::open(path);
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST_F(StateStoreTest, AnUnwritableLocationIsUnavailable) {
    auto store = StateStore::open(dir + "/missing/dir/state.db");
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().cls, ErrorClass::Unavailable);
}

TEST_F(StateStoreTest, EachVmGetsAUserIdOfItsOwnThatNoHostAccountHasAndKeepsIt) {
    auto store = StateStore::open(path);
    ASSERT_TRUE(store);
    auto hostAccount = [](uint32_t uid) { return uid == 1000; };  // as if an account had 1000
    EXPECT_EQ(*(*store)->assignVmUid("a", 1000, 3, hostAccount), 1001u);
    EXPECT_EQ(*(*store)->assignVmUid("b", 1000, 3, hostAccount), 1002u);
    EXPECT_EQ(*(*store)->assignVmUid("a", 1000, 3, hostAccount), 1001u) << "a VM keeps its id";
    auto full = (*store)->assignVmUid("c", 1000, 3, hostAccount);
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().cls, ErrorClass::Unavailable);
    EXPECT_NE(full.error().message.find("widen the range"), std::string::npos) << full.error().message;
    ASSERT_TRUE((*store)->forgetVmUid("a"));
    EXPECT_FALSE(*(*store)->vmUid("a"));
    EXPECT_EQ(*(*store)->assignVmUid("c", 1000, 3, hostAccount), 1001u) << "a deleted VM's id is free again";
    EXPECT_EQ((*store)->vmUid("b")->value_or(0), 1002u);
}

}  // namespace
}  // namespace appliance

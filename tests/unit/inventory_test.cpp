// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "core/inventory.h"

namespace appliance {
namespace {

VmInfo vm(const std::string& name, VmState s, const std::string& reason = "booted") {
    VmInfo v;
    v.name = name;
    v.state = s;
    v.reason = reason;
    return v;
}

class InventoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        inv.addListener([this](const InventoryChange& c) { changes.push_back(c); });
    }
    Inventory inv;
    std::vector<InventoryChange> changes;
};

TEST_F(InventoryTest, AResyncReportsOnlyWhatDiffers) {
    inv.replaceAll({vm("a", VmState::Running), vm("b", VmState::ShutOff, "shutdown")}, 1);
    ASSERT_EQ(changes.size(), 2u);
    changes.clear();
    // After a reconnect: a crashed while we were away, b unchanged, c is new, nothing stale remains.
    inv.replaceAll({vm("a", VmState::ShutOff, "crashed"), vm("b", VmState::ShutOff, "shutdown"), vm("c", VmState::Running)}, 2);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].kind, InventoryChange::Kind::StateChanged);
    EXPECT_EQ(changes[0].name, "a");
    EXPECT_EQ(changes[0].reason, "crashed");
    EXPECT_EQ(changes[1].kind, InventoryChange::Kind::Added);
    changes.clear();
    inv.replaceAll({vm("c", VmState::Running)}, 3);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].kind, InventoryChange::Kind::Removed);
    EXPECT_EQ(inv.size(), 1u);
}

TEST_F(InventoryTest, RepeatedUpdatesWithTheSameStateAreReportedOnce) {
    inv.replaceAll({vm("a", VmState::ShutOff)}, 1);
    changes.clear();
    inv.apply({"a", "started", "booted", 2, vm("a", VmState::Running)});
    inv.refresh(vm("a", VmState::Running), 3);
    inv.apply({"a", "resumed", "", 4, vm("a", VmState::Running)});
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].event, "started");
    EXPECT_EQ(changes[0].previous, VmState::ShutOff);
}

TEST_F(InventoryTest, ADoubleRebootReportIsOneReboot) {
    inv.replaceAll({vm("a", VmState::Running)}, 1);
    changes.clear();
    inv.apply({"a", "rebooted", "", 10.0, vm("a", VmState::Running)});
    inv.apply({"a", "rebooted", "", 10.2, vm("a", VmState::Running)});
    inv.apply({"a", "rebooted", "", 30.0, vm("a", VmState::Running)});
    EXPECT_EQ(changes.size(), 2u);
}

TEST_F(InventoryTest, StatsApplyOnlyToRunningVms) {
    inv.replaceAll({vm("a", VmState::Running), vm("b", VmState::ShutOff)}, 1);
    inv.applyStats({{"a", 42.0, 1024}, {"b", 99.0, 1024}, {"ghost", 1, 1}});
    EXPECT_DOUBLE_EQ(inv.find("a")->cpuPercent, 42.0);
    EXPECT_DOUBLE_EQ(inv.find("b")->cpuPercent, 0.0);
    EXPECT_EQ(inv.find("ghost"), nullptr);
}

}  // namespace
}  // namespace appliance

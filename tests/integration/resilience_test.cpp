// SPDX-License-Identifier: GPL-2.0-or-later
// What happens when the world fails under applianced: libvirtd dies, a guest's QEMU dies,
// applianced itself is killed in the middle of its work.
#include <csignal>
#include <atomic>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "integration/applianced_fixture.h"

namespace appliance::test {
namespace {

bool underSystemd() { return shell("test -d /run/systemd/system && echo yes") == "yes"; }

// SIGKILL, as a crash would; the socket-activation units are stopped too so nothing revives it.
void killLibvirtd() {
    if (underSystemd()) shell("systemctl stop libvirtd.socket libvirtd-ro.socket libvirtd-admin.socket");
    shell("pkill -9 -x libvirtd");
    ASSERT_TRUE(waitUntil([] { return shell("pgrep -x libvirtd").empty(); }, std::chrono::seconds(10)));
}

void startLibvirtd() { shell(underSystemd() ? "systemctl start libvirtd" : "libvirtd -d"); }

std::string qemuPid(const std::string& vm) {
    std::ifstream f("/run/libvirt/qemu/" + vm + ".pid");
    std::string pid;
    f >> pid;
    return pid;
}

using ResilienceTest = DaemonTest;

TEST_F(ResilienceTest, LibvirtdKilledAndRestartedReconnectsResyncsAndEventsResume) {
    const std::string a = daemon.vmName("survivor");
    const std::string b = daemon.vmName("victim");
    daemon.createVm(*admin, a);
    daemon.createVm(*admin, b);
    ASSERT_TRUE(admin->call("vm.start", {{"name", a}}));
    ASSERT_TRUE(admin->call("vm.start", {{"name", b}}));
    ASSERT_TRUE(daemon.waitForGuestBoot(b));

    killLibvirtd();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    ASSERT_TRUE(waitForEvent(*events, [](const auto& m) { return m.name == "hypervisor.disconnected"; },
                             std::chrono::seconds(30)))
        << daemon.log();
    // While libvirtd is away: reads answer from what is known, writes say what is wrong.
    auto list = admin->call("vm.list");
    ASSERT_TRUE(list);
    EXPECT_EQ(list->size(), 2u);
    auto start = admin->call("vm.destroy", {{"name", a}});
    ASSERT_FALSE(start);
    EXPECT_EQ(start.error().cls, ErrorClass::Unavailable);
    EXPECT_NE(start.error().message.find("libvirtd"), std::string::npos);
    // The world changes while nobody watches: one guest's QEMU dies.
    std::string pid = qemuPid(b);
    ASSERT_FALSE(pid.empty());
    shell("kill -9 " + pid);

    startLibvirtd();
    ASSERT_TRUE(waitForEvent(*events, [](const auto& m) { return m.name == "hypervisor.connected"; },
                             std::chrono::seconds(60)))
        << daemon.log();
    // No stale state: the resync shows the dead guest as off, the other still running.
    ASSERT_TRUE(waitUntil(
        [&] {
            auto l = admin->call("vm.list");
            if (!l) return false;
            for (const auto& v : *l)
                if (v["name"] == b && v["state"] != "shut-off") return false;
            return true;
        },
        std::chrono::seconds(30)));
    EXPECT_EQ(admin->call("vm.info", {{"name", a}})->value("state", ""), "running");
    EXPECT_EQ(virshDomstate(a), "running");
    EXPECT_EQ(virshDomstate(b), "shut off");

    // Events flow again on the new connection.
    ASSERT_TRUE(admin->call("vm.destroy", {{"name", a}}));
    EXPECT_TRUE(waitForEvent(*events, [&](const auto& m) {
        return m.name == "vm.state" && m.body["name"] == a && m.body["state"] == "shut-off";
    }, std::chrono::seconds(30)));
}

TEST_F(ResilienceTest, GuestQemuKilledBecomesShutOffCrashedAndIsAudited) {
    const std::string vm = daemon.vmName("crash");
    daemon.createVm(*admin, vm);
    ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
    ASSERT_TRUE(daemon.waitForGuestBoot(vm));
    std::string pid = qemuPid(vm);
    ASSERT_FALSE(pid.empty());
    shell("kill -9 " + pid);

    auto ev = waitForEvent(*events, [&](const auto& m) {
        return m.name == "vm.state" && m.body["name"] == vm && m.body["state"] == "shut-off";
    }, std::chrono::seconds(30));
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->body.value("reason", ""), "crashed");
    EXPECT_EQ(virshDomstate(vm), "shut off");
    auto audit = admin->call("audit.list", {{"name", vm}});
    ASSERT_TRUE(audit);
    bool found = false;
    for (const auto& e : *audit)
        found |= e["actor"] == "hypervisor" && e.value("result", "").find("crashed") != std::string::npos;
    EXPECT_TRUE(found) << audit->dump(2);
}

TEST_F(ResilienceTest, AppliancedKilledMidWriteKeepsADatabaseThatPassesIntegrityCheckAndLosesNoAcknowledgedAudit) {
    const std::string vm = daemon.vmName("audited");
    daemon.createVm(*admin, vm);
    // Two writers hammer audited writes; applianced dies under them.
    std::atomic<int> acknowledged{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w)
        writers.emplace_back([&, w] {
            LineClient c;
            if (!c.connect(daemon.socket())) return;
            for (int i = 0; !stop; ++i) {
                auto r = c.call("vm.set", {{"name", vm}, {"description", "writer " + std::to_string(w) + " #" + std::to_string(i)}}, 5000);
                if (!r) return;
                ++acknowledged;
            }
        });
    ASSERT_TRUE(waitUntil([&] { return acknowledged >= 20; }, std::chrono::seconds(60)));
    daemon.kill9();
    stop = true;
    for (auto& t : writers) t.join();
    int acked = acknowledged.load();

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(daemon.stateDb().c_str(), &db), SQLITE_OK);
    auto scalar = [&](const char* sql) {
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
        std::string v = sqlite3_step(st) == SQLITE_ROW ? reinterpret_cast<const char*>(sqlite3_column_text(st, 0)) : "";
        sqlite3_finalize(st);
        return v;
    };
    EXPECT_EQ(scalar("PRAGMA integrity_check"), "ok");
    int audited = std::stoi(scalar("SELECT count(*) FROM audit WHERE action = 'vm.set' AND result = 'ok'"));
    EXPECT_GE(audited, acked) << "an acknowledged write is missing from the audit log";
    sqlite3_close(db);

    daemon.start();  // and it comes back on the same database
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    admin = daemon.client();
    // audit.list pages (at most 500 entries an answer): read them all.
    int listed = 0;
    for (int64_t before = 0;;) {
        Json args{{"name", vm}, {"limit", 500}};
        if (before) args["before_id"] = before;
        auto page = admin->call("audit.list", args);
        ASSERT_TRUE(page);
        if (page->empty()) break;
        listed += int(page->size());
        before = page->back()["id"];
    }
    EXPECT_GE(listed, acked + 1);
}

}  // namespace
}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// Lifecycle of real TCG guests through applianced, observed through pushed events and
// cross-checked against `virsh domstate`.
#include <gtest/gtest.h>

#include "integration/applianced_fixture.h"

namespace appliance::test {
namespace {

constexpr auto kEventTimeout = std::chrono::seconds(60);

auto stateEvent(const std::string& vm, const std::string& state) {
    return [vm, state](const protocol::Message& m) {
        return m.name == "vm.state" && m.body.value("name", "") == vm && m.body.value("state", "") == state;
    };
}

class LifecycleTest : public DaemonTest {
protected:
    Json call(const std::string& verb, const Json& args) {
        auto r = admin->call(verb, args, 120000);
        EXPECT_TRUE(r) << verb << " " << args.dump() << ": " << (r ? "" : r.error().message);
        return r ? *r : Json();
    }
};

TEST_F(LifecycleTest, CreateStartSuspendResumeRebootShutdownDestroyDelete) {
    const std::string vm = daemon.vmName("cycle");
    Json created = daemon.createVm(*admin, vm);
    ASSERT_EQ(created.value("state", ""), "shut-off");
    EXPECT_EQ(created.value("domain_type", ""), "qemu") << "no usable KVM here: the guest must be TCG";
    ASSERT_TRUE(waitForEvent(*events, [&](const auto& m) { return m.name == "vm.defined" && m.body["name"] == vm; },
                             kEventTimeout));

    // What later work relies on is in the definition libvirt holds.
    std::string xml = shell("virsh -c qemu:///system dumpxml " + vm);
    EXPECT_NE(xml.find("<domain type='qemu'"), std::string::npos);
    EXPECT_NE(xml.find(daemon.runDir() + "/" + vm + "/vnc.sock"), std::string::npos);
    EXPECT_NE(xml.find("org.appliance.agent.0"), std::string::npos);
    EXPECT_NE(xml.find("<target dir='appliance-share'/>"), std::string::npos);
    EXPECT_TRUE(xml.find("instance='" + daemon.instance() + "'") != std::string::npos ||
                xml.find("instance=\"" + daemon.instance() + "\"") != std::string::npos)
        << "the domain does not name its owning instance";

    Json started = call("vm.start", {{"name", vm}});
    EXPECT_EQ(started.value("state", ""), "running");
    ASSERT_TRUE(waitForEvent(*events, stateEvent(vm, "running"), kEventTimeout));
    EXPECT_EQ(virshDomstate(vm), "running");
    ASSERT_TRUE(daemon.waitForGuestBoot(vm)) << daemon.consoleLog(vm);

    // Starting a running guest is refused and changes nothing.
    auto again = admin->call("vm.start", {{"name", vm}});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().cls, ErrorClass::Conflict);
    EXPECT_NE(again.error().message.find("already running"), std::string::npos);
    EXPECT_EQ(virshDomstate(vm), "running");

    call("vm.suspend", {{"name", vm}});
    ASSERT_TRUE(waitForEvent(*events, stateEvent(vm, "paused"), kEventTimeout));
    EXPECT_EQ(virshDomstate(vm), "paused");
    call("vm.resume", {{"name", vm}});
    ASSERT_TRUE(waitForEvent(*events, stateEvent(vm, "running"), kEventTimeout));
    EXPECT_EQ(virshDomstate(vm), "running");

    call("vm.reboot", {{"name", vm}});
    ASSERT_TRUE(waitForEvent(*events, [&](const auto& m) { return m.name == "vm.rebooted" && m.body["name"] == vm; },
                             kEventTimeout));
    ASSERT_TRUE(daemon.waitForGuestBoot(vm, 2)) << "the guest did not come back after the reboot:\n"
                                                << daemon.consoleLog(vm);
    EXPECT_EQ(virshDomstate(vm), "running");

    Json down = call("vm.shutdown", {{"name", vm}, {"timeout_s", 60}});
    EXPECT_EQ(down.value("outcome", ""), "graceful");
    ASSERT_TRUE(waitForEvent(*events, stateEvent(vm, "shut-off"), kEventTimeout));
    EXPECT_EQ(virshDomstate(vm), "shut off");
    EXPECT_NE(daemon.consoleLog(vm).find("power button, powering off"), std::string::npos);

    call("vm.start", {{"name", vm}});
    ASSERT_TRUE(waitForEvent(*events, stateEvent(vm, "running"), kEventTimeout));
    Json destroyed = call("vm.destroy", {{"name", vm}});
    EXPECT_EQ(destroyed.value("state", ""), "shut-off");
    EXPECT_EQ(destroyed.value("reason", ""), "destroyed");
    ASSERT_TRUE(waitForEvent(*events, stateEvent(vm, "shut-off"), kEventTimeout));
    EXPECT_EQ(virshDomstate(vm), "shut off");

    call("vm.delete", {{"name", vm}});
    ASSERT_TRUE(waitForEvent(*events, [&](const auto& m) { return m.name == "vm.undefined" && m.body["name"] == vm; },
                             kEventTimeout));
    int status = 0;
    shell("virsh -c qemu:///system dominfo " + vm, &status);
    EXPECT_NE(status, 0) << "libvirt still has the deleted VM";
    for (const auto& v : call("vm.list", Json::object())) EXPECT_NE(v.value("name", ""), vm);

    // Every admin action is in the audit log with the caller's uid.
    Json audit = call("audit.list", {{"name", vm}, {"limit", 100}});
    std::vector<std::string> actions;
    for (const auto& e : audit)
        if (e.value("actor", "") == "root") actions.push_back(e.value("action", "") + ":" + e.value("result", ""));
    for (const char* want : {"vm.create:ok", "vm.start:ok", "vm.start:Conflict", "vm.suspend:ok", "vm.resume:ok",
                             "vm.reboot:ok", "vm.shutdown:ok", "vm.destroy:ok", "vm.delete:ok"})
        EXPECT_NE(std::find(actions.begin(), actions.end(), want), actions.end()) << "audit lacks " << want;
}

TEST_F(LifecycleTest, ShutdownForcesOffAGuestThatIgnoresThePowerButton) {
    const std::string vm = daemon.vmName("deaf");
    daemon.createVm(*admin, vm, "appliance.acpi=ignore");
    call("vm.start", {{"name", vm}});
    ASSERT_TRUE(daemon.waitForGuestBoot(vm)) << daemon.consoleLog(vm);
    Json down = call("vm.shutdown", {{"name", vm}, {"timeout_s", 3}});
    EXPECT_EQ(down.value("outcome", ""), "forced");
    EXPECT_GE(down.value("elapsed_s", 0.0), 3.0);
    EXPECT_EQ(virshDomstate(vm), "shut off");
    EXPECT_EQ(daemon.consoleLog(vm).find("power button, powering off"), std::string::npos);
}

TEST_F(LifecycleTest, ConfigurationAppliesNowWhenOffAndAtNextBootWhenRunning) {
    const std::string vm = daemon.vmName("config");
    daemon.createVm(*admin, vm);
    Json off = call("vm.set", {{"name", vm}, {"vcpus", 2}, {"memory_mib", 200}, {"autostart", true},
                               {"description", "camera VMS, floor 2"}});
    EXPECT_EQ(off["at_next_boot"].size(), 0u);
    Json info = call("vm.info", {{"name", vm}});
    EXPECT_EQ(info.value("vcpus", 0), 2);
    EXPECT_EQ(info.value("memory_mib", 0), 200);
    EXPECT_TRUE(info.value("autostart", false));
    EXPECT_EQ(info.value("description", ""), "camera VMS, floor 2");
    EXPECT_EQ(shell("virsh -c qemu:///system dominfo " + vm + " | awk '/^Autostart/{print $2}'"), "enable");

    call("vm.start", {{"name", vm}});
    Json running = call("vm.set", {{"name", vm}, {"memory_mib", 256}});
    ASSERT_EQ(running["at_next_boot"].size(), 1u);
    EXPECT_EQ(running["at_next_boot"][0], "memory_mib");
    EXPECT_NE(running.value("message", "").find("next time"), std::string::npos);
    EXPECT_EQ(call("vm.info", {{"name", vm}}).value("memory_mib", 0), 200) << "the running guest keeps its memory";
    EXPECT_TRUE(call("vm.info", {{"name", vm}}).value("pending_config", false));
    call("vm.destroy", {{"name", vm}});
    EXPECT_EQ(call("vm.info", {{"name", vm}}).value("memory_mib", 0), 256) << "the saved value applies when off";
}

}  // namespace
}  // namespace appliance::test

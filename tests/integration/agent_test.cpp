// SPDX-License-Identifier: GPL-2.0-or-later
// The agents end to end: vms-agentd inside real TCG guests, talking over virtio-serial to the
// agent server in applianced. What the operator would type inside a guest is typed on the guest's
// serial console.
#include <gtest/gtest.h>

#include "integration/applianced_fixture.h"

namespace appliance::test {
namespace {

constexpr auto kEventTimeout = std::chrono::seconds(60);

class AgentTest : public DaemonTest {
protected:
    void SetUp() override {
        DaemonTest::SetUp();
        ASSERT_FALSE(HasFatalFailure());
        a = daemon.vmName("agent-a");
        b = daemon.vmName("agent-b");
        for (const auto& vm : {a, b}) {
            daemon.createVm(*admin, vm);
            ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
        }
        for (const auto& vm : {a, b}) ASSERT_TRUE(daemon.waitForGuestBoot(vm)) << daemon.consoleLog(vm);
        for (const auto& vm : {a, b}) waitForAgent(vm);
    }
    // Until the agent inside `vm` reports that the host knows it as `vm`.
    void waitForAgent(const std::string& vm) {
        std::string out;
        bool up = daemon.waitForAgent(vm, &out);
        ASSERT_TRUE(up) << vm << ": " << out << "\n" << daemon.guestRun(vm, "cat /tmp/vms-agentd.log") << daemon.log();
        EXPECT_NE(out.find("as '" + vm + "'"), std::string::npos) << out;
    }
    auto focusEvent(const std::string& target) {
        return [target](const protocol::Message& m) { return m.name == "focus.changed" && m.body["target"] == target; };
    }
    std::string a, b;
};

TEST_F(AgentTest, AnAgentInsideAGuestListsTargetsAndSwitchesTheDisplayToAnotherGuest) {
    // The operator works in A (it has the display), so A's agent may give the display away.
    ASSERT_TRUE(admin->call("focus.set", {{"target", a}}));
    int rc = -1;
    std::string list = daemon.guestRun(a, "vms-agent list", &rc);
    ASSERT_EQ(rc, 0) << list;
    EXPECT_NE(list.find("admin-console"), std::string::npos) << list;
    EXPECT_NE(list.find(b), std::string::npos) << list;
    EXPECT_NE(list.find(a + " "), std::string::npos) << list;
    EXPECT_NE(list.find("(this VM)"), std::string::npos) << list;

    std::string out = daemon.guestRun(a, "vms-agent switch " + b, &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find(b + " now has the display"), std::string::npos) << out;
    auto ev = waitForEvent(*events, focusEvent(b), kEventTimeout);
    ASSERT_TRUE(ev) << daemon.log();
    EXPECT_EQ(ev->body.value("by", ""), "agent:" + a) << "the identity is the channel the request came on";
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), b);
    // Both agents heard about it.
    for (const auto& vm : {a, b}) {
        std::string st = daemon.guestRun(vm, "vms-agent status", &rc);
        EXPECT_NE(st.find(b + " has the display"), std::string::npos) << vm << ": " << st;
    }

    // A is in the background now: it cannot take the display back (the operator is working in B).
    out = daemon.guestRun(a, "vms-agent switch " + a, &rc);
    EXPECT_EQ(rc, 77) << out;
    EXPECT_NE(out.find("only the VM that has the display may ask for it"), std::string::npos) << out;
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), b);

    // A policy deny leaves focus where it is, with a clear error inside the guest.
    daemon.writePolicy("10-deny.policy", b + " focus.request admin-console deny\n");
    out = daemon.guestRun(b, "vms-agent switch admin-console", &rc);
    EXPECT_EQ(rc, 77) << out;
    EXPECT_NE(out.find("policy does not let"), std::string::npos) << out;
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), b);

    // A target that is not running is refused as such.
    out = daemon.guestRun(b, "vms-agent switch no-such-vm", &rc);
    EXPECT_EQ(rc, 66) << out;

    // The focused VM stops: focus falls back to the admin console.
    ASSERT_TRUE(admin->call("vm.destroy", {{"name", b}}));
    ev = waitForEvent(*events, focusEvent("admin-console"), kEventTimeout);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->body.value("by", ""), "applianced");
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), "admin-console");

    auto audit = admin->call("audit.list", {{"name", b}, {"limit", 100}});
    ASSERT_TRUE(audit);
    bool audited = false;
    for (const auto& e : *audit) audited |= e["actor"] == "agent:" + a && e["action"] == "agent.focus.request";
    EXPECT_TRUE(audited) << audit->dump(2);
}

TEST_F(AgentTest, AnAskPolicyWaitsForTheOperator) {
    daemon.writePolicy("10-ask.policy", a + " focus.request " + b + " ask\n");
    // The request runs in the background inside the guest; the operator answers on the host.
    int rc = -1;
    daemon.guestRun(a, "(vms-agent switch " + b + " > /tmp/ask.out 2>&1; echo rc=$? >> /tmp/ask.out) & sleep 0", &rc);
    auto ask = waitForEvent(*events, [](const auto& m) { return m.name == "focus.ask"; }, kEventTimeout);
    ASSERT_TRUE(ask);
    EXPECT_EQ(ask->body.value("by", ""), "agent:" + a);
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), "admin-console") << "nothing changes before the answer";
    ASSERT_TRUE(admin->call("focus.decide", {{"id", ask->body["id"]}, {"allow", true}}));
    ASSERT_TRUE(waitForEvent(*events, focusEvent(b), kEventTimeout));
    std::string out;
    EXPECT_TRUE(waitUntil([&] { return (out = daemon.guestRun(a, "cat /tmp/ask.out")).find("rc=0") != std::string::npos; },
                          std::chrono::seconds(20)))
        << out;
}

// The guest's own software is not trusted: with vms-agentd stopped, a program inside guest A writes
// straight to the agent channel, claiming to be B, sending garbage, oversized lines and a flood.
TEST_F(AgentTest, AGuestThatLiesOrFloodsGetsErrorsAndIdentityStaysTheChannel) {
    int rc = -1;
    daemon.guestRun(a, "killall vms-agentd-supervise vms-agentd; sleep 1", &rc);
    const std::string port = "$(grep -l org.appliance.agent.0 /sys/class/virtio-ports/*/name | cut -d/ -f5)";
    auto raw = [&](const std::string& payload) {
        return daemon.guestRun(a, "exec 3<>/dev/" + port + "; printf '%s\\n' '" + payload +
                                      "' >&3; timeout 2 cat <&3; exec 3>&-", &rc, std::chrono::seconds(20));
    };
    std::string out = raw(R"({"execute":"agent.hello","arguments":{"vm":")" + b + R"("},"id":1})");
    EXPECT_NE(out.find("unknown argument 'vm'"), std::string::npos) << out;
    out = raw(R"({"execute":"focus.request","arguments":{"target":")" + b + R"(","source":")" + b + R"("},"id":2})");
    EXPECT_NE(out.find("unknown argument 'source'"), std::string::npos) << out;
    out = raw(R"({"execute":"agent.hello","id":3})");
    EXPECT_NE(out.find("\"vm\":\"" + a + "\""), std::string::npos) << "the host names the guest by its channel: " << out;
    out = raw("this is not json");
    EXPECT_NE(out.find("InvalidArgument"), std::string::npos) << out;
    out = daemon.guestRun(a, "exec 3<>/dev/" + port + "; head -c 40000 /dev/zero | tr '\\\\0' x >&3; echo >&3; "
                             "timeout 2 cat <&3; exec 3>&-", &rc, std::chrono::seconds(20));
    EXPECT_NE(out.find("TooLarge"), std::string::npos) << out;
    out = daemon.guestRun(a, "exec 3<>/dev/" + port + "; for i in $(seq 300); do echo '{\"execute\":\"focus.get\"}'; done >&3; "
                             "timeout 3 cat <&3 | grep -c TooManyRequests; exec 3>&-", &rc, std::chrono::seconds(30));
    EXPECT_GE(std::atoi(out.c_str() + out.find_first_of("0123456789")), 1) << out;

    // The other guest's agent is unaffected, and applianced is healthy.
    std::string list = daemon.guestRun(b, "vms-agent list", &rc);
    EXPECT_EQ(rc, 0) << list;
    EXPECT_TRUE(admin->call("vm.list"));
    EXPECT_TRUE(daemon.running());
}

}  // namespace
}  // namespace appliance::test

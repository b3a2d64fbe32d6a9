// SPDX-License-Identifier: GPL-2.0-or-later
// Bad input on the admin API: each case gets a clear error, changes nothing, and other clients
// keep being served.
#include <functional>
#include <thread>

#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "integration/applianced_fixture.h"
#include "integration/peer_sockets.h"

namespace appliance::test {
namespace {

// Runs `body` in a child process as user "nobody" and returns the text it reports.
std::string asNobody(const std::function<std::string()>& body) {
    passwd* nobody = ::getpwnam("nobody");
    if (!nobody) return "no user nobody";
    return runAs(nobody->pw_uid, nobody->pw_gid, {}, [&](int out) { writeAll(out, body()); });
}

class BadInputTest : public ::testing::Test {
protected:
    void SetUp() override {
        daemon.start();
        ASSERT_FALSE(HasFatalFailure());
        bystander = daemon.client();
        attacker = daemon.client();
        vm = daemon.vmName("steady");
        before = daemon.createVm(*bystander, vm);
    }
    void TearDown() override {
        // The bystander is still served and nothing about the VM changed.
        auto info = bystander->call("vm.info", {{"name", vm}});
        ASSERT_TRUE(info) << info.error().message;
        EXPECT_EQ(info->value("state", ""), "shut-off");
        EXPECT_EQ(info->value("vcpus", 0), before.value("vcpus", -1));
        EXPECT_EQ(info->value("memory_mib", 0), before.value("memory_mib", -1));
        EXPECT_EQ(virshDomstate(vm), "shut off");
        EXPECT_TRUE(daemon.running()) << daemon.log();
    }
    // Sends raw bytes and returns the error the next message carries.
    Error rawError(const std::string& bytes) {
        EXPECT_TRUE(attacker->sendRaw(bytes));
        auto m = attacker->readMessage(5000);
        EXPECT_TRUE(m) << (m ? "" : m.error().message);
        if (!m) return m.error();
        EXPECT_EQ(m->kind, protocol::Kind::Error) << "expected an error";
        return m->error;
    }
    Error callError(const std::string& verb, const Json& args) {
        auto r = attacker->call(verb, args, 10000);
        EXPECT_FALSE(r) << verb << " " << args.dump() << " was accepted";
        return r ? Error{} : r.error();
    }
    ApplianceDaemon daemon;
    std::unique_ptr<LineClient> bystander, attacker;
    std::string vm;
    Json before;
};

TEST_F(BadInputTest, MalformedJsonGetsAnErrorAndTheConnectionStaysUsable) {
    Error e = rawError("{\"execute\": \"vm.list\", \n");
    EXPECT_EQ(e.cls, ErrorClass::InvalidArgument);
    EXPECT_NE(e.message.find("not valid JSON"), std::string::npos);
    EXPECT_EQ(rawError("[1,2,3]\n").cls, ErrorClass::InvalidArgument);
    EXPECT_EQ(rawError("{\"execute\": 42}\n").cls, ErrorClass::InvalidArgument);
    EXPECT_EQ(rawError(std::string(100, '[') + std::string(100, ']') + "\n").cls, ErrorClass::InvalidArgument);
    EXPECT_TRUE(attacker->call("vm.list"));
}

TEST_F(BadInputTest, AFrameOverTheSizeLimitIsRefusedAndDiscarded) {
    std::string huge = "{\"execute\": \"vm.list\", \"arguments\": {\"pad\": \"" + std::string(200 * 1024, 'x') + "\"}}\n";
    Error e = rawError(huge);
    EXPECT_EQ(e.cls, ErrorClass::TooLarge);
    EXPECT_NE(e.message.find("limit"), std::string::npos);
    auto r = attacker->call("vm.list");
    EXPECT_TRUE(r) << "the stream must resynchronise after the oversized frame";
}

TEST_F(BadInputTest, UnknownVerbUnknownVmAndUnknownArgumentsAreNamed) {
    Error verb = callError("vm.explode", {{"name", vm}});
    EXPECT_EQ(verb.cls, ErrorClass::CommandNotFound);
    EXPECT_NE(verb.message.find("help"), std::string::npos);
    Error unknown = callError("vm.start", {{"name", "no-such-vm"}});
    EXPECT_EQ(unknown.cls, ErrorClass::NotFound);
    EXPECT_NE(unknown.message.find("no-such-vm"), std::string::npos);
    Error arg = callError("vm.start", {{"name", vm}, {"force", true}});
    EXPECT_EQ(arg.cls, ErrorClass::InvalidArgument);
    EXPECT_NE(arg.message.find("force"), std::string::npos);
    EXPECT_EQ(callError("vm.start", {{"name", "../etc"}}).cls, ErrorClass::InvalidArgument);
    EXPECT_EQ(callError("vm.start", Json::object()).cls, ErrorClass::InvalidArgument);
}

TEST_F(BadInputTest, InvalidVcpuAndMemoryValuesChangeNothing) {
    for (const Json& bad : {Json(0), Json(65), Json(-1), Json("two"), Json(2.5), Json(1ull << 40)}) {
        Error e = callError("vm.set", {{"name", vm}, {"vcpus", bad}});
        EXPECT_EQ(e.cls, ErrorClass::InvalidArgument) << bad.dump();
        EXPECT_NE(e.message.find("vcpus"), std::string::npos);
    }
    for (const Json& bad : {Json(0), Json(63), Json(1ll << 40), Json("lots")}) {
        Error e = callError("vm.set", {{"name", vm}, {"memory_mib", bad}});
        EXPECT_EQ(e.cls, ErrorClass::InvalidArgument) << bad.dump();
    }
    EXPECT_EQ(callError("vm.create", {{"name", daemon.vmName("bad")}, {"vcpus", 0}}).cls, ErrorClass::InvalidArgument);
    EXPECT_EQ(callError("vm.create", {{"name", daemon.vmName("bad2")}, {"kernel", "/nonexistent"}}).cls,
              ErrorClass::InvalidArgument);
}

TEST_F(BadInputTest, ShuttingDownAStoppedGuestIsAConflict) {
    Error e = callError("vm.shutdown", {{"name", vm}});
    EXPECT_EQ(e.cls, ErrorClass::Conflict);
    EXPECT_NE(e.message.find("not running"), std::string::npos);
}

TEST_F(BadInputTest, AFloodingClientThatNeverReadsIsCutOffWhileOthersAreServed) {
    // Far more requests than the session may queue answers for (4 MiB), and no reading.
    const int sent = 60000;
    std::string burst;
    for (int i = 0; i < sent; ++i) burst += "{\"execute\": \"vm.list\", \"id\": " + std::to_string(i) + "}\n";
    std::thread flood([&] { (void)attacker->sendRaw(burst); });  // fails part-way once applianced hangs up
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(bystander->call("vm.list"));
    flood.join();
    // Now read what was queued: applianced hung up long before answering everything.
    int answers = 0;
    for (;;) {
        auto m = attacker->readMessage(10000);
        if (!m) {
            EXPECT_EQ(m.error().cls, ErrorClass::Unavailable) << m.error().message;
            break;
        }
        ++answers;
    }
    EXPECT_LT(answers, sent) << "the flooding client was never cut off";
    // applianced hangs up first and then logs why: give the log line a moment.
    EXPECT_TRUE(waitUntil([&] { return daemon.log().find("does not read what it is sent") != std::string::npos; },
                          std::chrono::seconds(5)))
        << daemon.log();
}

// A peer that is neither root nor in an appliance group, and one in the viewer group.
TEST_F(BadInputTest, NonAdminPeersMayNotChangeAnything) {
    std::string verdict = asNobody([&] {
        LineClient c;
        auto g = c.connect(daemon.socket());
        // "nobody" is in no appliance group here: refused at the door with a way forward.
        return g ? std::string("accepted") : std::string(errorClassName(g.error().cls)) + ":" + g.error().message;
    });
    EXPECT_EQ(verdict.rfind("PermissionDenied:", 0), 0u) << verdict;
    EXPECT_NE(verdict.find("usermod"), std::string::npos) << verdict;
}

TEST(BadInputViewerTest, AViewerMayReadAndSubscribeButNotWriteAndTheAttemptIsAudited) {
    passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    // The viewer group is the one "nobody" has as its primary group.
    ApplianceDaemon daemon({"viewer_group=nogroup"});
    daemon.start();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    auto admin = daemon.client();
    const std::string vm = daemon.vmName("viewed");
    daemon.createVm(*admin, vm);
    std::string verdict = asNobody([&] {
        LineClient c;
        std::string out;
        auto g = c.connect(daemon.socket());
        out += g ? "role=" + g->value("role", "") : "connect-failed";
        out += c.call("vm.list") ? " list=ok" : " list=failed";
        out += c.call("events.subscribe") ? " subscribe=ok" : " subscribe=failed";
        auto w = c.call("vm.start", {{"name", vm}});
        out += w ? " start=ok" : " start=" + std::string(errorClassName(w.error().cls));
        // Asking a VMS about its cameras reveals their addresses: administrators only.
        auto v = c.call("vms.cameras", {{"name", vm}});
        out += v ? " vms=ok" : " vms=" + std::string(errorClassName(v.error().cls));
        return out;
    });
    EXPECT_EQ(verdict, "role=viewer list=ok subscribe=ok start=PermissionDenied vms=PermissionDenied");
    EXPECT_EQ(virshDomstate(vm), "shut off");
    auto audit = admin->call("audit.list", {{"name", vm}});
    ASSERT_TRUE(audit);
    bool denied = false;
    for (const auto& e : *audit)
        denied |= e["action"] == "vm.start" && e["result"] == "denied" && e["uid"] == int64_t(nobody->pw_uid);
    EXPECT_TRUE(denied) << audit->dump(2);
}

}  // namespace
}  // namespace appliance::test

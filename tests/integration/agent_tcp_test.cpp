// SPDX-License-Identifier: GPL-2.0-or-later
// Agents over TCP+TLS (for guests without the virtio-serial channel): the real vms-agentd, run on
// the host against a VM's real directory, and a raw TLS client for what a dishonest peer might try.
#include <csignal>
#include <fstream>
#include <sstream>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/agent_auth.h"
#include "integration/applianced_fixture.h"
#include "integration/raw_tls_agent.h"

namespace appliance::test {
namespace {


int freePort() {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

class AgentTcpTest : public ::testing::Test {
protected:
    void SetUp() override {
        port = freePort();
        daemon.setSetting("agent_tcp_listen=127.0.0.1:" + std::to_string(port));
        daemon.setSetting("agent_tcp_advertise=127.0.0.1");  // the agent runs on the host here
        daemon.start();
        ASSERT_FALSE(HasFatalFailure());
        admin = daemon.client();
        vm = daemon.vmName("tcp");
        daemon.createVm(*admin, vm);
        ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
        directory = readJsonFile(daemon.shareDir(vm) + "/directory.json");
        ASSERT_TRUE(directory.is_object());
    }
    void TearDown() override {
        stopProcess(agentPid);
    }
    void startHostAgent() {
        agentSocket = daemon.dir() + "/vms-agent.sock";
        agentPid = daemon.startHostAgent(vm, agentSocket);
    }
    std::string agentStatus() {
        return shell(std::string(VMS_AGENT_PATH) + " --socket " + agentSocket + " --json status");
    }
    ApplianceDaemon daemon;
    std::unique_ptr<LineClient> admin;
    std::string vm, agentSocket;
    int port = 0;
    pid_t agentPid = -1;
    Json directory;
};

TEST_F(AgentTcpTest, TheDirectoryNamesTheTlsEndpointWithItsFingerprintAndOnlyThisVmsSecret) {
    Json tcp;
    for (const auto& e : directory["endpoints"])
        if (e["transport"] == "tcp+tls") tcp = e;
    ASSERT_TRUE(tcp.is_object()) << directory.dump(2);
    EXPECT_EQ(tcp["port"], port);
    RawTlsAgent raw(port);
    EXPECT_EQ(tcp["tls_fingerprint_sha256"], raw.fingerprint);
    EXPECT_EQ(directory["vm"]["name"], vm);
    EXPECT_EQ(directory["secret"].get<std::string>().size(), 64u);
    const std::string other = daemon.vmName("other");
    daemon.createVm(*admin, other);
    Json otherDirectory = readJsonFile(daemon.shareDir(other) + "/directory.json");
    EXPECT_NE(otherDirectory["secret"], directory["secret"]);
    // Each readable only by its own VM's QEMU user (an id of its own, not libvirt's shared one).
    std::string mine = shell("stat -c '%a %u %g' " + daemon.shareDir(vm) + "/directory.json");
    std::string theirs = shell("stat -c '%a %u %g' " + daemon.shareDir(other) + "/directory.json");
    EXPECT_EQ(mine.substr(0, 4), "400 ") << mine;
    EXPECT_EQ(mine.substr(mine.size() - 2), " 0") << mine;
    EXPECT_GE(std::stoul(mine.substr(4)), 65536u) << mine;
    EXPECT_NE(mine, theirs) << "two VMs' secrets belong to one user";
}

TEST_F(AgentTcpTest, AnAgentWithTheDirectoryConnectsOverTlsAndSwitchesFocus) {
    startHostAgent();
    std::string status;
    ASSERT_TRUE(waitUntil([&] { return (status = agentStatus()).find("\"connected\": true") != std::string::npos; },
                          std::chrono::seconds(30)))
        << status << shell("cat " + daemon.dir() + "/vms-agentd.log");
    EXPECT_NE(status.find("\"vm\": \"" + vm + "\""), std::string::npos) << status;
    EXPECT_NE(status.find("tls:127.0.0.1:" + std::to_string(port)), std::string::npos) << status;
    // The VM has the display (the operator works in it), so its agent may hand it to the console.
    ASSERT_TRUE(admin->call("focus.set", {{"target", vm}}));
    int rc = -1;
    shell(std::string(VMS_AGENT_PATH) + " --socket " + agentSocket + " switch admin-console", &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), "admin-console");
}

TEST_F(AgentTcpTest, AnAskTheOperatorDoesNotAnswerIsDeniedWhenItTimesOut) {
    admin.reset();
    daemon.stop();
    daemon.writePolicy("10-ask.policy", vm + " focus.request " + vm + " ask\n");
    daemon.setSetting("ask_timeout_s=1");
    daemon.start();
    ASSERT_FALSE(HasFatalFailure());
    admin = daemon.client();
    startHostAgent();
    ASSERT_TRUE(waitUntil([&] { return agentStatus().find("\"connected\": true") != std::string::npos; },
                          std::chrono::seconds(30)));
    int rc = -1;
    std::string out = shell(std::string(VMS_AGENT_PATH) + " --json --socket " + agentSocket + " switch " + vm, &rc);
    EXPECT_EQ(rc, 77) << out;
    EXPECT_NE(out.find("did not answer within 1 s"), std::string::npos) << out;
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), "admin-console");
}

TEST_F(AgentTcpTest, WhenTheEndpointMovesTheAgentFollowsWithoutARestart) {
    startHostAgent();
    ASSERT_TRUE(waitUntil([&] { return agentStatus().find("\"connected\": true") != std::string::npos; },
                          std::chrono::seconds(30)));
    // applianced comes back listening on another port; it rewrites the directory.
    admin.reset();
    daemon.stop();
    int newPort = freePort();
    daemon.setSetting("agent_tcp_listen=127.0.0.1:" + std::to_string(newPort));
    daemon.start();
    ASSERT_FALSE(HasFatalFailure());
    std::string status;
    EXPECT_TRUE(waitUntil(
        [&] {
            status = agentStatus();
            return status.find("\"connected\": true") != std::string::npos &&
                   status.find(":" + std::to_string(newPort) + "\"") != std::string::npos;
        },
        std::chrono::seconds(30)))
        << status << shell("cat " + daemon.dir() + "/vms-agentd.log");
    EXPECT_EQ(::waitpid(agentPid, nullptr, WNOHANG), 0) << "the agent must not have restarted";
}

TEST_F(AgentTcpTest, AWrongSecretAReplayedProofAndAnUnknownVmAreRejected) {
    const std::string secret = directory["secret"];
    {  // the honest path works
        RawTlsAgent ok(port);
        Json r = ok.send({{"execute", "agent.auth"},
                          {"arguments", {{"vm", vm}, {"proof", agent_auth::proof(secret, ok.challenge, vm, ok.fingerprint)}}},
                          {"id", 1}});
        EXPECT_EQ(r.value("return", Json::object()).value("vm", ""), vm) << r.dump();
        Json hello = ok.send({{"execute", "agent.hello"}, {"id", 2}});
        EXPECT_EQ(hello["return"]["vm"], vm);
    }
    RawTlsAgent first(port);
    std::string captured = agent_auth::proof(secret, first.challenge, vm, first.fingerprint);
    {  // a proof captured from one connection is useless on another
        RawTlsAgent replay(port);
        Json r = replay.send({{"execute", "agent.auth"}, {"arguments", {{"vm", vm}, {"proof", captured}}}, {"id", 1}});
        EXPECT_EQ(r.value("error", Json::object()).value("class", ""), "PermissionDenied") << r.dump();
        EXPECT_TRUE(replay.next().contains("closed")) << "a failed authentication closes the connection";
    }
    {  // a wrong secret
        RawTlsAgent wrong(port);
        std::string bad = agent_auth::proof(std::string(64, '0'), wrong.challenge, vm, wrong.fingerprint);
        Json r = wrong.send({{"execute", "agent.auth"}, {"arguments", {{"vm", vm}, {"proof", bad}}}, {"id", 1}});
        EXPECT_EQ(r.value("error", Json::object()).value("class", ""), "PermissionDenied") << r.dump();
    }
    {  // no directory, no secret: an unknown VM, or anything before authenticating
        RawTlsAgent stranger(port);
        Json r = stranger.send({{"execute", "focus.request"}, {"arguments", {{"target", vm}}}, {"id", 1}});
        EXPECT_EQ(r.value("error", Json::object()).value("class", ""), "PermissionDenied") << r.dump();
        RawTlsAgent ghost(port);
        r = ghost.send({{"execute", "agent.auth"}, {"arguments", {{"vm", "no-such-vm"}, {"proof", "00"}}}, {"id", 1}});
        EXPECT_EQ(r.value("error", Json::object()).value("class", ""), "PermissionDenied") << r.dump();
    }
    EXPECT_EQ(admin->call("focus.get")->value("target", ""), "admin-console");
    auto audit = admin->call("audit.list", {{"name", vm}, {"limit", 50}});
    ASSERT_TRUE(audit);
    int denied = 0;
    for (const auto& e : *audit) denied += e["action"] == "agent.auth" && e["result"] == "denied";
    EXPECT_GE(denied, 2) << audit->dump(2);
    EXPECT_TRUE(daemon.running());
}

}  // namespace
}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// The hostile-input suite: one corpus of malformed and hostile agent messages sent from inside a
// real guest over its virtio-serial channel and over the TCP+TLS endpoint, hostile frames on the
// admin socket, and hostile camera answers and discovery datagrams. For each: a clear error, no
// crash, no state change, and other clients still served. It prints the counts.
#include <thread>

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "integration/applianced_fixture.h"
#include "integration/peer_sockets.h"
#include "integration/raw_tls_agent.h"

namespace appliance::test {
namespace {

// Every line is one message an agent might send; each must get exactly one error answer.
std::vector<std::string> hostileAgentMessages(const std::string& otherVm) {
    std::string deep;
    for (int i = 0; i < 200; ++i) deep += "[";
    std::vector<std::string> m = {
        "this is not json",
        "{",
        "{}",
        "[]",
        "\"a string\"",
        "42",
        "null",
        "true",
        R"({"execute":5})",
        R"({"execute":""})",
        R"({"execute":")" + std::string(5000, 'x') + R"("})",
        R"({"execute":"focus.request"})",
        R"({"execute":"focus.request","arguments":5})",
        R"({"execute":"focus.request","arguments":[]})",
        R"({"execute":"focus.request","arguments":{"target":5}})",
        R"({"execute":"focus.request","arguments":{"target":""}})",
        R"({"execute":"focus.request","arguments":{"target":"../../etc/passwd"}})",
        R"({"execute":"focus.request","arguments":{"target":")" + std::string(1000, 'a') + R"("}})",
        R"({"execute":"focus.request","arguments":{"target":"<font size=7>x</font>"}})",
        R"({"execute":"focus.request","arguments":{"target":"admin-console","source":")" + otherVm + R"("}})",
        R"({"execute":"focus.request","arguments":{"target":"admin-console"}})",  // from the background
        R"({"execute":"focus.request","arguments":{"target":"no-such-vm"}})",
        R"({"execute":"agent.hello","arguments":{"vm":")" + otherVm + R"("}})",
        R"({"execute":"agent.hello","arguments":{"version":{"a":1},"x":1}})",
        R"({"execute":"agent.auth","arguments":{"vm":")" + otherVm + R"(","proof":"00"}})",
        R"({"execute":"vm.start","arguments":{"name":")" + otherVm + R"("}})",
        R"({"execute":"vm.destroy","arguments":{"name":")" + otherVm + R"("}})",
        R"({"execute":"focus.set","arguments":{"target":"admin-console"}})",
        R"({"execute":"focus.decide","arguments":{"id":1,"allow":true}})",
        R"({"execute":"audit.list"})",
        R"({"execute":"events.subscribe","arguments":{"all":true}})",
        R"({"execute":"targets.list","arguments":{"filter":"*"}})",
        R"({"execute":"focus.get","arguments":"null"})",
        deep,
        R"({"execute":"targets.list","arguments":{"a":)" + deep.substr(0, 40) + "}}",
        "{\"execute\":\"focus.get\",\"id\":\"\xff\xfe\"}",
        "{\"execute\":\"focus\x01.get\"}",
        R"({"execute":"focus.get\u0000x"})",
        R"({"execute":"focus.request","arguments":{"target":"a\u0000b"}})",
        R"({"execute":"focus.get","id":{"nested":{"id":1}},"extra":1})",
        R"({"execute":"targets.list","id":)" + std::string(400, '9') + "}",
        R"({"execute":"focus.get","execute":"vm.start"})",
        R"({"return":{"vm":")" + otherVm + R"("},"id":1})",
        R"({"event":"focus.changed","data":{"target":")" + otherVm + R"("}})",
        R"({"error":{"class":"Internal","desc":"fake"}})",
        R"({"greeting":{"server":"applianced"}})",
        R"({"execute":"focus.request","arguments":{"target":1e999}})",
        R"({"execute":"focus.request","arguments":{"target":"x"},"id":-0})",
        R"({"execute":"__proto__","arguments":{"constructor":{}}})",
        R"({"execute":"focus.request","arguments":{"target":"%s%s%s%n"}})",
        R"({"execute":"focus.request","arguments":{"target":"admin-console; reboot"}})",
        std::string(20000, 'A'),  // over the frame limit
    };
    return m;
}

bool isError(const Json& reply) { return reply.is_object() && reply.contains("error"); }

class HostileInputTest : public ::testing::Test {
protected:
    void SetUp() override {
        // A generous rate limit: every message is judged on what it is, not throttled.
        daemon.setSetting("agent_rate_per_s=10000");
        daemon.setSetting("agent_burst=10000");
        daemon.start();
        ASSERT_FALSE(HasFatalFailure());
        admin = daemon.client();
        bystander = daemon.client();
        guest = daemon.vmName("hostile");
        other = daemon.vmName("bystander");
        daemon.createVm(*admin, guest);
        daemon.createVm(*admin, other);
        for (const auto& vm : {guest, other}) ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
    }
    // Nothing an attacker sent changed the appliance, and others are still served.
    void expectNothingChanged(const std::string& what) {
        EXPECT_TRUE(daemon.running()) << what << ": " << daemon.log();
        auto focus = bystander->call("focus.get");
        ASSERT_TRUE(focus) << what;
        EXPECT_EQ(focus->value("target", ""), "admin-console") << what;
        EXPECT_EQ(bystander->call("focus.asks")->size(), 0u) << what;
        for (const auto& vm : {guest, other}) EXPECT_EQ(virshDomstate(vm), "running") << what << ": " << vm;
    }
    ApplianceDaemon daemon;
    std::unique_ptr<LineClient> admin, bystander;
    std::string guest, other;
};

TEST_F(HostileInputTest, HostileAgentMessagesOverTlsEachGetAnErrorAndChangeNothing) {
    const auto corpus = hostileAgentMessages(other);
    RawTlsAgent agent(daemon.agentTcpPort(guest));
    ASSERT_TRUE(agent.authenticate(guest, daemon.directory(guest)["secret"]));
    int errors = 0;
    for (const auto& line : corpus) {
        agent.write(line + "\n");
        Json reply = agent.next(std::chrono::seconds(10));
        EXPECT_TRUE(isError(reply)) << "no error for: " << line.substr(0, 120) << " -> " << reply.dump();
        errors += isError(reply);
    }
    // Still the same agent, still served.
    Json hello = agent.send({{"execute", "agent.hello"}, {"id", "after"}});
    EXPECT_EQ(hello.value("return", Json::object()).value("vm", ""), guest) << hello.dump();
    expectNothingChanged("TLS");

    // Before authenticating, anything is refused and the connection closed.
    int refusedBeforeAuth = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        RawTlsAgent stranger(daemon.agentTcpPort(guest));
        stranger.write(corpus[i * 5] + "\n");
        Json reply = stranger.next(std::chrono::seconds(10));
        bool closed = stranger.next(std::chrono::seconds(10)).contains("closed");
        refusedBeforeAuth += isError(reply) && closed;
    }
    EXPECT_EQ(refusedBeforeAuth, 10);
    expectNothingChanged("TLS before authentication");
    std::printf("hostile agent messages over TCP+TLS: %zu sent, %d clear errors; %d before authentication refused "
                "and closed\n",
                corpus.size(), errors, refusedBeforeAuth);
    EXPECT_EQ(errors, int(corpus.size()));
}

TEST_F(HostileInputTest, HostileAgentMessagesFromInsideAGuestOverItsChannelEachGetAnError) {
    ASSERT_TRUE(daemon.waitForGuestBoot(guest)) << daemon.consoleLog(guest);
    // The corpus reaches the guest through its read-only share (the host writes it there), and a
    // program in the guest writes it raw to the channel, in place of vms-agentd.
    const auto corpus = hostileAgentMessages(other);
    std::string text;
    for (const auto& line : corpus) text += line + "\n";
    shell("cat > " + daemon.shareDir(guest) + "/hostile.txt <<'EOF_HOSTILE'\n" + text + "EOF_HOSTILE");
    int rc = -1;
    daemon.guestRun(guest, "killall vms-agentd-supervise vms-agentd; sleep 1", &rc);
    const std::string port = "$(grep -l org.appliance.agent.0 /sys/class/virtio-ports/*/name | cut -d/ -f5)";
    daemon.guestRun(guest, "exec 3<>/dev/" + port + "; cat /mnt/appliance/hostile.txt >&3; timeout 8 cat <&3 > /tmp/replies; "
                           "exec 3>&-", &rc, std::chrono::seconds(40));
    std::string errors = daemon.guestRun(guest, "grep -c '\"error\"' /tmp/replies", &rc);
    std::string lines = daemon.guestRun(guest, "wc -l < /tmp/replies", &rc);
    const int errorCount = std::atoi(errors.c_str() + errors.find_first_of("0123456789"));
    const int replyCount = std::atoi(lines.c_str() + lines.find_first_of("0123456789"));
    std::printf("hostile agent messages over virtio-serial, from inside a TCG guest: %zu sent, %d answers, %d clear "
                "errors\n",
                corpus.size(), replyCount, errorCount);
    EXPECT_EQ(errorCount, int(corpus.size())) << daemon.guestRun(guest, "cat /tmp/replies");
    EXPECT_EQ(replyCount, errorCount) << "every answer is an error";
    expectNothingChanged("virtio-serial");
}

// One frame on a fresh admin connection as root; returns the answer line.
std::string adminExchange(const std::string& socket, const std::string& frame) {
    int fd = connectUnix(socket);
    if (fd < 0) return "connect failed";
    std::string in;
    auto readLine = [&]() {
        std::string line;
        char c;
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 10000) <= 0 || ::read(fd, &c, 1) != 1) return line;
            if (c == '\n') return line;
            line += c;
        }
    };
    (void)readLine();  // the greeting
    for (std::size_t off = 0; off < frame.size();) {
        ssize_t n = ::write(fd, frame.data() + off, frame.size() - off);
        if (n <= 0) break;
        off += size_t(n);
    }
    std::string answer = readLine();
    ::close(fd);
    return answer;
}

TEST_F(HostileInputTest, HostileAdminFramesEachGetAnErrorAndChangeNothing) {
    std::string deep(100, '[');
    const std::vector<std::string> frames = {
        "garbage\n",
        "{\n",
        "[]\n",
        "{\"execute\":7}\n",
        "{\"execute\":\"vm.start\"}\n",
        "{\"execute\":\"vm.start\",\"arguments\":{\"name\":\"../../etc\"}}\n",
        "{\"execute\":\"vm.start\",\"arguments\":{\"name\":\"" + std::string(300, 'n') + "\"}}\n",
        "{\"execute\":\"vm.set\",\"arguments\":{\"name\":\"" + guest + "\",\"vcpus\":-1}}\n",
        "{\"execute\":\"vm.set\",\"arguments\":{\"name\":\"" + guest + "\",\"memory_mib\":1e12}}\n",
        "{\"execute\":\"vm.set\",\"arguments\":{\"name\":\"" + guest + "\"}}\n",
        "{\"execute\":\"vm.create\",\"arguments\":{\"name\":\"x\",\"disk\":\"/etc/shadow\"}}\n",
        "{\"execute\":\"vm.create\",\"arguments\":{\"name\":\"" + guest + "\"}}\n",
        "{\"execute\":\"focus.set\",\"arguments\":{\"target\":\"no-such-vm\"}}\n",
        "{\"execute\":\"focus.decide\",\"arguments\":{\"id\":424242,\"allow\":true}}\n",
        "{\"execute\":\"audit.list\",\"arguments\":{\"limit\":100000}}\n",
        "{\"execute\":\"audit.list\",\"arguments\":{\"before_id\":\"x\"}}\n",
        "{\"execute\":\"no.such.verb\"}\n",
        "{\"execute\":\"vm.list\",\"arguments\":{\"unexpected\":true}}\n",
        deep + "\n",
        std::string(70000, '{') + "\n",  // over the 64 KiB frame limit
        "{\"execute\":\"vm.info\",\"arguments\":{\"name\":\"a\\u0000b\"}}\n",
        "{\"execute\":\"vm.shutdown\",\"arguments\":{\"name\":\"" + guest + "\",\"timeout_s\":0}}\n",
    };
    int errors = 0;
    for (const auto& f : frames) {
        std::string answer = adminExchange(daemon.socket(), f);
        Json j = Json::parse(answer, nullptr, false);
        EXPECT_TRUE(isError(j)) << f.substr(0, 100) << " -> " << answer.substr(0, 200);
        errors += isError(j);
    }
    expectNothingChanged("admin socket");
    EXPECT_EQ(admin->call("vm.list")->size(), 2u) << "nothing was created or deleted";
    std::printf("hostile admin frames: %zu sent, %d clear errors\n", frames.size(), errors);
    EXPECT_EQ(errors, int(frames.size()));
}

}  // namespace
}  // namespace appliance::test

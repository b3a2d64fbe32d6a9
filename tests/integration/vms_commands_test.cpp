// SPDX-License-Identifier: GPL-2.0-or-later
// The host asks a guest's agent (vms.* verbs). The guest here is a real test guest whose agent
// speaks over its virtio-serial channel; a second, raw TLS connection that proved it is that VM
// plays a guest that lies (the fault injected: a compromised guest answers what it likes). Every
// lie gets a clear error, applianced stays up, and a camera's password never reaches a log.
#include <future>

#include <gtest/gtest.h>

#include "common/base64.h"
#include "integration/applianced_fixture.h"
#include "integration/raw_tls_agent.h"

namespace appliance::test {
namespace {

class VmsCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        daemon.setSetting("vms_read_timeout_ms=3000");
        daemon.setSetting("vms_write_timeout_ms=3000");
        daemon.start();
        ASSERT_FALSE(HasFatalFailure());
        admin = daemon.client();
        vm = daemon.vmName("vmsq");
        daemon.createVm(*admin, vm);
        ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
        // The guest's own agent says hello when it boots; the raw connection proves the VM after
        // that, so it is the one the host's commands go to (the connection heard from last).
        ASSERT_TRUE(daemon.waitForGuestBoot(vm)) << daemon.consoleLog(vm);
        std::string out;
        ASSERT_TRUE(daemon.waitForAgent(vm, &out)) << out;
    }
    void connectLiar() {
        liar = std::make_unique<RawTlsAgent>(daemon.agentTcpPort(vm));
        ASSERT_TRUE(liar->authenticate(vm, daemon.directory(vm)["secret"]));
    }
    // Starts the admin call, lets the liar read the command and answer with `answer(id)`.
    Result<Json> ask(const std::string& verb, const Json& args, const std::function<std::string(const Json& id)>& answer,
                     Json* seen = nullptr) {
        auto call = std::async(std::launch::async, [&] {
            auto c = daemon.client();
            return c->call(verb, args, 30000);
        });
        // Skip what applianced says to the liar about its earlier lies (e.g. a TooLarge notice).
        Json command = liar->next(std::chrono::seconds(10));
        while (command.contains("error") && !command.contains("execute")) command = liar->next(std::chrono::seconds(10));
        if (seen) *seen = command;
        EXPECT_EQ(command.value("execute", ""), verb) << command.dump();
        std::string reply = answer(command.value("id", Json()));
        if (!reply.empty()) liar->write(reply);
        return call.get();
    }
    static std::string ret(const Json& id, const Json& value) { return Json{{"return", value}, {"id", id}}.dump() + "\n"; }
    static Json camera(const std::string& id) {
        return {{"id", id}, {"name", "Camera " + id}, {"onvif_id", "urn:uuid:1"}, {"stream_uri", "rtsp://10.0.2.2:8554/x"},
                {"receiving", true}, {"recording", true}, {"last_frame", 1.7e9}, {"last_recorded", 1.7e9}, {"reason", ""}};
    }

    ApplianceDaemon daemon;
    std::unique_ptr<LineClient> admin;
    std::string vm;
    std::unique_ptr<RawTlsAgent> liar;
};

std::string classOf(const Result<Json>& r) { return r ? "ok" : std::string(errorClassName(r.error().cls)); }

TEST_F(VmsCommandsTest, TheRealAgentInAGuestWithoutAVmsSaysSo) {
    auto r = admin->call("vms.info", {{"name", vm}}, 30000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::NotFound) << r.error().message;
    EXPECT_NE(r.error().message.find("VM '" + vm + "' reports:"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("no VMS is installed"), std::string::npos) << r.error().message;
}

TEST_F(VmsCommandsTest, AGuestThatLiesGetsAClearErrorForEachLieAndApplianceStaysUp) {
    connectLiar();
    ASSERT_FALSE(HasFatalFailure());
    const Json byName{{"name", vm}};

    // A truthful answer passes, rebuilt field by field.
    auto good = ask("vms.cameras", byName, [&](const Json& id) { return ret(id, {{"cameras", {camera("7")}}}); });
    ASSERT_TRUE(good) << good.error().message;
    EXPECT_EQ((*good)["cameras"][0]["name"], "Camera 7");

    // Silence: a Timeout that says what to check.
    auto silent = ask("vms.info", byName, [](const Json&) { return ""; });
    EXPECT_EQ(classOf(silent), "Timeout");
    if (!silent) {
        EXPECT_NE(silent.error().message.find("did not answer vms.info within 3.0 s"), std::string::npos) << silent.error().message;
    }

    // The late answer to that, and answers to nothing, are dropped without harm.
    liar->write(ret("h2", {{"product", "late"}}) + ret("h999", {}) + ret("x", {}) + ret(nullptr, {}));

    // Wrong shapes.
    auto wrong = ask("vms.info", byName, [](const Json& id) { return ret(id, {{"product", 5}}); });
    EXPECT_EQ(classOf(wrong), "MalformedAnswer");
    if (!wrong) {
        EXPECT_NE(wrong.error().message.find("'" + vm + "'"), std::string::npos) << wrong.error().message;
    }
    auto notObject = ask("vms.camera.status", {{"name", vm}, {"id", "7"}}, [](const Json& id) { return ret(id, "ok"); });
    EXPECT_EQ(classOf(notObject), "MalformedAnswer");
    auto tooMany = ask("vms.cameras", byName, [&](const Json& id) {
        Json list = Json::array();
        for (int i = 0; i < 300; ++i) list.push_back(camera(std::to_string(i)));
        return ret(id, {{"cameras", list}});
    });
    EXPECT_EQ(classOf(tooMany), "MalformedAnswer");
    auto badTime = ask("vms.camera.status", {{"name", vm}, {"id", "7"}}, [&](const Json& id) {
        Json c = camera("7");
        c["last_recorded"] = -5;
        return ret(id, c);
    });
    EXPECT_EQ(classOf(badTime), "MalformedAnswer");

    // A picture must be canonical base64 of one whole JPEG, and not too large.
    const Json pictureOf{{"name", vm}, {"id", "7"}};
    auto picture = ask("vms.camera.snapshot", pictureOf, [](const Json& id) { return ret(id, {{"jpeg", "/9hwaWP/2Q=="}}); });
    ASSERT_TRUE(picture) << picture.error().message;
    EXPECT_EQ((*picture)["jpeg"], "/9hwaWP/2Q==");
    for (const Json& lie : {Json{{"jpeg", "<svg onload=x>"}}, Json{{"jpeg", "PHN2Zz4="}}, Json{{"jpeg", 5}}, Json::object()}) {
        auto r = ask("vms.camera.snapshot", pictureOf, [&](const Json& id) { return ret(id, lie); });
        EXPECT_EQ(classOf(r), "MalformedAnswer") << lie.dump().substr(0, 80);
    }
    // A whole JPEG, but larger than the host takes from a guest (and still within an answer's 256 KiB).
    const std::string big = "\xFF\xD8" + std::string(168 * 1024, 'p') + "\xFF\xD9";
    auto tooBig = ask("vms.camera.snapshot", pictureOf, [&](const Json& id) { return ret(id, {{"jpeg", toBase64(big)}}); });
    EXPECT_EQ(classOf(tooBig), "MalformedAnswer");
    if (!tooBig) {
        EXPECT_NE(tooBig.error().message.find("larger than"), std::string::npos) << tooBig.error().message;
    }

    // An answer over the limit for answers (256 KiB) fails at once, it is not waited for.
    auto huge = ask("vms.cameras", byName, [](const Json& id) {
        return ret(id, {{"cameras", Json::array()}, {"padding", std::string(300 * 1024, 'x')}});
    });
    EXPECT_EQ(classOf(huge), "TooLarge");

    // An error the guest claims is the host's own (a permission decision) is only the guest's word.
    auto posing = ask("vms.info", byName, [](const Json& id) {
        return Json{{"error", {{"class", "PermissionDenied"}, {"desc", std::string(2000, 'p')}}}, {"id", id}}.dump() + "\n";
    });
    ASSERT_FALSE(posing);
    EXPECT_EQ(posing.error().cls, ErrorClass::GenericError);
    EXPECT_EQ(posing.error().message.rfind("VM '" + vm + "' reports: ", 0), 0u) << posing.error().message;
    EXPECT_LT(posing.error().message.size(), 700u);

    // Text from the guest is data: terminal escapes are neutralised, markup stays literal text.
    auto marked = ask("vms.camera.status", {{"name", vm}, {"id", "7"}}, [&](const Json& id) {
        Json c = camera("7");
        c["name"] = "<b>lobby</b>\x1b[2J";
        return ret(id, c);
    });
    ASSERT_TRUE(marked) << marked.error().message;
    const std::string name = (*marked)["name"];
    EXPECT_EQ(name.find('\x1b'), std::string::npos) << name;
    EXPECT_EQ(name.rfind("<b>lobby</b>", 0), 0u) << name;

    EXPECT_TRUE(admin->call("server.status"));
    EXPECT_EQ(virshDomstate(vm), "running");
}

// The camera's clock that a guest read out of its recordings: the migrator's recording gap is
// computed from it, so a lie must not pass as a time (its own connection: the lies above leave
// notices on theirs).
TEST_F(VmsCommandsTest, AGuestThatLiesAboutTheCamerasRecordedClockGetsAClearError) {
    connectLiar();
    ASSERT_FALSE(HasFatalFailure());
    const Json args{{"name", vm}, {"id", "7"}, {"end", "last"}, {"since_ms", 1700000000000LL}};
    auto truth = ask("vms.camera.recorded_clock", args, [](const Json& id) {
        return ret(id, {{"clock_ms", 1700000012345LL}, {"file", "/var/cache/zoneminder/events/7/1.mp4"}});
    });
    ASSERT_TRUE(truth) << truth.error().message;
    EXPECT_EQ((*truth)["clock_ms"], 1700000012345LL);
    const Json lies[] = {{{"clock_ms", -1}, {"file", "x"}},
                         {{"clock_ms", 1LL << 45}, {"file", "x"}},     // past the clock's 44 bits
                         {{"clock_ms", "1700000012345"}, {"file", "x"}},  // a number as text
                         {{"clock_ms", 1.5e12}, {"file", "x"}},           // not whole
                         {{"file", "x"}},                                  // no time at all
                         {{"clock_ms", 1700000012345LL}, {"file", std::string(600, 'f')}}};
    for (const Json& lie : lies) {
        auto r = ask("vms.camera.recorded_clock", args, [&](const Json& id) { return ret(id, lie); });
        EXPECT_EQ(classOf(r), "MalformedAnswer") << lie.dump().substr(0, 80);
        if (!r) {
            EXPECT_NE(r.error().message.find("'" + vm + "'"), std::string::npos) << r.error().message;
        }
    }
    EXPECT_TRUE(admin->call("server.status"));
}

TEST_F(VmsCommandsTest, ACamerasPasswordReachesTheGuestButNoLogAndNoAuditEntry) {
    connectLiar();
    ASSERT_FALSE(HasFatalFailure());
    const std::string password = "Zebra-42-never-logged";
    Json seen;
    auto added = ask("vms.camera.add",
                     {{"name", vm}, {"camera_name", "Lobby"}, {"stream_uri", "rtsp://10.0.2.2:8554/cam01/sub"},
                      {"username", "admin"}, {"password", password}},
                     [](const Json& id) { return ret(id, {{"id", "101"}}); }, &seen);
    ASSERT_TRUE(added) << added.error().message;
    EXPECT_EQ((*added)["id"], "101");
    EXPECT_EQ(seen["arguments"].value("password", ""), password) << "the guest's VMS needs it";

    auto audit = admin->call("audit.list", {{"name", vm}});
    ASSERT_TRUE(audit);
    bool found = false;
    for (const auto& e : *audit)
        if (e.value("action", "") == "vms.camera.add") {
            found = true;
            EXPECT_EQ(e["arguments"].value("password", ""), "***") << e.dump();
            EXPECT_EQ(e.value("result", ""), "ok");
        }
    EXPECT_TRUE(found) << audit->dump();
    EXPECT_EQ(audit->dump().find(password), std::string::npos);
    EXPECT_EQ(daemon.log().find(password), std::string::npos);

    // Credentials inside the URI are refused before they go anywhere.
    auto inUri = admin->call("vms.camera.add", {{"name", vm}, {"camera_name", "x"}, {"stream_uri", "rtsp://a:" + password + "@h/x"}});
    EXPECT_EQ(classOf(inUri), "InvalidArgument");
}

TEST_F(VmsCommandsTest, BadRequestsAreRefusedBeforeTheGuestIsAsked) {
    EXPECT_EQ(classOf(admin->call("vms.info", {{"name", "no-such-vm"}})), "NotFound");
    EXPECT_EQ(classOf(admin->call("vms.info", {{"name", vm}, {"extra", 1}})), "InvalidArgument");
    EXPECT_EQ(classOf(admin->call("vms.camera.status", {{"name", vm}, {"id", "../../etc"}})), "InvalidArgument");
    EXPECT_EQ(classOf(admin->call("vms.camera.add", {{"name", vm}, {"camera_name", "x"}, {"stream_uri", "http://h/x"}})),
              "InvalidArgument");
    ASSERT_TRUE(admin->call("vm.destroy", {{"name", vm}}));
    // A stopped VMS is unavailable (for now), not a conflict: camera-migratord pauses its cameras.
    EXPECT_EQ(classOf(admin->call("vms.cameras", {{"name", vm}})), "Unavailable");
}

}  // namespace
}  // namespace appliance::test

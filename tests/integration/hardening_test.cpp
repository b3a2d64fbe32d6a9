// SPDX-License-Identifier: GPL-2.0-or-later
// What an attacker tried against applianced, and what must hold now: a guest in the background
// cannot take the display, asks are one per guest and decided by id, guests see no host user
// names, a local user who is not an administrator gets one error and nothing else, secrets are
// readable only by their owners, viewers cannot lock root out, silent TCP peers cannot keep a real
// agent out, and what a peer sends cannot crash applianced or flood its audit log.
// Agents here are raw TLS clients on the host holding each VM's real directory secret.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integration/applianced_fixture.h"
#include "integration/peer_sockets.h"
#include "integration/raw_tls_agent.h"

namespace appliance::test {
namespace {

constexpr uid_t kNobody = 65534;

class HardeningTest : public DaemonTest {
protected:
    /// The user (or, with "Gid:", group) the VM's running QEMU process has, from /proc.
    uint32_t qemuIdOf(const std::string& vm, const std::string& field = "Uid:") {
        std::string pid = shell("cat /run/libvirt/qemu/" + vm + ".pid");
        std::string id = shell("awk '/^" + field + "/ {print $2}' /proc/" + pid + "/status");
        return id.empty() ? 0 : uint32_t(std::stoul(id));
    }

    void startTwoVms() {
        a = daemon.vmName("hard-a");
        b = daemon.vmName("hard-b");
        for (const auto& vm : {a, b}) {
            daemon.createVm(*admin, vm);
            ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
        }
    }
    std::unique_ptr<RawTlsAgent> agentOf(const std::string& vm) {
        Json directory = daemon.directory(vm);
        auto agent = std::make_unique<RawTlsAgent>(daemon.agentTcpPort(vm));
        EXPECT_TRUE(agent->authenticate(vm, directory["secret"])) << vm;
        return agent;
    }
    std::string focus() { return admin->call("focus.get")->value("target", ""); }
    static std::string errorClass(const Json& answer) {
        return answer.value("error", Json::object()).value("class", "");
    }
    // The answer to command `id`, skipping events.
    static Json answerTo(RawTlsAgent& agent, int id) {
        for (int i = 0; i < 20; ++i) {
            Json m = agent.next(std::chrono::seconds(20));
            if (m.contains("closed") || m.contains("timeout")) return m;
            if (m.value("id", Json()) == id) return m;
        }
        return Json{{"lost", true}};
    }
    static Json request(RawTlsAgent& agent, const std::string& target, int id) {
        agent.write(Json{{"execute", "focus.request"}, {"arguments", {{"target", target}}}, {"id", id}}.dump() + "\n");
        return answerTo(agent, id);
    }
    std::string a, b;
};

TEST_F(HardeningTest, AGuestInTheBackgroundCannotTakeTheDisplay) {
    startTwoVms();
    ASSERT_FALSE(HasFatalFailure());
    auto agentA = agentOf(a);
    // The operator is at the admin console: A is in the background.
    Json r = request(*agentA, b, 1);
    EXPECT_EQ(errorClass(r), "PermissionDenied") << r.dump();
    EXPECT_NE(r.dump().find("only the VM that has the display may ask for it"), std::string::npos) << r.dump();
    EXPECT_EQ(focus(), "admin-console");

    // The operator works in A: now A may hand the display on.
    ASSERT_TRUE(admin->call("focus.set", {{"target", a}}));
    r = request(*agentA, b, 2);
    EXPECT_EQ(r.value("return", Json::object()).value("target", ""), b) << r.dump();
    EXPECT_EQ(focus(), b);

    // Even a site rule that allows everyone never lets a background guest switch by itself: the
    // request becomes an ask for the operator.
    daemon.writePolicy("10-site.policy", "@any focus.request * allow\n");
    agentA->write(Json{{"execute", "focus.request"}, {"arguments", {{"target", a}}}, {"id", 3}}.dump() + "\n");
    auto ask = waitForEvent(*events, [](const auto& m) { return m.name == "focus.ask"; }, std::chrono::seconds(10));
    ASSERT_TRUE(ask);
    EXPECT_EQ(ask->body.value("by", ""), "agent:" + a);
    EXPECT_EQ(focus(), b);
    EXPECT_EQ(admin->call("focus.asks")->size(), 1u);
}

TEST_F(HardeningTest, OneAskPerGuestDecidedByIdAndWithdrawnWhenTheGuestStopsOrLosesItsRight) {
    startTwoVms();
    ASSERT_FALSE(HasFatalFailure());
    daemon.writePolicy("10-ask.policy", "@any focus.request * ask\n");
    auto agentA = agentOf(a);
    auto isAsk = [](const auto& m) { return m.name == "focus.ask"; };
    agentA->write(Json{{"execute", "focus.request"}, {"arguments", {{"target", b}}}, {"id", 1}}.dump() + "\n");
    auto first = waitForEvent(*events, isAsk, std::chrono::seconds(10));
    ASSERT_TRUE(first);
    const int64_t firstId = first->body["id"];

    // A newer ask from the same guest replaces the older one, visibly.
    agentA->write(Json{{"execute", "focus.request"}, {"arguments", {{"target", "admin-console"}}}, {"id", 2}}.dump() + "\n");
    Json old = answerTo(*agentA, 1);
    EXPECT_EQ(errorClass(old), "Conflict") << old.dump();
    EXPECT_NE(old.dump().find("replaced by a newer request"), std::string::npos) << old.dump();
    auto withdrawn = waitForEvent(*events, [](const auto& m) { return m.name == "focus.ask-withdrawn"; }, std::chrono::seconds(10));
    ASSERT_TRUE(withdrawn);
    EXPECT_EQ(withdrawn->body["id"], firstId);
    auto second = waitForEvent(*events, isAsk, std::chrono::seconds(10));
    ASSERT_TRUE(second);
    const int64_t secondId = second->body["id"];
    auto asks = admin->call("focus.asks");
    ASSERT_TRUE(asks);
    ASSERT_EQ(asks->size(), 1u) << asks->dump();
    EXPECT_EQ((*asks)[0]["id"], secondId);
    EXPECT_EQ((*asks)[0]["target"], "admin-console");

    // A click meant for the old ask decides nothing.
    auto stale = admin->call("focus.decide", {{"id", firstId}, {"allow", true}});
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error().cls, ErrorClass::NotFound);

    // A loses its right before the operator answers: the ask is withdrawn, nothing switches.
    daemon.writePolicy("05-deny.policy", a + " focus.request * deny\n");
    auto late = admin->call("focus.decide", {{"id", secondId}, {"allow", true}});
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().cls, ErrorClass::Conflict) << late.error().message;
    EXPECT_EQ(focus(), "admin-console");
    Json r2 = answerTo(*agentA, 2);
    EXPECT_EQ(errorClass(r2), "Conflict") << r2.dump();

    // A asks again, then stops: its ask is withdrawn.
    std::remove((daemon.dir() + "/policy.d/05-deny.policy").c_str());
    agentA->write(Json{{"execute", "focus.request"}, {"arguments", {{"target", b}}}, {"id", 3}}.dump() + "\n");
    auto third = waitForEvent(*events, isAsk, std::chrono::seconds(10));
    ASSERT_TRUE(third);
    ASSERT_TRUE(admin->call("vm.destroy", {{"name", a}}));
    auto gone = waitForEvent(*events, [](const auto& m) { return m.name == "focus.ask-withdrawn"; }, std::chrono::seconds(20));
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->body["id"], third->body["id"]);
    EXPECT_EQ(admin->call("focus.asks")->size(), 0u);
}

TEST_F(HardeningTest, GuestsSeeOnlyWhatThePolicyAllowsAndNoHostUserNames) {
    startTwoVms();
    ASSERT_FALSE(HasFatalFailure());
    auto agentA = agentOf(a);
    Json sub = agentA->send({{"execute", "events.subscribe"}, {"id", 1}});
    ASSERT_TRUE(sub.contains("return")) << sub.dump();
    ASSERT_TRUE(admin->call("focus.set", {{"target", b}}));  // as root
    Json ev = agentA->next(std::chrono::seconds(10));
    EXPECT_EQ(ev.value("event", ""), "focus.changed") << ev.dump();
    EXPECT_EQ(ev["data"].value("by", ""), "administrator");
    EXPECT_EQ(ev.dump().find("root"), std::string::npos) << "a host user name reached a guest: " << ev.dump();

    daemon.writePolicy("10-deny.policy", a + " events.subscribe * deny\n" + a + " agent.hello * deny\n");
    Json denied = agentA->send({{"execute", "events.subscribe"}, {"id", 2}});
    EXPECT_EQ(errorClass(denied), "PermissionDenied") << denied.dump();
    denied = agentA->send({{"execute", "agent.hello"}, {"id", 3}});
    EXPECT_EQ(errorClass(denied), "PermissionDenied") << denied.dump();
}

TEST_F(HardeningTest, ALocalUserWhoIsNotAnAdministratorGetsOneErrorAndNothingElse) {
    const std::string socket = daemon.socket();
    std::string seen = runAs(kNobody, kNobody, {}, [&](int out) {
        int fd = connectUnix(socket);
        if (fd < 0) return writeAll(out, "connect failed");
        // Commands sent at once, before any answer: none of them may be read, let alone run.
        writeAll(fd, "{\"execute\":\"audit.list\",\"id\":1}\n{\"execute\":\"vm.list\",\"id\":2}\n"
                     "{\"execute\":\"events.subscribe\",\"id\":3}\n");
        writeAll(out, readUntilClosed(fd, 10000));
    });
    EXPECT_EQ(std::count(seen.begin(), seen.end(), '\n'), 1) << seen;
    EXPECT_NE(seen.find("PermissionDenied"), std::string::npos) << seen;
    EXPECT_NE(seen.find("may not use the appliance's admin API"), std::string::npos) << seen;
    EXPECT_EQ(seen.find("\"return\""), std::string::npos) << "a refused peer's command ran: " << seen;
    EXPECT_EQ(seen.find("<still open>"), std::string::npos) << "the connection must be closed";
    EXPECT_TRUE(admin->call("server.status"));
}

TEST_F(HardeningTest, SecretsAreReadableOnlyByTheirOwners) {
    startTwoVms();
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_TRUE(admin->call("focus.set", {{"target", a}}));  // a write, so the WAL is in use
    const std::string tls = daemon.dir() + "/tls";
    struct Expect {
        std::string path, mode;
    };
    std::vector<Expect> files = {{daemon.stateDb(), "600"},
                                 {daemon.stateDb() + "-wal", "600"},
                                 {daemon.stateDb() + "-shm", "600"},
                                 {tls, "700"},
                                 {tls + "/agent-key.pem", "600"},
                                 {daemon.shareDir(a), "500"},
                                 {daemon.shareDir(a) + "/directory.json", "400"}};
    for (const auto& f : files) EXPECT_EQ(shell("stat -c %a " + f.path), f.mode) << f.path;
    // Each VM's QEMU runs as a user of its own, and only that user may read the VM's share.
    const uid_t uidA = qemuIdOf(a), uidB = qemuIdOf(b);
    const gid_t gidB = qemuIdOf(b, "Gid:");
    ASSERT_GE(uidA, 65536u) << "VM " << a << " must not run as libvirt's shared qemu user";
    ASSERT_GE(uidB, 65536u);
    ASSERT_NE(uidA, uidB);
    EXPECT_EQ(shell("stat -c %u:%g " + daemon.shareDir(a) + "/directory.json"), std::to_string(uidA) + ":0")
        << "the VM's own QEMU serves the share; its group is every VM's QEMU's";
    EXPECT_EQ(shell("stat -c %u " + daemon.runDir() + "/" + a), std::to_string(uidA));

    group* kvm = ::getgrnam("kvm");
    ASSERT_NE(kvm, nullptr);
    const gid_t kvmGid = kvm->gr_gid;
    for (const auto& who : {std::vector<gid_t>{}, std::vector<gid_t>{kvmGid}}) {
        for (const auto& f : files) {
            if (f.mode == "700" || f.mode == "500") continue;  // directories: their files are checked
            std::string got = runAs(kNobody, who.empty() ? kNobody : kvmGid, who, [&](int out) {
                std::ifstream in(f.path);
                writeAll(out, in && in.peek() != EOF ? "READABLE" : "denied");
            });
            EXPECT_EQ(got, "denied") << f.path << " is readable by nobody" << (who.empty() ? "" : " in group kvm");
        }
    }
    // The directory share itself: a member of kvm cannot even list it.
    std::string listed = runAs(kNobody, kvmGid, {kvmGid}, [&](int out) {
        writeAll(out, ::access(daemon.shareDir(a).c_str(), R_OK | X_OK) == 0 ? "READABLE" : "denied");
    });
    EXPECT_EQ(listed, "denied");
    // Another VM's QEMU, with the very user and group it runs as, reads neither A's secret nor
    // A's sockets; A's own does.
    auto readsSecretOfA = [&](uid_t uid) {
        return runAs(uid, gidB, {gidB}, [&](int out) {
            std::ifstream in(daemon.shareDir(a) + "/directory.json");
            bool secret = in && in.peek() != EOF;
            bool sockets = ::access((daemon.runDir() + "/" + a).c_str(), X_OK) == 0;
            writeAll(out, std::string(secret ? "secret" : "no-secret") + (sockets ? ",sockets" : ",no-sockets"));
        });
    };
    EXPECT_EQ(readsSecretOfA(uidB), "no-secret,no-sockets") << "the QEMU of " << b << " reaches into " << a;
    EXPECT_EQ(readsSecretOfA(uidA), "secret,sockets") << "A's own QEMU must read its share, or the test proves nothing";
}

// The main command's layout: the admin socket and the VMs' run directories below one directory
// that applianced creates itself, with its umask of 077. Administrators must still reach the
// socket, and QEMU (another user) its VM's directory, so the VM starts.
TEST(HardeningLayoutTest, TheDirectoryApplianceMakesForItsSocketStaysPassableForQemuAndAdministrators) {
    ApplianceDaemon daemon;
    const std::string run = daemon.dir() + "/run-appliance";  // not there yet: applianced makes it
    daemon.setAdminSocket(run + "/admin.sock");
    daemon.setSetting("run_dir=" + run + "/vms");
    daemon.start();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    struct stat st{};
    ASSERT_EQ(::stat(run.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0077, 0011u) << "others may pass through, not list";
    auto admin = daemon.client();
    const std::string vm = daemon.vmName("layout");
    daemon.createVm(*admin, vm);
    auto started = admin->call("vm.start", {{"name", vm}});
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_EQ(virshDomstate(vm), "running");
    EXPECT_EQ(::stat((run + "/vms/" + vm + "/vnc.sock").c_str(), &st), 0) << "QEMU made its display socket";
}

TEST_F(HardeningTest, VmCreateTakesImagesOnlyFromTheImageDirectory) {
    const std::string name = daemon.vmName("shadow");
    for (const std::string key : {"disk", "kernel", "initrd"}) {
        Json args{{"name", name}, {key, "/etc/shadow"}};
        if (key == "initrd") args["kernel"] = imageDir() + "/vmlinuz";
        auto r = admin->call("vm.create", args);
        ASSERT_FALSE(r) << key;
        EXPECT_EQ(r.error().cls, ErrorClass::PermissionDenied) << key << ": " << r.error().message;
        EXPECT_NE(r.error().message.find("outside the image directory"), std::string::npos) << r.error().message;
    }
    // A link inside the image directory that points outside is followed before the check.
    const std::string link = imageDir() + "/test-link-" + std::to_string(::getpid());
    ASSERT_EQ(::symlink("/etc/shadow", link.c_str()), 0);
    auto r = admin->call("vm.create", {{"name", name}, {"disk", link}});
    ::unlink(link.c_str());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().cls, ErrorClass::PermissionDenied) << r.error().message;
    EXPECT_EQ(shell("virsh -c qemu:///system domstate " + name), "") << "nothing was defined";

    // A VMS image is named, not given by path: a name that climbs out, or an image that is not
    // there, is refused before anything is created.
    for (const std::string image : {"../../etc", "vms-motion/../../etc", "/etc", "Vms-Motion"}) {
        auto bad = admin->call("vm.create", {{"name", name}, {"image", image}});
        ASSERT_FALSE(bad) << image;
        EXPECT_EQ(bad.error().cls, ErrorClass::InvalidArgument) << image << ": " << bad.error().message;
    }
    auto missing = admin->call("vm.create", {{"name", name}, {"image", "no-such-image"}});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("build it with images/vms-guest/build.sh"), std::string::npos)
        << missing.error().message;
    auto mixed = admin->call("vm.create", {{"name", name}, {"image", "vms-motion"}, {"kernel", imageDir() + "/vmlinuz"}});
    EXPECT_EQ(mixed ? "ok" : std::string(errorClassName(mixed.error().cls)), "InvalidArgument");
    EXPECT_EQ(shell("virsh -c qemu:///system domstate " + name), "") << "nothing was defined";
    EXPECT_FALSE(std::filesystem::exists(daemon.dir() + "/disks/" + name + ".qcow2")) << "no disk was made";
}

// A VM made from a VMS image runs as its own user: libvirt hands it its own disk and its own copy
// of kernel and initrd for the run, but never the image behind the disk, which every VM made from
// that image reads (a VM owning it could rewrite every other VM's disk).
TEST_F(HardeningTest, AVmMadeFromAnImageOwnsItsDiskButNeverTheImageBehindIt) {
    const std::string image = std::filesystem::path(imageDir()).parent_path().string() + "/vms-motion";
    if (!std::filesystem::exists(image + "/rootfs.qcow2")) GTEST_SKIP() << "no vms-motion image in " << image;
    const std::string name = daemon.vmName("own-disk");
    auto made = admin->call("vm.create", {{"name", name}, {"image", "vms-motion"}});
    ASSERT_TRUE(made) << made.error().message;
    auto started = admin->call("vm.start", {{"name", name}});
    ASSERT_TRUE(started) << started.error().message;
    const uint32_t uid = qemuIdOf(name);
    EXPECT_GE(uid, 65536u);
    const std::string disks = daemon.dir() + "/disks/" + name;
    EXPECT_EQ(shell("stat -c %u " + disks + ".qcow2"), std::to_string(uid)) << "its own disk is its QEMU's";
    EXPECT_EQ(shell("stat -c %u " + disks + ".vmlinuz"), std::to_string(uid));
    EXPECT_EQ(shell("stat -c %u:%g:%a " + image + "/rootfs.qcow2"), "0:0:644") << "the shared image stays root's";
    EXPECT_EQ(shell("stat -c %u:%g:%a " + image + "/vmlinuz"), "0:0:644");
    ASSERT_TRUE(admin->call("vm.destroy", {{"name", name}}));
    ASSERT_TRUE(admin->call("vm.delete", {{"name", name}}));
    EXPECT_FALSE(std::filesystem::exists(disks + ".vmlinuz")) << "its boot files go with it";
    EXPECT_FALSE(std::filesystem::exists(disks + ".initrd"));
}

// A disk left over from an earlier VM of the same name holds its recordings: a create that
// refuses to use it must not delete it on the way out (nor leave an id or directories behind).
TEST_F(HardeningTest, ACreateThatFindsALeftoverDiskRefusesAndKeepsIt) {
    const std::string image = std::filesystem::path(imageDir()).parent_path().string() + "/vms-motion";
    if (!std::filesystem::exists(image + "/rootfs.qcow2")) GTEST_SKIP() << "no vms-motion image in " << image;
    const std::string name = daemon.vmName("leftover");
    const std::string disk = daemon.dir() + "/disks/" + name + ".qcow2";
    std::filesystem::create_directories(daemon.dir() + "/disks");
    std::ofstream(disk) << "recordings of an earlier VM";
    auto made = admin->call("vm.create", {{"name", name}, {"image", "vms-motion"}});
    ASSERT_FALSE(made);
    EXPECT_EQ(made.error().cls, ErrorClass::Conflict) << made.error().message;
    std::ifstream in(disk);
    std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(kept, "recordings of an earlier VM") << "the failed create deleted a disk it did not make";
    EXPECT_FALSE(std::filesystem::exists(daemon.shareDir(name))) << "its share directory was left behind";
    std::filesystem::remove(disk);
}

TEST_F(HardeningTest, AHugeArgumentToAWriteVerbIsRedactedAndBoundedNotACrash) {
    // The old secret stripper (a recursive std::regex) overflowed the stack at 20,000 characters.
    std::string quoted;
    while (quoted.size() < 60000) quoted += "\\\"x";
    std::string frame = R"({"execute":"vm.set","arguments":{"name":"no-such-vm","description":")" + quoted +
                        R"(","password":"hunter2"},"id":"huge"})" "\n";
    ASSERT_TRUE(admin->sendRaw(frame));
    auto answer = admin->call("server.status");
    EXPECT_TRUE(answer) << "applianced must survive: " << daemon.log();
    EXPECT_TRUE(daemon.running());
    auto audit = admin->call("audit.list", {{"limit", 5}});
    ASSERT_TRUE(audit);
    bool found = false;
    for (const auto& e : *audit)
        if (e["action"] == "vm.set") {
            found = true;
            std::string args = e["arguments"].dump();
            EXPECT_EQ(args.find("hunter2"), std::string::npos) << "the password reached the audit log";
            EXPECT_LE(args.size(), 8192u) << "the audit entry is bounded";
        }
    EXPECT_TRUE(found) << audit->dump(2);
}

TEST_F(HardeningTest, AFloodOfRefusalsFromAGuestIsOneAuditRowWithACountAndTheListIsCapped) {
    startTwoVms();
    ASSERT_FALSE(HasFatalFailure());
    auto agentA = agentOf(a);
    const std::string verb = "<font size=7>BIG</font>";
    for (int i = 0; i < 15; ++i) {
        Json r = agentA->send({{"execute", verb}, {"id", i}});
        EXPECT_EQ(errorClass(r), "CommandNotFound") << r.dump();
    }
    auto audit = admin->call("audit.list", {{"limit", 500}});
    ASSERT_TRUE(audit);
    int rows = 0;
    int64_t repeats = 0;
    for (const auto& e : *audit)
        if (e["action"].get<std::string>().find("<font") != std::string::npos) {
            ++rows;
            repeats = e["repeats"];
        }
    EXPECT_EQ(rows, 1) << audit->dump(2);
    EXPECT_EQ(repeats, 15);
    auto tooMany = admin->call("audit.list", {{"limit", 10000}});
    ASSERT_FALSE(tooMany);
    EXPECT_EQ(tooMany.error().cls, ErrorClass::InvalidArgument);
}

// Connection limits need their own settings, so these tests start applianced themselves.
class ConnectionLimitsTest : public ::testing::Test {
protected:
    void startDaemon(std::vector<std::string> settings) {
        for (auto& s : settings) daemon.setSetting(s);
        daemon.start();
        ASSERT_FALSE(HasFatalFailure());
        admin = daemon.client();
    }
    // Opens `n` admin connections as nobody; returns how many were served and how many refused,
    // then holds them open until `hold` is closed by the parent.
    std::pair<int, int> openAsNobody(int n, int hold[2]) {
        const int holdFd = hold[0];
        const int parentEnd = hold[1];
        std::string out = runAs(kNobody, kNobody, {}, [&](int outFd) {
            ::close(parentEnd);  // else this process keeps its own wait from ending
            int served = 0, refused = 0;
            std::vector<int> fds;
            for (int i = 0; i < n; ++i) {
                int fd = connectUnix(daemon.socket());
                if (fd < 0) {
                    ++refused;
                    continue;
                }
                char buf[1024];
                pollfd p{fd, POLLIN, 0};
                ssize_t got = ::poll(&p, 1, 5000) > 0 ? ::read(fd, buf, sizeof buf) : 0;
                std::string line(buf, got > 0 ? size_t(got) : 0);
                if (line.find("greeting") != std::string::npos) ++served, fds.push_back(fd);
                else ++refused, ::close(fd);
            }
            writeAll(outFd, std::to_string(served) + " " + std::to_string(refused));
            ::close(outFd);
            char c;
            (void)::read(holdFd, &c, 1);  // until the parent is done
        });
        int served = 0, refused = 0;
        std::sscanf(out.c_str(), "%d %d", &served, &refused);
        return {served, refused};
    }
    ApplianceDaemon daemon;
    std::unique_ptr<LineClient> admin;
};

TEST_F(ConnectionLimitsTest, IdleViewersCannotLockAdministratorsOut) {
    startDaemon({"viewer_group=nogroup", "admin_max_clients=48", "admin_reserved_for_admins=8", "admin_max_per_user=30"});
    int hold[2];
    ASSERT_EQ(::pipe(hold), 0);
    // The child holds its connections while the parent checks root still gets in.
    std::pair<int, int> counts;
    std::thread viewer([&] { counts = openAsNobody(100, hold); });
    std::this_thread::sleep_for(std::chrono::seconds(1));
    bool rootServed = waitUntil([&] {
        auto c = daemon.client();
        return c && c->call("server.status");
    }, std::chrono::seconds(20));
    ::close(hold[1]);
    viewer.join();
    ::close(hold[0]);
    EXPECT_EQ(counts.first, 30) << "one user holds at most admin_max_per_user sessions";
    EXPECT_EQ(counts.second, 70);
    EXPECT_TRUE(rootServed) << "root must still get in";
}

TEST_F(ConnectionLimitsTest, AShareOfConnectionsIsKeptForAdministrators) {
    startDaemon({"viewer_group=nogroup", "admin_max_clients=24", "admin_reserved_for_admins=8", "admin_max_per_user=1000"});
    int hold[2];
    ASSERT_EQ(::pipe(hold), 0);
    std::pair<int, int> counts;
    std::thread viewer([&] { counts = openAsNobody(60, hold); });
    // Wait until the viewer has filled its share, then check administrators still get in.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    std::vector<std::unique_ptr<LineClient>> roots;
    for (int i = 0; i < 6; ++i) roots.push_back(daemon.client());
    bool allServed = true;
    for (auto& r : roots) allServed &= r && bool(r->call("server.status"));
    ::close(hold[1]);
    viewer.join();
    ::close(hold[0]);
    EXPECT_EQ(counts.first, 24 - 8 - 1) << "viewers stop where the administrators' share begins (root holds 1)";
    EXPECT_TRUE(allServed);
}

TEST_F(ConnectionLimitsTest, SilentTcpPeersTimeOutAndCannotKeepARealAgentOut) {
    startDaemon({"agent_auth_timeout_ms=1500"});
    const std::string vm = daemon.vmName("limits");
    daemon.createVm(*admin, vm);
    ASSERT_TRUE(admin->call("vm.start", {{"name", vm}}));
    Json directory = daemon.directory(vm);
    int port = daemon.agentTcpPort(vm);
    ASSERT_GT(port, 0);

    // A peer that never starts TLS is dropped at the deadline.
    int lone = connectTcp(port);
    ASSERT_GE(lone, 0);
    EXPECT_TRUE(closedByServer(lone, 10000)) << "an idle unauthenticated peer must time out";
    ::close(lone);

    // 300 silent peers: the oldest are dropped to make room, so a real agent still gets in.
    std::vector<int> silent;
    for (int i = 0; i < 300; ++i) silent.push_back(connectTcp(port));
    RawTlsAgent agent(port);
    EXPECT_TRUE(agent.authenticate(vm, directory["secret"]));
    ASSERT_TRUE(admin->call("focus.set", {{"target", vm}}));
    Json r = agent.send({{"execute", "focus.request"}, {"arguments", {{"target", "admin-console"}}}, {"id", 1}});
    EXPECT_EQ(r.value("return", Json::object()).value("target", ""), "admin-console") << r.dump();
    int dropped = 0;
    for (int fd : silent) dropped += closedByServer(fd, 0) ? 1 : 0;
    for (int fd : silent) ::close(fd);
    EXPECT_GE(dropped, 300 - 64) << "at most 64 unauthenticated peers per source are kept";
    EXPECT_TRUE(daemon.running());
}

TEST_F(ConnectionLimitsTest, ATruncatedTlsKeyIsReplacedAtStartWithAClearLogLine) {
    startDaemon({});
    admin.reset();
    daemon.stop();
    const std::string key = daemon.dir() + "/tls/agent-key.pem";
    ASSERT_EQ(::truncate(key.c_str(), 20), 0);
    daemon.start();
    ASSERT_FALSE(HasFatalFailure()) << daemon.log();
    EXPECT_NE(daemon.log().find("making a new TLS identity"), std::string::npos) << daemon.log();
    EXPECT_GT(std::stoi(shell("stat -c %s " + key)), 100);
}

}  // namespace
}  // namespace appliance::test

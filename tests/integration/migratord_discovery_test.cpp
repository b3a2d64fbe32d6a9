// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord's WS-Discovery inventory against the real onvif-camera-sim, in the network
// namespace of onvif_tests (onvif_test.cpp makes it): cameras that answer are added by their
// ONVIF identity, those with credentials are probed, and a camera that comes back at another
// address is the same camera with its move noted. No applianced: discovery needs none.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/protocol.h"
#include "integration/camera_sim_process.h"
#include "integration/migratord_process.h"

namespace appliance::test {
namespace {

using Json = protocol::Json;

std::map<std::string, Json> camerasById(MigratorProcess& m) {
    std::map<std::string, Json> out;
    auto list = m.client()->call("cameras");
    EXPECT_TRUE(list) << list.error().message;
    if (list)
        for (const auto& c : *list) out[c.value("id", "")] = c;
    return out;
}

/// camera-migratord with its store in a directory of its own, removed at the end.
struct MigratorWithoutAppliance {
    static std::string makeDir() {
        char tmpl[] = "/tmp/migratord-discovery-XXXXXX";
        return ::mkdtemp(tmpl);
    }
    std::string dir = makeDir();
    MigratorProcess process{dir, {"appliance_socket=" + dir + "/no-applianced.sock"}};
    ~MigratorWithoutAppliance() {
        process.stop();
        std::filesystem::remove_all(dir);
    }
};

TEST(MigratordDiscoveryTest, DiscoveredCamerasAreAddedProbedWithCredentialsAndKeepTheirIdentityAtANewAddress) {
    MigratorWithoutAppliance m;
    MigratorProcess& migrator = m.process;
    ASSERT_TRUE(migrator.start()) << migrator.log();

    std::vector<Json> first;
    {
        CameraSimProcess sim({"--cameras", "3", "--name-prefix", "Lobby cam"});
        ASSERT_TRUE(sim.start()) << sim.errors();
        first = sim.cameras();
        auto found = migrator.client()->call("inventory.discover", {{"timeout_ms", 3000}}, 60000);
        ASSERT_TRUE(found) << found.error().message;
        EXPECT_EQ((*found)["found"], 3) << found->dump();
        EXPECT_EQ((*found)["added"], 3) << found->dump();
        EXPECT_EQ((*found)["probed"], 0) << "no credentials yet: " << found->dump();
        auto cams = camerasById(migrator);
        for (const auto& c : first) {
            const std::string id = c["endpoint_reference"];
            ASSERT_TRUE(cams.count(id)) << id << " was not added";
            EXPECT_EQ(cams[id].value("address", ""), "127.0.0.1") << cams[id].dump();
            EXPECT_EQ(cams[id].value("model", ""), "") << "not probed without credentials";
        }
        // Credentials for one camera: the next discovery asks it what it is.
        const std::string withCredentials = first[0]["endpoint_reference"];
        ASSERT_TRUE(migrator.client()->call("camera.credentials",
                                            {{"camera", withCredentials}, {"username", "admin"}, {"password", "admin"}}));
        int rc = -1;
        std::string out = migrator.cli("inventory discover --timeout 3000", &rc);
        EXPECT_EQ(rc, 0) << out;
        EXPECT_NE(out.find("3 cameras answered (0 new, 3 known, 1 probed"), std::string::npos) << out;
        cams = camerasById(migrator);
        EXPECT_FALSE(cams[withCredentials].value("model", "").empty()) << cams[withCredentials].dump();
        EXPECT_EQ(cams[withCredentials].value("manufacturer", ""), "Appliance Simulated Cameras");
        EXPECT_EQ(cams[first[1]["endpoint_reference"].get<std::string>()].value("model", ""), "");
    }
    // The same cameras (same names, so the same identities) now answer at 127.0.0.2: a DHCP move.
    CameraSimProcess moved({"--cameras", "3", "--name-prefix", "Lobby cam", "--host", "127.0.0.2"});
    ASSERT_TRUE(moved.start()) << moved.errors();
    ASSERT_EQ(moved.cameras()[0]["endpoint_reference"], first[0]["endpoint_reference"]);
    auto found = migrator.client()->call("inventory.discover", {{"address", "127.0.0.2"}, {"timeout_ms", 3000}}, 60000);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ((*found)["added"], 0) << "a moved camera is not a new one: " << found->dump();
    EXPECT_EQ((*found)["updated"], 3) << found->dump();
    auto cams = camerasById(migrator);
    EXPECT_EQ(cams.size(), 3u);
    EXPECT_EQ((*found)["probed"], 0) << "no password goes to a new address unconfirmed: " << found->dump();
    for (const auto& c : first) {
        const Json& cam = cams[c["endpoint_reference"].get<std::string>()];
        EXPECT_EQ(cam.value("address", ""), "127.0.0.2") << cam.dump();
        EXPECT_EQ(cam.value("previous_address", ""), "127.0.0.1") << "where it was is kept: " << cam.dump();
        EXPECT_EQ(cam.value("state", ""), "changed-address") << cam.dump();
        EXPECT_EQ(cam.value("device_url", ""), c.value("device_url", "")) << "changed without confirmation: " << cam.dump();
        EXPECT_NE(cam.value("detail", "").find("camera add"), std::string::npos) << cam.dump();
    }
    // Asked again, the same answer says the same thing (it does not pile up).
    const std::string detailBefore = cams[first[1]["endpoint_reference"].get<std::string>()].value("detail", "");
    ASSERT_TRUE(migrator.client()->call("inventory.discover", {{"address", "127.0.0.2"}, {"timeout_ms", 3000}}, 60000));
    EXPECT_EQ(camerasById(migrator)[first[1]["endpoint_reference"].get<std::string>()].value("detail", ""), detailBefore);
    // The administrator confirms the new address of the camera with credentials: it is asked again there.
    const std::string confirmed = first[0]["endpoint_reference"];
    ASSERT_TRUE(migrator.client()->call("camera.add", {{"camera", confirmed}, {"device_url", moved.cameras()[0]["device_url"]}}));
    found = migrator.client()->call("inventory.discover", {{"address", "127.0.0.2"}, {"timeout_ms", 3000}}, 60000);
    ASSERT_TRUE(found) << found.error().message;
    EXPECT_EQ((*found)["probed"], 1) << found->dump();
    cams = camerasById(migrator);
    EXPECT_EQ(cams[confirmed].value("device_url", ""), moved.cameras()[0].value("device_url", ""));
    EXPECT_NE(cams[confirmed].value("state", ""), "changed-address") << "confirmed: " << cams[confirmed].dump();

    // Bad input: clear errors, nothing changed.
    for (const Json& args : {Json{{"interface", "eth0"}}, Json{{"address", "camera.example"}}, Json{{"timeout_ms", 5}},
                             Json{{"bogus", 1}}}) {
        auto refused = migrator.client()->call("inventory.discover", args);
        ASSERT_FALSE(refused) << args.dump();
        EXPECT_EQ(refused.error().cls, ErrorClass::InvalidArgument) << args.dump() << ": " << refused.error().message;
    }
    EXPECT_EQ(camerasById(migrator).size(), 3u);
}

/// A camera network behind a route, as the demo's: a network namespace of its own at
/// 198.18.77.2/30, reached from the test's namespace through a veth pair (198.18.77.1), with its
/// WS-Discovery multicast on its own loopback. The namespace has no name: a child process holds
/// it and dies with the test (even a crashed one), and the veth pair goes with it.
class RoutedCameraNetwork {
public:
    RoutedCameraNetwork() {
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) != 0) return;
        m_holder = fork();
        if (m_holder == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            char ok = unshare(CLONE_NEWNET) == 0 ? 1 : 0;
            (void)!write(ready[1], &ok, 1);
            for (;;) pause();
        }
        close(ready[1]);
        char ok = 0;
        const bool held = m_holder > 0 && read(ready[0], &ok, 1) == 1 && ok == 1;
        close(ready[0]);
        if (!held) return;
        const std::string pid = std::to_string(m_holder), in = "nsenter --net=" + path() + " ";
        m_ready = std::system(("ip link add apd" + pid + "a type veth peer name apd" + pid + "b && ip link set apd" + pid +
                               "b netns " + pid + " && ip addr add 198.18.77.1/30 dev apd" + pid + "a && ip link set apd" +
                               pid + "a up && " + in + "ip link set lo up && " + in + "ip addr add 198.18.77.2/30 dev apd" +
                               pid + "b && " + in + "ip link set apd" + pid + "b up && " + in +
                               "ip link set lo multicast on && " + in + "ip route add 239.0.0.0/8 dev lo")
                                  .c_str()) == 0;
    }
    ~RoutedCameraNetwork() {
        if (m_holder <= 0) return;
        kill(m_holder, SIGKILL);
        waitpid(m_holder, nullptr, 0);
    }
    bool ready() const { return m_ready; }
    std::string path() const { return "/proc/" + std::to_string(m_holder) + "/ns/net"; }

private:
    pid_t m_holder = -1;
    bool m_ready = false;
};

TEST(MigratordDiscoveryTest, CamerasBehindARouteAreFoundByAProbeToTheirAddress) {
    RoutedCameraNetwork net;
    ASSERT_TRUE(net.ready()) << "cannot make the camera network (root and iproute2 needed)";
    MigratorWithoutAppliance m;
    MigratorProcess& migrator = m.process;
    ASSERT_TRUE(migrator.start()) << migrator.log();
    CameraSimProcess sim({"--cameras", "2", "--name-prefix", "Yard cam", "--host", "198.18.77.2", "--interface", "127.0.0.1"});
    sim.runInNetworkNamespace(net.path());
    ASSERT_TRUE(sim.start()) << sim.errors();

    // The probe leaves by the route to the cameras, not from 127.0.0.1 (which reaches only
    // loopback), and the cameras answer from their own address, not from their multicast interface.
    int rc = -1;
    std::string out = migrator.cli("inventory discover --address 198.18.77.2 --timeout 3000", &rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("2 cameras answered (2 new"), std::string::npos) << out;
    auto cams = camerasById(migrator);
    for (const auto& c : sim.cameras()) {
        const std::string id = c["endpoint_reference"];
        ASSERT_TRUE(cams.count(id)) << id << " was not added: " << out;
        EXPECT_EQ(cams[id].value("address", ""), "198.18.77.2") << cams[id].dump();
    }
}

}  // namespace
}  // namespace appliance::test

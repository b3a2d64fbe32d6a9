// SPDX-License-Identifier: GPL-2.0-or-later
// The migration tests' fixture: five cameras recorded by the real ZoneMinder guest, camera-migratord
// driving applianced; shared by the CI tests (migration_guest_test.cpp) and the benchmarks
// (migration_bench_test.cpp, a suite of its own that sets up the same way).
#pragma once

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <pwd.h>
#include <set>
#include <thread>

#include "integration/migratord_process.h"
#include "integration/peer_sockets.h"
#include "integration/vms_guests_env.h"
#include "migration/migration_store.h"

namespace appliance::test {

class MigrationTest : public ::testing::Test {
protected:
    static inline std::unique_ptr<CameraSimProcess> moving, dying;
    static inline std::unique_ptr<MigratorProcess> migrator;
    static inline std::string dir;

    static ApplianceDaemon& daemon() { return *VmsGuests::self->daemon; }
    static LineClient& admin() { return *VmsGuests::self->admin; }
    static std::string vm(const std::string& product) { return VmsGuests::self->vm(product); }
    static std::string legacy() { return vm("zoneminder"); }
    static std::string target() { return vm("motion"); }

    // Five cameras recorded by the legacy VMS (ZoneMinder) with their ONVIF identities, as a site
    // has them before the migration: four in one simulator, one in its own (to freeze it).
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/migration-test-XXXXXX";
        dir = ::mkdtemp(tmpl);
        ::chmod(dir.c_str(), 0711);  // a local user reaches the socket and is refused by the daemon itself
        moving = std::make_unique<CameraSimProcess>(
            std::vector<std::string>{"--cameras", "4", "--no-discovery", "--sub", "320x180@5", "--name-prefix", "Moving cam"});
        dying = std::make_unique<CameraSimProcess>(
            std::vector<std::string>{"--cameras", "1", "--no-discovery", "--sub", "320x180@5", "--name-prefix", "Freezing cam"});
        ASSERT_TRUE(moving->start()) << moving->errors();
        ASSERT_TRUE(dying->start()) << dying->errors();
        std::vector<Json> all = moving->cameras();
        all.push_back(dying->cameras().at(0));
        VmsGuests::self->recordIn("zoneminder", all);
        ASSERT_FALSE(HasFatalFailure());
        migrator = std::make_unique<MigratorProcess>(dir, std::vector<std::string>{
            "appliance_socket=" + daemon().socket(), "verify_timeout_s=90", "restore_timeout_s=300", "poll_interval_ms=2000"});
        ASSERT_TRUE(migrator->start()) << migrator->log();
        auto c = migrator->client();
        ASSERT_TRUE(c);
        auto inv = c->call("inventory.refresh", Json::object(), 600000);
        ASSERT_TRUE(inv) << inv.error().message;
        EXPECT_GE(inv->value("imported", 0), 5) << inv->dump();
        for (const auto& cam : all) {
            auto k = c->call("camera.credentials", {{"camera", cam["endpoint_reference"]}, {"username", "admin"}, {"password", "admin"}});
            ASSERT_TRUE(k) << k.error().message;
        }
    }
    static void TearDownTestSuite() {
        if (migrator) {
            const std::string log = migrator->log();  // its end: what the last test saw
            std::printf("camera-migratord's log:\n%s\n", log.substr(log.size() > 20000 ? log.size() - 20000 : 0).c_str());
        }
        migrator.reset();
        std::set<std::string> ours;
        for (const auto* sim : {moving.get(), dying.get()})
            if (sim)
                for (const auto& c : sim->cameras()) ours.insert(c["endpoint_reference"].get<std::string>());
        VmsGuests::self->removeFromBoth(ours);
        moving.reset();
        dying.reset();
        std::filesystem::remove_all(dir);
    }

    /// Which camera ids (ONVIF identities) `product`'s VMS has now.
    static std::map<std::string, Json> camerasIn(const std::string& product) {
        std::map<std::string, Json> out;
        auto r = admin().call("vms.cameras", {{"name", vm(product)}}, 90000);
        EXPECT_TRUE(r) << r.error().message;
        if (r)
            for (const auto& c : (*r)["cameras"]) out[c.value("onvif_id", "")] = c;
        return out;
    }
    static Result<Json> plan(const std::vector<std::string>& cameras) {
        auto c = migrator->client();
        return c->call("plan.create", {{"source", legacy()}, {"target", target()}, {"cameras", cameras}});
    }
    /// The plan's status once `pred` holds (polling), or the last one after `limit`.
    static Json waitPlan(int64_t id, const std::function<bool(const Json&)>& pred, std::chrono::minutes limit) {
        Json last;
        waitUntil([&] {
            auto c = migrator->client();
            if (!c) return false;
            auto s = c->call("status", {{"plan", id}});
            if (s) last = *s;
            return s && pred(*s);
        }, limit);
        return last;
    }
    struct SessionLimitedMove {
        Json item = Json::object(), journal = Json::array();
        double cutoverS = 0;
    };
    static SessionLimitedMove moveASessionLimitedCamera(int maxSessions, const std::string& expectedMode, bool thenBack);
    static bool allItems(const Json& plan, const std::string& state) {
        for (const auto& i : plan["items"])
            if (i.value("state", "") != state) return false;
        return !plan["items"].empty();
    }
    /// One camera's item in a plan's status (empty if it is not there).
    static Json itemOf(const Json& plan, const std::string& camera) {
        for (const auto& i : plan["items"])
            if (i["camera"] == camera) return i;
        return Json::object();
    }
    /// The VM camera-migratord has the camera assigned to ("" if none).
    static std::string assignedVm(const std::string& camera) {
        auto a = migrator->client()->call("assignments");
        if (a)
            for (const auto& as : *a)
                if (as["camera"] == camera) return as.value("vm", "");
        return "";
    }
    /// The migration events of one camera, until `until` holds for one (or `limit` passes): its
    /// body, or null.
    static Json waitCameraEvent(LineClient& events, const std::string& camera,
                                const std::function<bool(const std::string& name, const Json& body)>& until,
                                std::chrono::minutes limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            auto e = events.nextEvent(5000);
            if (!e && e.error().cls != ErrorClass::Timeout) return nullptr;  // the connection closed
            if (e && e->body.value("camera", "") == camera && until(e->name, e->body)) return e->body;
        }
        return nullptr;
    }
};

}  // namespace appliance::test

// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord's admin verbs. Read verbs (cameras, vms, status, assignments, journal, audit)
// answer from the store; write verbs (inventory, camera registration and credentials, plans and
// per-camera controls) need the admin role and are audited (intent before, outcome after,
// passwords masked). Work that blocks on the VMSs or a camera runs on the background worker.
// Context: core thread.
#pragma once

#include <functional>
#include <map>

#include "admin/admin_server.h"
#include "migration/inventory.h"
#include "migration/migration_store.h"
#include "migration/snapshot_cache.h"

namespace appliance::migration {

class MigratorCommands {
public:
    using Reply = AdminServer::Reply;
    /// Runs `job` off the core thread and calls `reply` with its result on the core thread.
    using Background = std::function<void(std::function<Result<Json>()> job, Reply reply)>;

    MigratorCommands(MigrationStore& store, Inventory& inventory, SnapshotCache& snapshots, std::function<void()> wakeEngine,
                     Background background);
    void handle(const Caller& caller, const std::string& verb, const Json& args, Reply reply);

private:
    struct Verb {
        bool write = false;
        std::string help;
        std::function<void(const Caller&, const Json&, Reply)> run;
    };
    void add(const std::string& name, bool write, std::string help, std::function<void(const Caller&, const Json&, Reply)> run);
    void addReadVerbs();
    void addCameraVerbs();
    void addPlanVerbs();
    void addControlVerb(const std::string& verb, Control control, std::string help);
    /// What a plan would be: validated cameras in order, the room in the target and, past it,
    /// the proposed new instance. Shared by plan.create and plan.preview.
    struct Draft {
        std::string source, target, product;
        std::vector<std::string> cameras;
        int room = 0, used = 0, limit = 0;
        NewInstance extra;  ///< vm empty: everything fits in the target
        std::string roomText;
    };
    Result<Draft> draftPlan(const std::string& verb, const Json& args);
    /// A plan as `status` shows it: its items with camera names, progress, and the shutdown offer.
    Json planStatus(const Plan& plan);
    AuditRecord auditRecord(const Caller& caller, const std::string& verb, const Json& args) const;

    MigrationStore& m_store;
    Inventory& m_inventory;
    SnapshotCache& m_snapshots;
    std::function<void()> m_wake;
    Background m_background;
    std::map<std::string, Verb> m_verbs;
};

}  // namespace appliance::migration

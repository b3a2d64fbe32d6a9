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
#include "migration/camera_checks.h"
#include "migration/inventory.h"
#include "migration/migration_store.h"
#include "migration/snapshot_cache.h"
#include "migration/vms_gateway.h"

namespace appliance::migration {

/// Where the wizard's thumbnails come from: each camera's own ONVIF snapshot, and each VMS's own
/// picture of a camera it records (the proof that the new VMS shows it). Each cache fetches on
/// its own thread; `viewGateway` is used only on the thread of `vmsViews`.
struct PictureSources {
    SnapshotCache& cameras;
    CameraChecks& checks;
    SnapshotCache& vmsViews;
    VmsGateway& viewGateway;
};

class MigratorCommands {
public:
    using Reply = AdminServer::Reply;
    /// Runs `job` off the core thread and calls `reply` with its result on the core thread.
    using Background = std::function<void(std::function<Result<Json>()> job, Reply reply)>;

    /// `background` runs inventories and other requests that wait on the VMSs; `describe` runs
    /// the questions to cameras about what they are (describeCameras).
    MigratorCommands(MigrationStore& store, Inventory& inventory, PictureSources pictures, std::function<void()> wakeEngine,
                     Background background, Background describe);
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
    /// The id VM `vm`'s VMS has for the camera: from what the store knows the VMS has, else from
    /// a plan that attached the camera there (verified but not yet committed). "" if none.
    std::string vmsCameraIdOf(const std::string& vm, const std::string& cameraId);
    void cameraSnapshot(const Caller& caller, const Json& args, Reply reply);
    /// Asks each camera with an ONVIF address and credentials, but no model yet, what it is
    /// (model, manufacturer, firmware), in the background; nothing waits for it.
    void describeCameras(std::vector<std::string> ids);

    MigrationStore& m_store;
    Inventory& m_inventory;
    PictureSources m_pictures;
    std::function<void()> m_wake;
    Background m_background;
    Background m_describe;
    std::map<std::string, Verb> m_verbs;
};

}  // namespace appliance::migration

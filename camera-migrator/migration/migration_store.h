// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migratord's SQLite file (WAL, synchronous=FULL, numbered migrations, integrity check at
// open, 0600): cameras, their credentials, VMS instances and what each VMS has, assignments,
// plans, the per-camera step journal and the audit log. A camera's assignment changes only in the
// transaction that commits its move, so at every committed moment it names exactly one VMS.
// Context: any thread; each call holds the store's lock (the engine worker and the API share it).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/sqlite.h"
#include "migration/migration_types.h"

namespace appliance::migration {

class MigrationStore {
public:
    static Result<std::unique_ptr<MigrationStore>> open(const std::string& path);

    // Cameras
    Status putCamera(const CameraRecord& camera);
    /// Only what reconciliation found (a concurrent registration keeps its address and stream).
    Status setCameraState(const std::string& id, const std::string& state, const std::string& detail);
    Result<std::optional<CameraRecord>> camera(const std::string& id);
    Result<std::vector<CameraRecord>> cameras();
    /// What the camera at `deviceUrl` said it is, stored only if the camera still has that address
    /// and no model yet (a camera.add meanwhile wins). Whether it was stored.
    Result<bool> describeCamera(const std::string& id, const std::string& deviceUrl, const std::string& manufacturer,
                                const std::string& model, const std::string& firmware);
    Status setCredentials(const std::string& cameraId, const CameraCredentials& credentials);
    Result<std::optional<CameraCredentials>> credentials(const std::string& cameraId);

    // VMS instances and what each has
    Status putVms(const VmsInstance& vms);
    Result<std::optional<VmsInstance>> vms(const std::string& vm);
    Result<std::vector<VmsInstance>> vmsInstances();
    /// Replaces what the store knows `vm` has with the VMS's own list.
    Status replaceVmsCameras(const std::string& vm, const std::vector<VmsCamera>& cameras);
    Status putVmsCamera(const VmsCamera& camera);
    Status forgetVmsCamera(const std::string& vm, const std::string& cameraId);
    /// Every VMS camera; `vm` empty = of every VMS.
    Result<std::vector<VmsCamera>> vmsCameras(const std::string& vm = "");

    // Assignments
    Result<std::vector<Assignment>> assignments();
    Result<std::optional<Assignment>> assignment(const std::string& cameraId);
    /// For a camera found recording in a VMS and not yet assigned: assigns it there. An existing
    /// assignment is never changed here (only a committed move changes it).
    Status assignIfUnassigned(const std::string& cameraId, const std::string& vm);

    // Plans and their items
    struct PlannedCamera {
        std::string cameraId;
        std::string targetVm;  ///< empty: the plan's target
    };
    Result<int64_t> createPlan(const std::string& sourceVm, const std::string& targetVm,
                               const std::vector<PlannedCamera>& cameras, const std::string& createdBy,
                               const NewInstance& newInstance = {});
    Result<std::optional<Plan>> plan(int64_t id);
    Result<std::vector<Plan>> plans();
    Status setPlanState(int64_t id, PlanState state);
    Status putItem(const PlanItem& item);
    Status setControl(int64_t planId, const std::string& cameraId, Control control);
    /// The plan's state and the camera's pending control: what the engine checks between steps
    /// (one row, not the whole plan).
    Result<std::pair<PlanState, Control>> requests(int64_t planId, const std::string& cameraId);
    /// Clears the control if it is still `expected` (one asked meanwhile is kept); true if cleared.
    Result<bool> clearControl(int64_t planId, const std::string& cameraId, Control expected);

    // The step journal
    Result<int64_t> journalIntent(int64_t planId, const std::string& cameraId, Step step, const std::string& intentJson);
    Status journalOutcome(int64_t journalId, const std::string& outcome, const std::string& detail);
    /// Commits a move: the journal's outcome, the item and the camera's new assignment in one
    /// transaction, so a crash leaves either the old assignment or the new one, never neither.
    Status commitMove(int64_t journalId, const PlanItem& item, const std::string& newVm, const std::string& note = "");
    /// Journal rows of the plan (`cameraId` empty: every camera), oldest first.
    Result<std::vector<JournalEntry>> journal(int64_t planId, const std::string& cameraId = "");
    /// Rows whose outcome was never written: the daemon stopped between intent and outcome.
    Result<std::vector<JournalEntry>> inDoubt();

    // Audit
    Result<int64_t> audit(const AuditRecord& record);
    Status auditOutcome(int64_t id, const std::string& result, const std::string& detail);
    /// At start: entries whose outcome was never written (the daemon stopped mid-command) get
    /// `result` and `detail` instead of staying "in-progress" for ever. How many.
    Result<int64_t> markUnfinishedAudit(const std::string& result, const std::string& detail);
    Result<std::vector<AuditRecord>> auditLog(int limit);

    Result<std::string> integrityCheck();

private:
    explicit MigrationStore(std::unique_ptr<sqlite::Database> db) : m_db(std::move(db)) {}
    Result<std::vector<PlanItem>> itemsLocked(int64_t planId);
    Status putItemLocked(const PlanItem& item);
    std::mutex m_mutex;
    std::unique_ptr<sqlite::Database> m_db;
};

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/migration_store.h"

namespace appliance::migration {

namespace {

// Migration i brings the schema to user_version i+1. Never edit a shipped one; append.
const std::vector<std::string> kMigrations = {
    R"sql(
CREATE TABLE cameras (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '', manufacturer TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '',
    firmware TEXT NOT NULL DEFAULT '', address TEXT NOT NULL DEFAULT '', previous_address TEXT NOT NULL DEFAULT '',
    device_url TEXT NOT NULL DEFAULT '', stream_uri TEXT NOT NULL DEFAULT '',
    width INTEGER NOT NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0, fps INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'known', detail TEXT NOT NULL DEFAULT '',
    first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL);
CREATE TABLE credentials (
    camera_id TEXT PRIMARY KEY REFERENCES cameras(id) ON DELETE CASCADE,
    username TEXT NOT NULL, password TEXT NOT NULL);
CREATE TABLE vms_instances (
    vm TEXT PRIMARY KEY, product TEXT NOT NULL, version TEXT NOT NULL DEFAULT '',
    camera_limit INTEGER NOT NULL DEFAULT 0, cameras INTEGER NOT NULL DEFAULT 0,
    reachable INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '', seen_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE vms_cameras (
    vm TEXT NOT NULL, camera_id TEXT NOT NULL, vms_camera_id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',
    stream_uri TEXT NOT NULL DEFAULT '', receiving INTEGER NOT NULL DEFAULT 0, recording INTEGER NOT NULL DEFAULT 0,
    seen_ms INTEGER NOT NULL, PRIMARY KEY (vm, camera_id));
CREATE TABLE assignments (
    camera_id TEXT PRIMARY KEY REFERENCES cameras(id), vm TEXT NOT NULL,
    since_ms INTEGER NOT NULL, plan_id INTEGER NOT NULL DEFAULT 0);
CREATE TABLE plans (
    id INTEGER PRIMARY KEY, source_vm TEXT NOT NULL, target_vm TEXT NOT NULL, state TEXT NOT NULL,
    created_by TEXT NOT NULL, created_ms INTEGER NOT NULL, new_vm TEXT NOT NULL DEFAULT '',
    new_image TEXT NOT NULL DEFAULT '', new_memory_mib INTEGER NOT NULL DEFAULT 0);
CREATE TABLE plan_items (
    plan_id INTEGER NOT NULL REFERENCES plans(id), camera_id TEXT NOT NULL REFERENCES cameras(id),
    target_vm TEXT NOT NULL DEFAULT '', position INTEGER NOT NULL, state TEXT NOT NULL, step TEXT NOT NULL, mode TEXT NOT NULL DEFAULT '',
    control TEXT NOT NULL DEFAULT 'none', attempts INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '',
    source_vms_camera_id TEXT NOT NULL DEFAULT '', target_vms_camera_id TEXT NOT NULL DEFAULT '',
    reverse INTEGER NOT NULL DEFAULT 0, gap_ms INTEGER, target_first_ms INTEGER NOT NULL DEFAULT 0,
    source_last_ms INTEGER NOT NULL DEFAULT 0, skip_after_rollback INTEGER NOT NULL DEFAULT 0,
    started_ms INTEGER NOT NULL DEFAULT 0,
    finished_ms INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (plan_id, camera_id));
CREATE TABLE journal (
    id INTEGER PRIMARY KEY, plan_id INTEGER NOT NULL, camera_id TEXT NOT NULL, step TEXT NOT NULL,
    intent_ms INTEGER NOT NULL, intent TEXT NOT NULL, outcome TEXT, outcome_ms INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '');
CREATE INDEX journal_open ON journal(outcome) WHERE outcome IS NULL;
CREATE INDEX journal_camera ON journal(plan_id, camera_id);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, uid INTEGER, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL, arguments TEXT NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
)sql",
    // 2: where a recording gap was read from (the camera's clock in the recordings, or the VMSs' reports)
    "ALTER TABLE plan_items ADD COLUMN gap_from TEXT NOT NULL DEFAULT '';"
    "UPDATE plan_items SET gap_from = 'vms-reports' WHERE gap_ms IS NOT NULL;",  // every gap before it was one
    // 3: a camera that serves two sessions is probed after the source lets go
    "ALTER TABLE plan_items ADD COLUMN probe_after_detach INTEGER NOT NULL DEFAULT 0;",
};

using Lock = std::lock_guard<std::mutex>;

// Prepares `sql` or returns its error from the enclosing function.
#define PREPARE(st, sql)                \
    auto st##_r = m_db->prepare(sql);   \
    if (!st##_r) return st##_r.error(); \
    auto& st = *st##_r

// Steps a statement to its rows, calling `row` for each.
template <class F>
Status eachRow(sqlite::Statement& st, F&& row) {
    for (;;) {
        auto r = st.step();
        if (!r) return r.error();
        if (!*r) return okStatus();
        row(st);
    }
}

const char* kCameraColumns =
    "c.id, c.name, c.manufacturer, c.model, c.firmware, c.address, c.previous_address, c.device_url, c.stream_uri, "
    "c.width, c.height, c.fps, c.state, c.detail, c.first_seen_ms, c.last_seen_ms, "
    "(SELECT COUNT(*) FROM credentials k WHERE k.camera_id = c.id)";

CameraRecord readCamera(const sqlite::Statement& st) {
    CameraRecord c;
    c.id = st.columnText(0), c.name = st.columnText(1), c.manufacturer = st.columnText(2), c.model = st.columnText(3);
    c.firmware = st.columnText(4), c.address = st.columnText(5), c.previousAddress = st.columnText(6);
    c.deviceUrl = st.columnText(7), c.streamUri = st.columnText(8);
    c.width = int(st.columnInt(9)), c.height = int(st.columnInt(10)), c.fps = int(st.columnInt(11));
    c.state = st.columnText(12), c.detail = st.columnText(13);
    c.firstSeenMs = st.columnInt(14), c.lastSeenMs = st.columnInt(15), c.hasCredentials = st.columnInt(16) > 0;
    return c;
}

const char* kItemColumns =
    "plan_id, camera_id, position, state, step, mode, control, attempts, reason, source_vms_camera_id, "
    "target_vms_camera_id, reverse, gap_ms, started_ms, finished_ms, target_first_ms, source_last_ms, target_vm, skip_after_rollback, gap_from, "
    "probe_after_detach";

PlanItem readItem(const sqlite::Statement& st) {
    PlanItem i;
    i.planId = st.columnInt(0), i.cameraId = st.columnText(1), i.position = int(st.columnInt(2));
    i.state = itemStateFromName(st.columnText(3)), i.step = stepFromName(st.columnText(4));
    i.mode = st.columnText(5), i.control = controlFromName(st.columnText(6)), i.attempts = int(st.columnInt(7));
    i.reason = st.columnText(8), i.sourceVmsCameraId = st.columnText(9), i.targetVmsCameraId = st.columnText(10);
    i.reverse = st.columnInt(11) != 0;
    if (!st.columnIsNull(12)) i.gapMs = st.columnInt(12);
    i.startedMs = st.columnInt(13), i.finishedMs = st.columnInt(14);
    i.targetFirstMs = st.columnInt(15), i.sourceLastMs = st.columnInt(16), i.targetVm = st.columnText(17);
    i.skipAfterRollback = st.columnInt(18) != 0;
    i.gapFrom = st.columnText(19);
    i.probeAfterDetach = st.columnInt(20) != 0;
    return i;
}

const char* kJournalColumns = "id, plan_id, camera_id, step, intent_ms, intent, outcome, outcome_ms, detail";

JournalEntry readJournal(const sqlite::Statement& st) {
    JournalEntry j;
    j.id = st.columnInt(0), j.planId = st.columnInt(1), j.cameraId = st.columnText(2);
    j.step = stepFromName(st.columnText(3)), j.intentMs = st.columnInt(4), j.intent = st.columnText(5);
    if (!st.columnIsNull(6)) j.outcome = st.columnText(6);
    j.outcomeMs = st.columnInt(7), j.detail = st.columnText(8);
    return j;
}

}  // namespace

Result<std::unique_ptr<MigrationStore>> MigrationStore::open(const std::string& path) {
    auto db = sqlite::Database::open(path, kMigrations);
    if (!db) return db.error();
    return std::unique_ptr<MigrationStore>(new MigrationStore(std::move(*db)));
}

Result<bool> MigrationStore::describeCamera(const std::string& id, const std::string& deviceUrl, const std::string& manufacturer,
                                            const std::string& model, const std::string& firmware) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE cameras SET manufacturer = ?3, model = ?4, firmware = ?5 "
                "WHERE id = ?1 AND device_url = ?2 AND model = ''");
    st.bind(1, id).bind(2, deviceUrl).bind(3, manufacturer).bind(4, model).bind(5, firmware);
    if (auto s = st.run(); !s) return s.error();
    return m_db->changes() > 0;
}

Status MigrationStore::putCamera(const CameraRecord& c) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT INTO cameras (id, name, manufacturer, model, firmware, address, previous_address, device_url, "
                "stream_uri, width, height, fps, state, detail, first_seen_ms, last_seen_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
                "ON CONFLICT(id) DO UPDATE SET name=?2, manufacturer=?3, model=?4, firmware=?5, address=?6, "
                "previous_address=?7, device_url=?8, stream_uri=?9, width=?10, height=?11, fps=?12, state=?13, "
                "detail=?14, last_seen_ms=?16");
    const int64_t now = nowMs();
    st.bind(1, c.id).bind(2, c.name).bind(3, c.manufacturer).bind(4, c.model).bind(5, c.firmware);
    st.bind(6, c.address).bind(7, c.previousAddress).bind(8, c.deviceUrl).bind(9, c.streamUri);
    st.bind(10, int64_t(c.width)).bind(11, int64_t(c.height)).bind(12, int64_t(c.fps));
    st.bind(13, c.state.empty() ? std::string("known") : c.state).bind(14, c.detail);
    st.bind(15, c.firstSeenMs ? c.firstSeenMs : now).bind(16, c.lastSeenMs ? c.lastSeenMs : now);
    return st.run();
}

Status MigrationStore::setCameraState(const std::string& id, const std::string& state, const std::string& detail) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE cameras SET state = ?2, detail = ?3 WHERE id = ?1");
    st.bind(1, id).bind(2, state).bind(3, detail);
    return st.run();
}

Result<std::optional<CameraRecord>> MigrationStore::camera(const std::string& id) {
    Lock lock(m_mutex);
    PREPARE(st, std::string("SELECT ") + kCameraColumns + " FROM cameras c WHERE c.id = ?1");
    st.bind(1, id);
    std::optional<CameraRecord> out;
    if (auto s = eachRow(st, [&](auto& row) { out = readCamera(row); }); !s) return s.error();
    return out;
}

Result<std::vector<CameraRecord>> MigrationStore::cameras() {
    Lock lock(m_mutex);
    PREPARE(st, std::string("SELECT ") + kCameraColumns + " FROM cameras c ORDER BY c.name, c.id");
    std::vector<CameraRecord> out;
    if (auto s = eachRow(st, [&](auto& row) { out.push_back(readCamera(row)); }); !s) return s.error();
    return out;
}

Status MigrationStore::setCredentials(const std::string& cameraId, const CameraCredentials& k) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT INTO credentials (camera_id, username, password) VALUES (?1, ?2, ?3) "
                "ON CONFLICT(camera_id) DO UPDATE SET username=?2, password=?3");
    st.bind(1, cameraId).bind(2, k.username).bind(3, k.password);
    return st.run();
}

Result<std::optional<CameraCredentials>> MigrationStore::credentials(const std::string& cameraId) {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT username, password FROM credentials WHERE camera_id = ?1");
    st.bind(1, cameraId);
    std::optional<CameraCredentials> out;
    if (auto s = eachRow(st, [&](auto& row) { out = CameraCredentials{row.columnText(0), row.columnText(1)}; }); !s)
        return s.error();
    return out;
}

Status MigrationStore::putVms(const VmsInstance& v) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT INTO vms_instances (vm, product, version, camera_limit, cameras, reachable, reason, seen_ms) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(vm) DO UPDATE SET product=?2, version=?3, "
                "camera_limit=?4, cameras=?5, reachable=?6, reason=?7, seen_ms=?8");
    st.bind(1, v.vm).bind(2, v.product).bind(3, v.version).bind(4, int64_t(v.cameraLimit)).bind(5, int64_t(v.cameras));
    st.bind(6, int64_t(v.reachable)).bind(7, v.reason).bind(8, v.seenMs ? v.seenMs : nowMs());
    return st.run();
}

namespace {
VmsInstance readVms(const sqlite::Statement& st) {
    VmsInstance v;
    v.vm = st.columnText(0), v.product = st.columnText(1), v.version = st.columnText(2);
    v.cameraLimit = int(st.columnInt(3)), v.cameras = int(st.columnInt(4)), v.reachable = st.columnInt(5) != 0;
    v.reason = st.columnText(6), v.seenMs = st.columnInt(7);
    return v;
}
const char* kVmsColumns = "vm, product, version, camera_limit, cameras, reachable, reason, seen_ms";
}  // namespace

Result<std::optional<VmsInstance>> MigrationStore::vms(const std::string& vm) {
    Lock lock(m_mutex);
    PREPARE(st, std::string("SELECT ") + kVmsColumns + " FROM vms_instances WHERE vm = ?1");
    st.bind(1, vm);
    std::optional<VmsInstance> out;
    if (auto s = eachRow(st, [&](auto& row) { out = readVms(row); }); !s) return s.error();
    return out;
}

Result<std::vector<VmsInstance>> MigrationStore::vmsInstances() {
    Lock lock(m_mutex);
    PREPARE(st, std::string("SELECT ") + kVmsColumns + " FROM vms_instances ORDER BY vm");
    std::vector<VmsInstance> out;
    if (auto s = eachRow(st, [&](auto& row) { out.push_back(readVms(row)); }); !s) return s.error();
    return out;
}

Status MigrationStore::replaceVmsCameras(const std::string& vm, const std::vector<VmsCamera>& cameras) {
    Lock lock(m_mutex);
    return m_db->transaction([&]() -> Status {
        PREPARE(del, "DELETE FROM vms_cameras WHERE vm = ?1");
        del.bind(1, vm);
        if (auto s = del.run(); !s) return s;
        PREPARE(ins, "INSERT OR REPLACE INTO vms_cameras (vm, camera_id, vms_camera_id, name, stream_uri, receiving, "
                     "recording, seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        for (const auto& c : cameras) {
            ins.reset();
            ins.bind(1, vm).bind(2, c.cameraId).bind(3, c.vmsCameraId).bind(4, c.name).bind(5, c.streamUri);
            ins.bind(6, int64_t(c.receiving)).bind(7, int64_t(c.recording)).bind(8, c.seenMs ? c.seenMs : nowMs());
            if (auto s = ins.run(); !s) return s;
        }
        return okStatus();
    });
}

Status MigrationStore::putVmsCamera(const VmsCamera& c) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT OR REPLACE INTO vms_cameras (vm, camera_id, vms_camera_id, name, stream_uri, receiving, "
                "recording, seen_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, c.vm).bind(2, c.cameraId).bind(3, c.vmsCameraId).bind(4, c.name).bind(5, c.streamUri);
    st.bind(6, int64_t(c.receiving)).bind(7, int64_t(c.recording)).bind(8, c.seenMs ? c.seenMs : nowMs());
    return st.run();
}

Status MigrationStore::forgetVmsCamera(const std::string& vm, const std::string& cameraId) {
    Lock lock(m_mutex);
    PREPARE(st, "DELETE FROM vms_cameras WHERE vm = ?1 AND camera_id = ?2");
    st.bind(1, vm).bind(2, cameraId);
    return st.run();
}

Result<std::vector<VmsCamera>> MigrationStore::vmsCameras(const std::string& vm) {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT vm, camera_id, vms_camera_id, name, stream_uri, receiving, recording, seen_ms FROM vms_cameras "
                "WHERE ?1 = '' OR vm = ?1 ORDER BY vm, camera_id");
    st.bind(1, vm);
    std::vector<VmsCamera> out;
    auto s = eachRow(st, [&](auto& r) {
        out.push_back({r.columnText(0), r.columnText(1), r.columnText(2), r.columnText(3), r.columnText(4),
                       r.columnInt(5) != 0, r.columnInt(6) != 0, r.columnInt(7)});
    });
    if (!s) return s.error();
    return out;
}

Result<std::vector<Assignment>> MigrationStore::assignments() {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT camera_id, vm, since_ms, plan_id FROM assignments ORDER BY camera_id");
    std::vector<Assignment> out;
    auto s = eachRow(st, [&](auto& r) { out.push_back({r.columnText(0), r.columnText(1), r.columnInt(2), r.columnInt(3)}); });
    if (!s) return s.error();
    return out;
}

Result<std::optional<Assignment>> MigrationStore::assignment(const std::string& cameraId) {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT camera_id, vm, since_ms, plan_id FROM assignments WHERE camera_id = ?1");
    st.bind(1, cameraId);
    std::optional<Assignment> out;
    auto s = eachRow(st, [&](auto& r) { out = Assignment{r.columnText(0), r.columnText(1), r.columnInt(2), r.columnInt(3)}; });
    if (!s) return s.error();
    return out;
}

Status MigrationStore::assignIfUnassigned(const std::string& cameraId, const std::string& vm) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT OR IGNORE INTO assignments (camera_id, vm, since_ms, plan_id) VALUES (?1, ?2, ?3, 0)");
    st.bind(1, cameraId).bind(2, vm).bind(3, nowMs());
    return st.run();
}

Result<int64_t> MigrationStore::createPlan(const std::string& sourceVm, const std::string& targetVm,
                                           const std::vector<PlannedCamera>& cameras, const std::string& createdBy,
                                           const NewInstance& newInstance) {
    Lock lock(m_mutex);
    int64_t id = 0;
    auto s = m_db->transaction([&]() -> Status {
        PREPARE(st, "INSERT INTO plans (source_vm, target_vm, state, created_by, created_ms, new_vm, new_image, "
                    "new_memory_mib) VALUES (?1, ?2, 'draft', ?3, ?4, ?5, ?6, ?7)");
        st.bind(1, sourceVm).bind(2, targetVm).bind(3, createdBy).bind(4, nowMs());
        st.bind(5, newInstance.vm).bind(6, newInstance.image).bind(7, int64_t(newInstance.memoryMib));
        if (auto r = st.run(); !r) return r;
        id = m_db->lastInsertId();
        int position = 0;
        for (const auto& cam : cameras) {
            PlanItem item;
            item.planId = id, item.position = position++, item.cameraId = cam.cameraId, item.targetVm = cam.targetVm;
            if (auto r = putItemLocked(item); !r) return r;
        }
        return okStatus();
    });
    if (!s) return s.error();
    return id;
}

Result<std::vector<PlanItem>> MigrationStore::itemsLocked(int64_t planId) {
    PREPARE(st, std::string("SELECT ") + kItemColumns + " FROM plan_items WHERE plan_id = ?1 ORDER BY position");
    st.bind(1, planId);
    std::vector<PlanItem> out;
    if (auto s = eachRow(st, [&](auto& r) { out.push_back(readItem(r)); }); !s) return s.error();
    return out;
}

Result<std::optional<Plan>> MigrationStore::plan(int64_t id) {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT id, source_vm, target_vm, state, created_by, created_ms, new_vm, new_image, new_memory_mib "
                "FROM plans WHERE id = ?1");
    st.bind(1, id);
    std::optional<Plan> out;
    auto s = eachRow(st, [&](auto& r) {
        out = Plan{r.columnInt(0), r.columnText(1), r.columnText(2),
                   NewInstance{r.columnText(6), r.columnText(7), int(r.columnInt(8))}, planStateFromName(r.columnText(3)),
                   r.columnText(4), r.columnInt(5), {}};
    });
    if (!s) return s.error();
    if (out) {
        auto items = itemsLocked(id);
        if (!items) return items.error();
        out->items = std::move(*items);
    }
    return out;
}

Result<std::vector<Plan>> MigrationStore::plans() {
    std::vector<int64_t> ids;
    {
        Lock lock(m_mutex);
        PREPARE(st, "SELECT id FROM plans ORDER BY id");
        if (auto s = eachRow(st, [&](auto& r) { ids.push_back(r.columnInt(0)); }); !s) return s.error();
    }
    std::vector<Plan> out;
    for (int64_t id : ids) {
        auto p = plan(id);
        if (!p) return p.error();
        if (*p) out.push_back(std::move(**p));
    }
    return out;
}

Status MigrationStore::setPlanState(int64_t id, PlanState state) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE plans SET state = ?2 WHERE id = ?1");
    st.bind(1, id).bind(2, std::string(planStateName(state)));
    return st.run();
}

Status MigrationStore::putItemLocked(const PlanItem& i) {
    // The control column is the administrator's: only setControl/clearControl write it, so the
    // engine's copy of an item never overwrites a request made meanwhile.
    PREPARE(st, "INSERT INTO plan_items (plan_id, camera_id, position, state, step, mode, control, attempts, "
                "reason, source_vms_camera_id, target_vms_camera_id, reverse, gap_ms, started_ms, finished_ms, "
                "target_first_ms, source_last_ms, target_vm, skip_after_rollback, gap_from, probe_after_detach) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
                "ON CONFLICT(plan_id, camera_id) DO UPDATE SET position=?3, state=?4, step=?5, mode=?6, attempts=?8, "
                "reason=?9, source_vms_camera_id=?10, target_vms_camera_id=?11, reverse=?12, gap_ms=?13, "
                "started_ms=?14, finished_ms=?15, target_first_ms=?16, source_last_ms=?17, target_vm=?18, skip_after_rollback=?19, gap_from=?20, "
                "probe_after_detach=?21");
    st.bind(1, i.planId).bind(2, i.cameraId).bind(3, int64_t(i.position)).bind(4, std::string(itemStateName(i.state)));
    st.bind(5, std::string(stepName(i.step))).bind(6, i.mode).bind(7, std::string(controlName(i.control)));
    st.bind(8, int64_t(i.attempts)).bind(9, i.reason).bind(10, i.sourceVmsCameraId).bind(11, i.targetVmsCameraId);
    st.bind(12, int64_t(i.reverse)).bind(13, i.gapMs).bind(14, i.startedMs).bind(15, i.finishedMs);
    st.bind(16, i.targetFirstMs).bind(17, i.sourceLastMs).bind(18, i.targetVm).bind(19, int64_t(i.skipAfterRollback));
    st.bind(20, i.gapFrom).bind(21, int64_t(i.probeAfterDetach));
    return st.run();
}

Status MigrationStore::putItem(const PlanItem& item) {
    Lock lock(m_mutex);
    return putItemLocked(item);
}

Status MigrationStore::setControl(int64_t planId, const std::string& cameraId, Control control) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE plan_items SET control = ?3 WHERE plan_id = ?1 AND camera_id = ?2");
    st.bind(1, planId).bind(2, cameraId).bind(3, std::string(controlName(control)));
    return st.run();
}

Result<bool> MigrationStore::clearControl(int64_t planId, const std::string& cameraId, Control expected) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE plan_items SET control = 'none' WHERE plan_id = ?1 AND camera_id = ?2 AND control = ?3");
    st.bind(1, planId).bind(2, cameraId).bind(3, std::string(controlName(expected)));
    if (auto s = st.run(); !s) return s.error();
    return m_db->changes() > 0;
}

Result<int64_t> MigrationStore::journalIntent(int64_t planId, const std::string& cameraId, Step step,
                                              const std::string& intentJson) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT INTO journal (plan_id, camera_id, step, intent_ms, intent) VALUES (?1, ?2, ?3, ?4, ?5)");
    st.bind(1, planId).bind(2, cameraId).bind(3, std::string(stepName(step))).bind(4, nowMs()).bind(5, intentJson);
    if (auto s = st.run(); !s) return s.error();
    return m_db->lastInsertId();
}

Status MigrationStore::journalOutcome(int64_t journalId, const std::string& outcome, const std::string& detail) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE journal SET outcome = ?2, outcome_ms = ?3, detail = ?4 WHERE id = ?1");
    st.bind(1, journalId).bind(2, outcome).bind(3, nowMs()).bind(4, detail);
    return st.run();
}

Status MigrationStore::commitMove(int64_t journalId, const PlanItem& item, const std::string& newVm, const std::string& note) {
    Lock lock(m_mutex);
    return m_db->transaction([&]() -> Status {
        PREPARE(j, "UPDATE journal SET outcome = 'ok', outcome_ms = ?2, detail = ?3 WHERE id = ?1");
        j.bind(1, journalId).bind(2, nowMs()).bind(3, "assigned to VM '" + newVm + "'" + (note.empty() ? "" : "; " + note));
        if (auto s = j.run(); !s) return s;
        PREPARE(a, "INSERT INTO assignments (camera_id, vm, since_ms, plan_id) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT(camera_id) DO UPDATE SET vm = ?2, since_ms = ?3, plan_id = ?4");
        a.bind(1, item.cameraId).bind(2, newVm).bind(3, nowMs()).bind(4, item.planId);
        if (auto s = a.run(); !s) return s;
        return putItemLocked(item);
    });
}

Result<std::vector<JournalEntry>> MigrationStore::journal(int64_t planId, const std::string& cameraId) {
    Lock lock(m_mutex);
    PREPARE(st, std::string("SELECT ") + kJournalColumns +
                    " FROM journal WHERE plan_id = ?1 AND (?2 = '' OR camera_id = ?2) ORDER BY id");
    st.bind(1, planId).bind(2, cameraId);
    std::vector<JournalEntry> out;
    if (auto s = eachRow(st, [&](auto& r) { out.push_back(readJournal(r)); }); !s) return s.error();
    return out;
}

Result<std::vector<JournalEntry>> MigrationStore::inDoubt() {
    Lock lock(m_mutex);
    PREPARE(st, std::string("SELECT ") + kJournalColumns + " FROM journal WHERE outcome IS NULL ORDER BY id");
    std::vector<JournalEntry> out;
    if (auto s = eachRow(st, [&](auto& r) { out.push_back(readJournal(r)); }); !s) return s.error();
    return out;
}

Result<std::pair<PlanState, Control>> MigrationStore::requests(int64_t planId, const std::string& cameraId) {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT p.state, i.control FROM plans p JOIN plan_items i ON i.plan_id = p.id "
                "WHERE p.id = ?1 AND i.camera_id = ?2");
    st.bind(1, planId).bind(2, cameraId);
    std::pair<PlanState, Control> out{PlanState::Invalid, Control::None};
    auto s = eachRow(st, [&](auto& r) { out = {planStateFromName(r.columnText(0)), controlFromName(r.columnText(1))}; });
    if (!s) return s.error();
    return out;
}

Result<int64_t> MigrationStore::audit(const AuditRecord& a) {
    Lock lock(m_mutex);
    PREPARE(st, "INSERT INTO audit (time_ms, uid, actor, action, target, arguments, result, detail) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, a.timeMs ? a.timeMs : nowMs());
    if (a.uid >= 0) st.bind(2, a.uid);
    else st.bind(2, std::nullopt);
    st.bind(3, a.actor).bind(4, a.action).bind(5, a.target).bind(6, a.arguments).bind(7, a.result).bind(8, a.detail);
    if (auto s = st.run(); !s) return s.error();
    return m_db->lastInsertId();
}

Status MigrationStore::auditOutcome(int64_t id, const std::string& result, const std::string& detail) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE audit SET result = ?2, detail = ?3 WHERE id = ?1");
    st.bind(1, id).bind(2, result).bind(3, detail);
    return st.run();
}

Result<int64_t> MigrationStore::markUnfinishedAudit(const std::string& result, const std::string& detail) {
    Lock lock(m_mutex);
    PREPARE(st, "UPDATE audit SET result = ?1, detail = ?2 WHERE result = 'in-progress'");
    st.bind(1, result).bind(2, detail);
    if (auto s = st.run(); !s) return s.error();
    return m_db->changes();
}

Result<std::vector<AuditRecord>> MigrationStore::auditLog(int limit) {
    Lock lock(m_mutex);
    PREPARE(st, "SELECT id, time_ms, uid, actor, action, target, arguments, result, detail FROM audit "
                "ORDER BY id DESC LIMIT ?1");
    st.bind(1, int64_t(limit));
    std::vector<AuditRecord> out;
    auto s = eachRow(st, [&](auto& r) {
        out.push_back({r.columnInt(0), r.columnInt(1), r.columnIsNull(2) ? -1 : r.columnInt(2), r.columnText(3),
                       r.columnText(4), r.columnText(5), r.columnText(6), r.columnText(7), r.columnText(8)});
    });
    if (!s) return s.error();
    return out;
}

Result<std::string> MigrationStore::integrityCheck() {
    Lock lock(m_mutex);
    return m_db->integrityCheck();
}

}  // namespace appliance::migration

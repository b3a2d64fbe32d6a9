// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon/migratord_commands.h"

#include <arpa/inet.h>

#include <limits>
#include <set>

#include "admin/arguments.h"
#include "common/base64.h"
#include "common/logging.h"
#include "common/plain_text.h"
#include "common/redact.h"

namespace appliance::migration {

namespace {

// Every read verb answers from the store; a store that fails is an internal error with its text.
template <class T>
Result<Json> listJson(const Result<std::vector<T>>& rows) {
    if (!rows) return rows.error();
    Json out = Json::array();
    for (const auto& r : rows.value()) out.push_back(toJson(r));
    return out;
}

Error bad(const std::string& verb, const std::string& what) {
    return makeError(ErrorClass::InvalidArgument, verb + ": " + what);
}

Result<std::string> cameraArg(const std::string& verb, const Json& args, const char* key = "camera") {
    auto it = args.find(key);
    if (it == args.end() || !it->is_string()) return bad(verb, std::string("argument '") + key + "' (a camera's id) is required");
    std::string id = *it;
    if (!validCameraId(id)) return bad(verb, std::string("'") + key + "' is not a camera id (urn:uuid:... as ONVIF gives it)");
    return id;
}

bool isUnfinished(ItemState s) {
    return s != ItemState::Committed && s != ItemState::RolledBack && s != ItemState::Skipped;
}

}  // namespace

MigratorCommands::MigratorCommands(MigrationStore& store, Inventory& inventory, PictureSources pictures,
                                   std::function<void()> wakeEngine, Background background, Background describe)
    : m_store(store), m_inventory(inventory), m_pictures(pictures), m_wake(std::move(wakeEngine)),
      m_background(std::move(background)), m_describe(std::move(describe)) {
    add("help", false, "the commands and what they do", [this](const Caller&, const Json&, Reply reply) {
        Json out = Json::array();
        for (const auto& [name, v] : m_verbs) out.push_back({{"name", name}, {"write", v.write}, {"help", v.help}});
        out.push_back({{"name", "events.subscribe"}, {"write", false}, {"help", "receive migration events on this connection"}});
        reply(out);
    });
    addReadVerbs();
    addCameraVerbs();
    addPlanVerbs();
}

std::string MigratorCommands::vmsCameraIdOf(const std::string& vm, const std::string& cameraId) {
    if (auto known = m_store.vmsCameras(vm))
        for (const auto& c : *known)
            if (c.cameraId == cameraId && !c.vmsCameraId.empty()) return c.vmsCameraId;
    auto plans = m_store.plans();
    if (!plans) return "";
    for (auto p = plans->rbegin(); p != plans->rend(); ++p)
        for (const auto& item : p->items) {
            const std::string& target = item.targetVm.empty() ? p->targetVm : item.targetVm;
            // Only while the target holds it after verify: a rolled-back camera's id in that VMS
            // may since belong to another camera.
            const bool verified = item.state == ItemState::Committed ||
                                  ((item.state == ItemState::Running || item.state == ItemState::Paused) &&
                                   (item.step == Step::Detach || item.step == Step::VerifyDetached || item.step == Step::Commit));
            if (item.cameraId == cameraId && !item.reverse && target == vm && verified && !item.targetVmsCameraId.empty())
                return item.targetVmsCameraId;
        }
    return "";
}

void MigratorCommands::describeCameras(std::vector<std::string> ids) {
    // A camera imported from a VMS's list arrives with a name and a stream only; with its ONVIF
    // address and credentials it can say what it is. One job per camera on the describing worker:
    // a camera that never answers holds a stop for its own timeouts only. What a camera says is
    // data: bounded plain text.
    for (auto& id : ids) {
        auto cam = m_store.camera(id);
        if (!cam || !*cam || (*cam)->deviceUrl.empty() || !(*cam)->model.empty()) continue;
        m_describe([this, id, url = (*cam)->deviceUrl]() -> Result<Json> {
            auto k = m_store.credentials(id);
            if (!k) return k.error();
            if (!*k) return Json{{"described", false}};
            auto info = m_pictures.checks.onvifDevice(url, **k);
            if (!info) return info.error();
            auto stored = m_store.describeCamera(id, url, plainText(info->value("manufacturer", ""), 64),
                                                 plainText(info->value("model", ""), 64),
                                                 plainText(info->value("firmware_version", ""), 64));
            if (!stored) return stored.error();
            return Json{{"described", *stored}};
        }, [id](const Result<Json>& r) {
            if (!r) logging::get("migrator.daemon")->warn("camera {}: cannot read its model and firmware: {}", id, r.error().message);
        });
    }
}

void MigratorCommands::cameraSnapshot(const Caller& caller, const Json& args, Reply reply) {
    Arguments a("camera.snapshot", args);
    CHECK(a.onlyKeys({"camera", "vm"}));
    TRY(id, cameraArg("camera.snapshot", args));
    TRY(vm, a.string("vm", 64));
    auto cam = m_store.camera(id);
    if (!cam) return reply(cam.error());
    if (!*cam) return reply(makeError(ErrorClass::NotFound, "unknown camera '" + id + "'; `camera-migrator cameras` lists them"));
    Json out{{"camera", id}};
    SnapshotCache::Shot shot;
    std::string why;
    if (vm) {
        // A VMS's picture is an administrator's command in applianced (audited there): a viewer
        // here may not have camera-migratord ask it on their behalf.
        if (caller.role != Role::Admin)
            return reply(makeError(ErrorClass::PermissionDenied, "camera.snapshot with 'vm': a VMS's own picture is for "
                                                                 "administrators (members of the admin group)"));
        out["vm"] = *vm;
        const std::string vmsId = vmsCameraIdOf(*vm, id);
        if (vmsId.empty())
            return reply(makeError(ErrorClass::NotFound, "VM '" + plainText(*vm, 64) + "' does not record camera '" + id +
                                                             "' as far as camera-migratord knows; `camera-migrator cameras` "
                                                             "shows where each camera is"));
        VmsGateway& gateway = m_pictures.viewGateway;
        shot = m_pictures.vmsViews.get(*vm + "/" + vmsId, [&gateway, vm = *vm, vmsId] { return gateway.snapshot(vm, vmsId); });
        why = shot.error;
    } else {
        auto k = m_store.credentials(id);
        if (!k) return reply(k.error());
        SnapshotCache::Fetch fetch;
        if (!(*cam)->deviceUrl.empty())
            fetch = [&checks = m_pictures.checks, url = (*cam)->deviceUrl, k = k->value_or(CameraCredentials{})] {
                return checks.snapshot(url, k);
            };
        shot = m_pictures.cameras.get(id, std::move(fetch));
        why = (*cam)->deviceUrl.empty() ? "no ONVIF address is known for this camera; register it with "
                                          "`camera-migrator camera add ID --device-url URL`"
                                        : shot.error;
    }
    out["jpeg"] = shot.jpeg.empty() ? Json(nullptr) : Json(toBase64(shot.jpeg));
    out["taken"] = shot.jpeg.empty() ? Json(nullptr) : Json(double(shot.takenMs) / 1000.0);
    out["error"] = why;
    out["refreshing"] = shot.refreshing;
    reply(out);
}

void MigratorCommands::addReadVerbs() {
    add("cameras", false, "every camera with its identity, address, state and assignment", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("cameras", args).onlyKeys({}));
        auto cams = m_store.cameras();
        if (!cams) return reply(cams.error());
        auto held = m_store.vmsCameras();
        if (!held) return reply(held.error());
        Json out = Json::array();
        for (const auto& c : *cams) {
            Json j = toJson(c);
            auto a = m_store.assignment(c.id);
            j["assigned_to"] = a && *a ? Json((*a)->vm) : Json(nullptr);
            Json in = Json::array();
            for (const auto& h : *held)
                if (h.cameraId == c.id) in.push_back({{"vm", h.vm}, {"id", h.vmsCameraId}, {"recording", h.recording}});
            j["recorded_by"] = in;
            out.push_back(j);
        }
        reply(out);
    });
    add("vms", false, "the VMS instances with cameras used and their limit", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("vms", args).onlyKeys({}));
        reply(listJson(m_store.vmsInstances()));
    });
    add("assignments", false, "which VMS records each camera, as committed", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("assignments", args).onlyKeys({}));
        reply(listJson(m_store.assignments()));
    });
    add("plans", false, "every plan with its cameras", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("plans", args).onlyKeys({}));
        reply(listJson(m_store.plans()));
    });
    add("status", false, "a plan (the latest if none is named): each camera's state, step and gap", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("status", args);
        CHECK(a.onlyKeys({"plan"}));
        TRY(id, a.integer("plan", 1, std::numeric_limits<long long>::max()));
        int64_t planId = id.value_or(0);
        if (!planId) {
            auto all = m_store.plans();
            if (!all) return reply(all.error());
            if (all->empty()) return reply(makeError(ErrorClass::NotFound, "there is no plan yet; make one with `camera-migrator plan`"));
            planId = all->back().id;
        }
        auto p = m_store.plan(planId);
        if (!p) return reply(p.error());
        if (!*p) return reply(makeError(ErrorClass::NotFound, "there is no plan " + std::to_string(planId)));
        Json out = planStatus(**p);
        reply(out);
    });
    add("journal", false, "the step journal of a plan (one camera's if named)", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("journal", args);
        CHECK(a.onlyKeys({"plan", "camera"}));
        TRY(id, a.integer("plan", 1, std::numeric_limits<long long>::max()));
        if (!id) return reply(bad("journal", "argument 'plan' is required"));
        std::string camera;
        if (args.contains("camera")) {
            TRY(c, cameraArg("journal", args));
            camera = c;
        }
        reply(listJson(m_store.journal(*id, camera)));
    });
    add("audit", false, "who did what, newest first", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("audit", args);
        CHECK(a.onlyKeys({"limit"}));
        TRY(limit, a.integer("limit", 1, 10000));
        reply(listJson(m_store.auditLog(int(limit.value_or(100)))));
    });
}

void MigratorCommands::addCameraVerbs() {
    add("inventory.refresh", true, "ask every VMS for its cameras and reconcile", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("inventory.refresh", args).onlyKeys({}));
        m_background([this] { return m_inventory.refresh(); }, std::move(reply));
    });
    add("inventory.discover", true,
        "WS-Discovery: probe for ONVIF cameras (multicast from interface, default 127.0.0.1, or one address) and "
        "add or update them; probes those with credentials", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("inventory.discover", args);
        CHECK(a.onlyKeys({"interface", "address", "timeout_ms"}));
        TRY(interface, a.string("interface", 64));
        TRY(address, a.string("address", 64));
        TRY(timeout, a.integer("timeout_ms", 100, 60000));
        camera::DiscoveryOptions o;
        // Addresses only: they reach socket calls, and a name would be a DNS lookup.
        in_addr parsed{};
        for (const auto& given : {interface, address})
            if (given && ::inet_pton(AF_INET, given->c_str(), &parsed) != 1)
                return reply(makeError(ErrorClass::InvalidArgument, "inventory.discover: '" + plainText(*given, 64) +
                                                                        "' is not an IPv4 address"));
        if (interface) o.interfaceAddress = *interface;
        if (timeout) o.timeout = std::chrono::milliseconds(*timeout);
        o.maxDevices = 4096;
        m_background([this, o, direct = address.value_or("")] { return m_inventory.discover(o, direct, m_pictures.checks); },
                     std::move(reply));
    });
    add("camera.add", true, "register a camera (or update where it is): id, stream_uri, name, device_url", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("camera.add", args);
        CHECK(a.onlyKeys({"camera", "name", "stream_uri", "device_url", "width", "height", "fps"}));
        TRY(id, cameraArg("camera.add", args));
        TRY(name, a.string("name", 64));
        TRY(stream, a.string("stream_uri", 512));
        TRY(device, a.string("device_url", 512));
        TRY(width, a.integer("width", 16, 7680));
        TRY(height, a.integer("height", 16, 4320));
        TRY(fps, a.integer("fps", 1, 60));
        if (stream && !validStreamUri(*stream))
            return reply(bad("camera.add", "'stream_uri' must be rtsp://host[:port]/path without credentials "
                                           "(set those with camera.credentials)"));
        if (device && ((device->rfind("http://", 0) != 0 && device->rfind("https://", 0) != 0) ||
                       device->find('@') != std::string::npos))
            return reply(bad("camera.add", "'device_url' must be the camera's http(s):// ONVIF device service, without "
                                           "credentials (set those with camera.credentials)"));
        CameraRecord cam;
        cam.id = id, cam.name = name.value_or(""), cam.streamUri = stream.value_or(""), cam.deviceUrl = device.value_or("");
        cam.width = int(width.value_or(0)), cam.height = int(height.value_or(0)), cam.fps = int(fps.value_or(0));
        if (auto s = m_inventory.registerCamera(cam); !s) return reply(s.error());
        auto stored = m_store.camera(id);
        if (!stored || !*stored) return reply(makeError(ErrorClass::Internal, "the camera was not stored"));
        reply(toJson(**stored));
        describeCameras({id});
    });
    add("camera.snapshot", false, "the camera's latest picture (JPEG in base64) and when it was taken, from the camera, "
                                  "or with 'vm' as that VM's VMS shows it; refreshed in the background",
        [this](const Caller& caller, const Json& args, Reply reply) { cameraSnapshot(caller, args, std::move(reply)); });
    add("camera.credentials", true, "the user name and password the VMSs and the checks use for a camera (all=true: every camera without any)", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("camera.credentials", args);
        CHECK(a.onlyKeys({"camera", "all", "username", "password"}));
        TRY(all, a.boolean("all"));
        TRY(user, a.string("username", 64));
        TRY(password, a.string("password", 128));
        if (!user || !password) return reply(bad("camera.credentials", "give 'username' and 'password'"));
        std::vector<std::string> ids;
        if (all.value_or(false)) {
            if (args.contains("camera")) return reply(bad("camera.credentials", "give 'camera' or 'all', not both"));
            auto cams = m_store.cameras();
            if (!cams) return reply(cams.error());
            for (const auto& c : *cams)
                if (!c.hasCredentials) ids.push_back(c.id);
        } else {
            TRY(id, cameraArg("camera.credentials", args));
            auto cam = m_store.camera(id);
            if (!cam) return reply(cam.error());
            if (!*cam) return reply(makeError(ErrorClass::NotFound, "unknown camera '" + id + "'; `camera-migrator cameras` lists them"));
            ids.push_back(id);
        }
        for (const auto& id : ids)
            if (auto s = m_store.setCredentials(id, {*user, *password}); !s) return reply(s.error());
        reply(Json{{"cameras", ids}, {"has_credentials", true}});
        describeCameras(ids);
    });
}

void MigratorCommands::addPlanVerbs() {
    add("plan.create", true, "a plan moving cameras (or all) from one VMS instance to another, in the order given", [this](const Caller& caller, const Json& args, Reply reply) {
        CHECK(Arguments("plan.create", args).onlyKeys({"source", "target", "cameras", "all", "new_instance"}));
        TRY(newInstance, Arguments("plan.create", args).boolean("new_instance"));
        TRY(d, draftPlan("plan.create", args));
        if (!d.extra.vm.empty() && !newInstance.value_or(false))
            return reply(makeError(ErrorClass::Conflict, d.roomText + ". Proposed: a new " + d.product + " instance, VM '" + d.extra.vm +
                                                             "' from image '" + d.extra.image + "', for the other " +
                                                             std::to_string(d.cameras.size() - std::size_t(d.room)) +
                                                             "; confirm with new_instance=true (camera-migrator plan --new-instance)"));
        std::vector<MigrationStore::PlannedCamera> planned;
        for (std::size_t i = 0; i < d.cameras.size(); ++i) planned.push_back({d.cameras[i], int(i) < d.room ? "" : d.extra.vm});
        auto id = m_store.createPlan(d.source, d.target, planned, caller.user, d.extra);
        if (!id) return reply(id.error());
        auto p = m_store.plan(*id);
        if (!p || !*p) return reply(makeError(ErrorClass::Internal, "the plan was not stored"));
        reply(planStatus(**p));
    });
    // What plan.create would do, stored nowhere: the wizard's summary before Start.
    add("plan.preview", false, "what a plan would do (cameras, where each goes, a proposed new instance) without making it", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("plan.preview", args).onlyKeys({"source", "target", "cameras", "all"}));
        TRY(d, draftPlan("plan.preview", args));
        Json cams = Json::array();
        for (std::size_t i = 0; i < d.cameras.size(); ++i) {
            auto cam = m_store.camera(d.cameras[i]);
            cams.push_back({{"camera", d.cameras[i]}, {"name", cam && *cam ? (*cam)->name : ""},
                            {"target", int(i) < d.room ? d.target : d.extra.vm}});
        }
        reply(Json{{"source", d.source}, {"target", d.target}, {"cameras", cams}, {"room", d.room},
                   {"used", d.used}, {"limit", d.limit},
                   {"new_instance", d.extra.vm.empty() ? Json(nullptr)
                                                       : Json{{"vm", d.extra.vm}, {"image", d.extra.image},
                                                              {"memory_mib", d.extra.memoryMib},
                                                              {"cameras", d.cameras.size() - std::size_t(d.room)}}},
                   {"summary", d.roomText}});
    });
    auto planState = [this](const std::string& verb, std::set<PlanState> from, PlanState to) {
        return [this, verb, from, to](const Caller&, const Json& args, Reply reply) {
            Arguments a(verb, args);
            CHECK(a.onlyKeys({"plan"}));
            TRY(id, a.integer("plan", 1, std::numeric_limits<long long>::max()));
            if (!id) return reply(bad(verb, "argument 'plan' is required"));
            auto p = m_store.plan(*id);
            if (!p) return reply(p.error());
            if (!*p) return reply(makeError(ErrorClass::NotFound, "there is no plan " + std::to_string(*id)));
            if (!from.count((*p)->state))
                return reply(makeError(ErrorClass::Conflict, "plan " + std::to_string(*id) + " is " +
                                                                 planStateName((*p)->state) + "; '" + verb + "' does not apply"));
            if (auto s = m_store.setPlanState(*id, to); !s) return reply(s.error());
            m_wake();
            reply(Json{{"plan", *id}, {"state", planStateName(to)}});
        };
    };
    add("plan.start", true, "start a plan", planState("plan.start", {PlanState::Draft}, PlanState::Running));
    add("plan.pause", true, "pause a whole plan after the step running now", planState("plan.pause", {PlanState::Running}, PlanState::Paused));
    add("plan.resume", true, "resume a paused plan", planState("plan.resume", {PlanState::Paused}, PlanState::Running));
    addControlVerb("camera.pause", Control::Pause, "pause one camera of a plan after its current step");
    addControlVerb("camera.resume", Control::Resume, "resume a paused camera");
    addControlVerb("camera.skip", Control::Skip, "leave a camera where it was (rolled back if it had started)");
    addControlVerb("camera.retry", Control::Retry, "run a failed, rolled-back or skipped camera again");
    addControlVerb("camera.rollback", Control::Rollback, "move a camera back to its source (also after commit)");
}

void MigratorCommands::addControlVerb(const std::string& verb, Control control, std::string help) {
    add(verb, true, std::move(help), [this, verb, control](const Caller&, const Json& args, Reply reply) {
        Arguments a(verb, args);
        CHECK(a.onlyKeys({"plan", "camera"}));
        TRY(camera, cameraArg(verb, args));
        TRY(planArg, a.integer("plan", 1, std::numeric_limits<long long>::max()));
        auto plans = m_store.plans();
        if (!plans) return reply(plans.error());
        const Plan* plan = nullptr;
        const PlanItem* item = nullptr;
        for (const auto& p : *plans)  // the named plan, or the latest one with this camera
            for (const auto& i : p.items)
                if (i.cameraId == camera && (!planArg || p.id == *planArg)) plan = &p, item = &i;
        if (!item) return reply(makeError(ErrorClass::NotFound, "camera '" + camera + "' is in no plan" +
                                                                    (planArg ? " numbered " + std::to_string(*planArg) : std::string())));
        const ItemState s = item->state;
        bool fits = false;
        switch (control) {
        case Control::Pause: fits = s == ItemState::Pending || s == ItemState::Running || s == ItemState::RollingBack; break;
        case Control::Resume: fits = s == ItemState::Paused; break;
        case Control::Skip: fits = isUnfinished(s) && s != ItemState::RollingBack; break;
        case Control::Retry: fits = s == ItemState::Failed || s == ItemState::RolledBack || s == ItemState::Skipped; break;
        case Control::Rollback: fits = s != ItemState::RolledBack && s != ItemState::Skipped && s != ItemState::RollingBack; break;
        case Control::None: break;
        }
        if (fits && (control == Control::Retry || control == Control::Rollback))
            for (const auto& p : *plans)
                for (const auto& i : p.items)
                    if (p.id != plan->id && i.cameraId == camera && isUnfinished(i.state))
                        return reply(makeError(ErrorClass::Conflict, "camera '" + camera + "' is " + itemStateName(i.state) +
                                                                         " in plan " + std::to_string(p.id) +
                                                                         "; finish, skip or roll it back there first"));
        if (!fits)
            return reply(makeError(ErrorClass::Conflict, "camera '" + camera + "' is " + itemStateName(s) + " in plan " +
                                                             std::to_string(plan->id) + "; '" + verb + "' does not apply now"));
        if (auto st = m_store.setControl(plan->id, camera, control); !st) return reply(st.error());
        // A plan that finished runs again for a camera rolled back or retried after the fact.
        if (plan->state == PlanState::Done && (control == Control::Rollback || control == Control::Retry))
            (void)m_store.setPlanState(plan->id, PlanState::Running);
        m_wake();
        reply(Json{{"plan", plan->id}, {"camera", camera}, {"requested", controlName(control)}, {"state", itemStateName(s)}});
    });
}

Result<MigratorCommands::Draft> MigratorCommands::draftPlan(const std::string& verb, const Json& args) {
    Arguments a(verb, args);
    auto sourceArg = a.vmName("source");
    if (!sourceArg) return sourceArg.error();
    auto targetArg = a.vmName("target");
    if (!targetArg) return targetArg.error();
    auto all = a.boolean("all");
    if (!all) return all.error();
    const std::string source = *sourceArg, target = *targetArg;
    if (source == target)
        return bad(verb, "source and target are both '" + source + "'; a plan moves cameras to another VMS");
    for (const auto& vm : {source, target}) {
        auto v = m_store.vms(vm);
        if (!v) return v.error();
        if (!*v) return makeError(ErrorClass::NotFound, "VM '" + vm + "' is not a known VMS instance; "
                                                              "`camera-migrator vms` lists them (after `camera-migrator inventory`)");
    }
    auto assignments = m_store.assignments();
    if (!assignments) return assignments.error();
    std::vector<std::string> ids;
    if (all->value_or(false)) {
        if (args.contains("cameras")) return bad(verb, "give 'cameras' or 'all', not both");
        // In the order an administrator reads them: by name.
        auto cams = m_store.cameras();  // sorted by name
        if (!cams) return cams.error();
        for (const auto& c : *cams)
            for (const auto& as : *assignments)
                if (as.cameraId == c.id && as.vm == source) ids.push_back(c.id);
    } else {
        auto it = args.find("cameras");
        if (it == args.end() || !it->is_array() || it->empty() || it->size() > 10000)
            return bad(verb, "'cameras' must be a list of camera ids (or give all=true)");
        std::set<std::string> seen;
        for (const auto& c : *it) {
            if (!c.is_string() || !validCameraId(c)) return bad(verb, "'cameras' holds something that is not a camera id");
            if (!seen.insert(c).second) return bad(verb, "camera '" + c.get<std::string>() + "' is listed twice");
            ids.push_back(c);
        }
    }
    if (ids.empty()) return makeError(ErrorClass::NotFound, "VM '" + source + "' has no cameras assigned to move");
    for (const auto& id : ids) {
        auto cam = m_store.camera(id);
        if (!cam) return cam.error();
        if (!*cam) return makeError(ErrorClass::NotFound, "unknown camera '" + id + "'; `camera-migrator cameras` lists them");
        auto as = m_store.assignment(id);
        if (!as) return as.error();
        if (!*as || (*as)->vm != source)
            return makeError(ErrorClass::Conflict, "camera '" + (*cam)->name + "' (" + id + ") is " +
                                                             (*as ? "assigned to VM '" + (*as)->vm + "'" : std::string("not assigned")) +
                                                             ", not to VM '" + source + "'");
    }
    auto plans = m_store.plans();
    if (!plans) return plans.error();
    for (const auto& p : *plans)
        for (const auto& i : p.items)
            if (isUnfinished(i.state) && std::find(ids.begin(), ids.end(), i.cameraId) != ids.end())
                return makeError(ErrorClass::Conflict, "camera '" + i.cameraId + "' is still in plan " +
                                                                 std::to_string(p.id) + "; finish, skip or roll it back there first");
    // Past the target's camera limit, the rest goes to a new instance of the same VMS (the
    // patent's "another instance past a camera limit"), only when the administrator says so.
    auto t = m_store.vms(target);
    if (!t) return t.error();
    if (!(*t)->reachable)
        return makeError(ErrorClass::Unavailable, "the VMS in VM '" + target + "' did not answer at the last "
                                                        "inventory (" + (*t)->reason + "); run `camera-migrator inventory` "
                                                        "when it is up");
    const int room = std::max((*t)->cameraLimit - (*t)->cameras, 0);
    NewInstance extra;
    std::string roomText;
    if (int(ids.size()) > room) {
        std::string vm = target + "-2";
        for (int n = 3; n < 100; ++n) {
            auto known = m_store.vms(vm);
            if (!known || !*known) break;
            vm = target + "-" + std::to_string(n);
        }
        extra = {vm, "vms-" + (*t)->product, (*t)->product == "zoneminder" ? 1536 : 1024};
        roomText = "VM '" + target + "' has room for " + std::to_string(room) + " more cameras (" +
                                     std::to_string((*t)->cameras) + " of " + std::to_string((*t)->cameraLimit) +
                                     " used, as of the last inventory or move) and this plan moves " + std::to_string(ids.size());
        if (int(ids.size()) - room > (*t)->cameraLimit)
            return makeError(ErrorClass::Conflict, roomText + ", more than one new instance takes; plan fewer cameras");
    }
    Draft d;
    d.source = source, d.target = target, d.cameras = ids, d.room = room, d.extra = extra;
    d.used = (*t)->cameras, d.limit = (*t)->cameraLimit;
    d.roomText = roomText, d.product = (*t)->product;
    return d;
}

Json MigratorCommands::planStatus(const Plan& plan) {
    Json out = toJson(plan);
    int done = 0;
    for (auto& item : out["items"]) {
        auto cam = m_store.camera(item["camera"]);
        item["name"] = cam && *cam ? (*cam)->name : "";
        if (!isUnfinished(itemStateFromName(item["state"]))) ++done;
    }
    out["finished"] = done;
    out["total"] = plan.items.size();
    // Once the plan is done and the source records nothing any more, the legacy VM can go: the
    // offer is made here, the shutdown is the administrator's (appliancectl vm shutdown).
    bool sourceEmpty = plan.state == PlanState::Done;
    if (auto as = m_store.assignments(); as && sourceEmpty)
        for (const auto& x : *as) sourceEmpty = sourceEmpty && x.vm != plan.sourceVm;
    out["source_records_nothing"] = sourceEmpty;
    return out;
}

void MigratorCommands::add(const std::string& name, bool write, std::string help,
                           std::function<void(const Caller&, const Json&, Reply)> run) {
    m_verbs[name] = Verb{write, std::move(help), std::move(run)};
}

AuditRecord MigratorCommands::auditRecord(const Caller& caller, const std::string& verb, const Json& args) const {
    AuditRecord r;
    r.uid = int64_t(caller.uid), r.actor = caller.user.substr(0, 64), r.action = verb.substr(0, 64);
    if (args.is_object())
        for (const char* key : {"camera", "plan", "source"})
            if (auto it = args.find(key); it != args.end()) {
                r.target = it->dump().substr(0, 128);
                break;
            }
    r.arguments = redact::json(args).dump(-1, ' ', false, Json::error_handler_t::replace).substr(0, 4096);
    return r;
}

void MigratorCommands::handle(const Caller& caller, const std::string& verb, const Json& args, Reply reply) {
    auto it = m_verbs.find(verb);
    if (it == m_verbs.end())
        return reply(makeError(ErrorClass::CommandNotFound, "unknown command '" + verb.substr(0, 64) + "'; the command 'help' lists them"));
    if (!it->second.write) return it->second.run(caller, args, std::move(reply));
    AuditRecord record = auditRecord(caller, verb, args);
    if (caller.role != Role::Admin) {
        record.result = "denied", record.detail = "caller is not an administrator";
        (void)m_store.audit(record);
        return reply(makeError(ErrorClass::PermissionDenied, "'" + verb + "' changes the migration and needs administrator "
                                                             "rights; user '" + caller.user + "' may only read"));
    }
    record.result = "in-progress";
    auto entry = m_store.audit(record);
    const int64_t entryId = entry ? *entry : 0;
    it->second.run(caller, args, [this, entryId, reply = std::move(reply)](Result<Json> r) {
        if (entryId)
            (void)m_store.auditOutcome(entryId, r ? "ok" : std::string(errorClassName(r.error().cls)),
                                       r ? "" : r.error().message.substr(0, 1024));
        reply(std::move(r));
    });
}

}  // namespace appliance::migration

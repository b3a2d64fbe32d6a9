// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/migration_engine.h"

#include <algorithm>

#include "common/logging.h"

namespace appliance::migration {

namespace {

auto logger() { return logging::get("migrator.engine"); }

/// "20 minutes", "1 minute", or "90 s" for a time that is not whole minutes.
std::string spokenDuration(std::chrono::milliseconds d) {
    const auto s = d.count() / 1000;
    if (s < 60 || s % 60 != 0) return std::to_string(s) + " s";
    return std::to_string(s / 60) + (s == 60 ? " minute" : " minutes");
}

bool isFinal(ItemState s) { return s == ItemState::Committed || s == ItemState::RolledBack || s == ItemState::Skipped; }

Step nextRollbackStep(Step s) {
    switch (s) {
    case Step::RollbackRemoveTarget: return Step::RollbackRestoreSource;
    case Step::RollbackRestoreSource: return Step::RollbackVerifySource;
    default: return Step::Invalid;
    }
}

}  // namespace

Step nextStep(Step step, const std::string& mode) {
    static const Step mbb[] = {Step::Preflight, Step::Attach, Step::Verify, Step::Detach, Step::VerifyDetached, Step::Commit};
    static const Step bbm[] = {Step::Preflight, Step::Detach, Step::VerifyDetached, Step::Attach, Step::Verify, Step::Commit};
    const Step* order = mode == kBreakBeforeMake ? bbm : mbb;
    for (int i = 0; i + 1 < 6; ++i)
        if (order[i] == step) return order[i + 1];
    return Step::Invalid;
}

std::string targetOf(const Plan& plan, const PlanItem& item) { return item.targetVm.empty() ? plan.targetVm : item.targetVm; }

bool isRollbackStep(Step s) {
    return s == Step::RollbackRemoveTarget || s == Step::RollbackRestoreSource || s == Step::RollbackVerifySource;
}

MigrationEngine::MigrationEngine(MigrationStore& store, VmsGateway& vms, CameraChecks& checks, StepSettings settings,
                                 EventSink events)
    : m_store(store), m_gateway(vms), m_steps(vms, checks, std::move(settings), m_stopping), m_events(std::move(events)) {}

void MigrationEngine::wake() {
    std::lock_guard lock(m_mutex);
    m_woken = true;
    m_cv.notify_all();
}

void MigrationEngine::stop() {
    m_stopping = true;
    wake();
}

void MigrationEngine::run() {
    recoverInDoubt();
    while (!m_stopping) {
        bool worked = false;
        auto plans = m_store.plans();
        if (!plans) logger()->error("cannot read the plans: {}", plans.error().message);
        else
            for (const auto& p : *plans) {
                if ((p.state == PlanState::Running || p.state == PlanState::Done) && workPlan(p.id)) {
                    worked = true;
                    break;
                }
                // A paused plan's new instance goes on booting: its round ends (and its journal
                // row gets an outcome) while the plan waits for the administrator.
                if (p.state == PlanState::Paused && m_provisioning.count(p.id)) {
                    Error ignored;  // its cameras hear of a failure when the plan resumes (a new round)
                    (void)pollNewInstance(p, ignored);
                }
            }
        if (worked) continue;
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, std::chrono::seconds(5), [&] { return m_woken || m_stopping.load(); });
        m_woken = false;
    }
}

void MigrationEngine::recoverInDoubt() {
    auto rows = m_store.inDoubt();
    if (!rows) return logger()->error("cannot read the journal: {}", rows.error().message);
    for (const auto& j : *rows) {
        auto plan = m_store.plan(j.planId);
        if (!plan || !*plan) continue;
        if (j.cameraId.empty()) {  // a new instance being created: pollNewInstance() asks applianced again
            (void)m_store.journalOutcome(j.id, "in-doubt", "camera-migratord stopped while creating the instance; "
                                                           "it is checked, and created if missing, when the plan runs again");
            continue;
        }
        auto later = m_store.journal(j.planId, j.cameraId);
        if (later && !later->empty() && later->back().id > j.id) {
            // A later step of this camera ran (its outcome could not be written then): not in doubt.
            (void)m_store.journalOutcome(j.id, "superseded", "a later step of this camera ran after it");
            continue;
        }
        for (auto& item : (*plan)->items) {
            if (item.cameraId != j.cameraId) continue;
            auto ctx = context(**plan, item);
            std::string facts = ctx ? m_steps.facts(*ctx) : ctx.error().message;
            std::string detail = "camera-migratord stopped during this step; on restart: " + facts + "; the step runs again";
            if (auto s = m_store.journalOutcome(j.id, "in-doubt", detail); !s)
                logger()->error("cannot write the journal: {}", s.error().message);
            logger()->warn("plan {} camera {}: step {} was in doubt: {}", j.planId, j.cameraId, stepName(j.step), facts);
            emitStep(item, j.step, "in-doubt", detail);
        }
    }
}

bool MigrationEngine::workPlan(int64_t planId) {
    auto loaded = m_store.plan(planId);
    if (!loaded || !*loaded) return false;
    Plan& plan = **loaded;
    for (auto& item : plan.items)
        if (item.control != Control::None && applyControl(plan, item)) return true;
    // A camera that has not started its move to the new instance waits for it; one past its
    // preflight goes on (its steps pause by themselves on a VMS that cannot be asked).
    const auto waitsForInstance = [&](const PlanItem& i) {
        return i.state == ItemState::Pending && !plan.newInstance.vm.empty() && i.targetVm == plan.newInstance.vm &&
               !i.reverse;
    };
    // The administrator confirmed the new instance with the plan: it is created when the plan
    // starts and boots while the cameras before it move. It is asked about while a camera waits
    // for it, and while a creation is under way even if every such camera was paused or skipped
    // meanwhile (so that its journal row gets an outcome).
    const bool anyWaits = std::any_of(plan.items.begin(), plan.items.end(), waitsForInstance);
    Instance instance = Instance::Ready;
    Error whyNot;
    if (anyWaits || m_provisioning.count(plan.id)) instance = pollNewInstance(plan, whyNot);
    if (m_stopping) return true;
    if (instance == Instance::Failed && anyWaits) {
        // Every camera that waits hears it; resuming any of them tries again from the start.
        for (auto& item : plan.items)
            if (waitsForInstance(item)) {
                item.state = ItemState::Paused;
                item.reason = "the new VMS instance in VM '" + plan.newInstance.vm + "' is not ready: " + whyNot.message +
                              ". Resume the camera to try again.";
                save(item), emitItem(item);
            }
        return true;
    }
    bool waited = false;
    for (auto& item : plan.items) {
        if (item.state != ItemState::Pending && item.state != ItemState::Running && item.state != ItemState::RollingBack)
            continue;
        // Cameras start in the administrator's order: none after one that waits. A camera
        // already under way (or rolling back) is never held up by one that waits.
        if (waited && item.state == ItemState::Pending) continue;
        if (plan.state != PlanState::Running) {
            (void)m_store.setPlanState(plan.id, PlanState::Running);
            m_events("migration.plan", {{"plan", plan.id}, {"state", "running"}});
        }
        if (waitsForInstance(item) && instance == Instance::Starting) {
            const std::string waiting = "waiting for the new VMS instance in VM '" + plan.newInstance.vm + "' to be ready";
            if (item.reason != waiting) item.reason = waiting, save(item), emitItem(item);
            waited = true;
            continue;
        }
        runItem(plan, item);
        return true;
    }
    if (waited) return false;
    bool allFinal = true;
    for (const auto& item : plan.items) allFinal = allFinal && isFinal(item.state);
    if (allFinal && plan.state != PlanState::Done) {
        (void)m_store.setPlanState(plan.id, PlanState::Done);
        logger()->info("plan {} is done", plan.id);
        m_events("migration.plan", {{"plan", plan.id}, {"state", "done"}, {"source", plan.sourceVm}});
        return true;
    }
    return false;
}

bool MigrationEngine::applyControl(const Plan& plan, PlanItem& item) {
    const Control c = item.control;
    auto clear = [&] { (void)m_store.clearControl(plan.id, item.cameraId, c); };
    auto changed = [&] {
        save(item);
        emitItem(item);
        return true;
    };
    const bool running = item.state == ItemState::Running || item.state == ItemState::RollingBack;
    switch (c) {
    case Control::Pause:
        if (running) return false;  // the item's own loop pauses between steps
        clear();
        if (item.state != ItemState::Pending) return true;
        item.state = ItemState::Paused, item.reason = "paused by the administrator";
        return changed();
    case Control::Resume:
        clear();
        if (item.state != ItemState::Paused) return true;
        item.state = isRollbackStep(item.step) ? ItemState::RollingBack
                     : item.step == Step::Preflight ? ItemState::Pending : ItemState::Running;
        item.reason.clear();
        return changed();
    case Control::Skip:
    case Control::Rollback:
        if (running) return false;  // the item's own loop rolls back between steps
        clear();
        if (item.state == ItemState::Committed && c == Control::Rollback) {
            // A move back: the same steps with source and target swapped. The source's id for the
            // camera is stale (it was removed there): the attach finds or makes a new one.
            item.reverse = true, item.state = ItemState::Running, item.step = Step::Preflight, item.mode.clear();
            item.reason = "moving back to VM '" + plan.sourceVm + "' at the administrator's request";
            item.sourceVmsCameraId.clear();
            item.targetFirstMs = item.sourceLastMs = 0, item.gapMs.reset(), item.gapFrom.clear(), item.probeAfterDetach = false, item.attempts++;
            // A new move: its recordings are those made from now on (a motion slot keeps the
            // camera's files from before the first move).
            item.startedMs = nowMs(), item.finishedMs = 0;
            return changed();
        }
        if (isFinal(item.state)) return true;
        abandon(plan, item, c == Control::Skip);
        return changed();
    case Control::Retry:
        clear();
        if (item.state == ItemState::Failed && isRollbackStep(item.step)) {
            item.state = ItemState::RollingBack;  // the rollback again, from the step that failed
        } else if (item.state == ItemState::Failed && item.step == Step::Preflight) {
            item.state = ItemState::Pending;  // the same move (forward or back) from its preflight
        } else if (item.state == ItemState::RolledBack || item.state == ItemState::Skipped) {
            item.state = ItemState::Pending, item.step = Step::Preflight, item.mode.clear(), item.reverse = false;
            item.targetVmsCameraId.clear();
            item.targetFirstMs = item.sourceLastMs = 0, item.gapMs.reset(), item.gapFrom.clear(), item.probeAfterDetach = false, item.finishedMs = 0;
        } else {
            return true;  // nothing to retry (a paused camera is resumed, not retried)
        }
        item.attempts++, item.reason.clear();
        return changed();
    case Control::None: break;
    }
    return false;
}

MigrationEngine::Instance MigrationEngine::pollNewInstance(const Plan& plan, Error& why) {
    const NewInstance& n = plan.newInstance;
    auto at = m_provisioning.find(plan.id);
    if (at == m_provisioning.end()) {
        // Asked, not taken from the store: the VM may have been stopped since its last round.
        if (auto info = m_gateway.info(n.vm); info && info->reachable) {
            (void)m_store.putVms(*info);
            return Instance::Ready;
        }
        auto jid = m_store.journalIntent(plan.id, "", Step::ProvisionInstance,
                                         Json{{"vm", n.vm}, {"image", n.image}, {"memory_mib", n.memoryMib}}.dump());
        if (!jid) {
            why = jid.error();
            return Instance::Failed;
        }
        at = m_provisioning.emplace(plan.id, Provisioning{*jid, std::chrono::steady_clock::now()}).first;
        m_events("migration.plan", {{"plan", plan.id}, {"state", "running"}, {"provisioning", n.vm}});
        logger()->info("plan {}: creating VMS instance '{}' from image '{}'", plan.id, n.vm, n.image);
    }
    // One round: the journal row gets its outcome once, and the next round starts from creating.
    auto finish = [&](const Status& s) {
        (void)m_store.journalOutcome(at->second.journalId, s ? "ok" : "failed",
                                     s ? "VM '" + n.vm + "' is ready" : s.error().message);
        m_provisioning.erase(at);
        if (s) return Instance::Ready;
        why = s.error();
        logger()->warn("plan {}: the new VMS instance '{}' is not ready: {}", plan.id, n.vm, why.message);
        return Instance::Failed;
    };
    if (!at->second.created) {
        // Idempotent: after a restart (the intent then in doubt) it finds the VM made before.
        auto s = m_gateway.createVm(n.vm, n.image, n.memoryMib);
        if (!s && m_stopping) {
            why = s.error();  // no outcome: in doubt, settled after the restart
            return Instance::Failed;
        }
        if (!s) return finish(s);
        at->second.created = true;
    }
    // A VMS guest boots in minutes under TCG: ready once its VMS says it records.
    auto info = m_gateway.info(n.vm);
    if (info && info->reachable) {
        (void)m_store.putVms(*info);
        return finish(okStatus());
    }
    const auto limit = m_steps.settings().newInstanceTimeout;
    if (std::chrono::steady_clock::now() - at->second.started > limit)
        return finish(makeError(ErrorClass::Timeout, "its VMS did not become ready within " + spokenDuration(limit) +
                                                         (info ? std::string() : " (" + info.error().message + ")")));
    return Instance::Starting;
}

Result<MoveContext> MigrationEngine::context(const Plan& plan, PlanItem& item) {
    auto camera = m_store.camera(item.cameraId);
    if (!camera) return camera.error();
    if (!*camera) return makeError(ErrorClass::NotFound, "camera '" + item.cameraId + "' is no longer in the inventory");
    auto credentials = m_store.credentials(item.cameraId);
    if (!credentials) return credentials.error();
    const std::string target = targetOf(plan, item);
    const std::string& from = item.reverse ? target : plan.sourceVm;
    const std::string& to = item.reverse ? plan.sourceVm : target;
    return MoveContext(**camera, credentials->value_or(CameraCredentials{}), from, to, item);
}

void MigrationEngine::startRollback(PlanItem& item, const std::string& reason) {
    item.state = ItemState::RollingBack;
    item.reason = reason;
    item.step = Step::RollbackRemoveTarget;
}

void MigrationEngine::abandon(const Plan& plan, PlanItem& item, bool skip) {
    if (item.step != Step::Preflight) {
        // Some step has run, or may have half-run before a timeout or a crash: undo whatever it
        // did (the rollback steps are idempotent), then end as asked.
        item.skipAfterRollback = skip;
        startRollback(item, skip ? "skipped by the administrator" : "rolled back by the administrator");
        return;
    }
    item.finishedMs = nowMs();
    if (item.reverse) {
        item.state = ItemState::Committed, item.reverse = false, item.step = Step::Commit;
        item.reason = "the move back was cancelled before it started; it stays in VM '" + targetOf(plan, item) + "'";
    } else {
        item.state = ItemState::Skipped;
        item.reason = skip ? "skipped by the administrator" : "cancelled before anything changed";
    }
}

void MigrationEngine::finishRollback(const Plan& plan, PlanItem& item) {
    if (item.reverse) {
        // The move back failed or was cancelled, and was undone: the camera stays where its commit put it.
        item.state = ItemState::Committed, item.reverse = false, item.step = Step::Commit;
        item.reason = "moving it back was undone (" + item.reason + "); it stays in VM '" + targetOf(plan, item) + "'";
    } else {
        item.state = item.skipAfterRollback ? ItemState::Skipped : ItemState::RolledBack;
    }
    item.skipAfterRollback = false;
    item.finishedMs = nowMs();
    save(item);
    emitItem(item);
}

void MigrationEngine::runItem(const Plan& plan, PlanItem item) {
    if (item.state == ItemState::Pending) {
        item.state = ItemState::Running;
        item.startedMs = nowMs();
        item.reason.clear();  // e.g. "waiting for the new VMS instance"
        save(item);
        emitItem(item);
    }
    while (!m_stopping) {
        // The administrator may have asked something, or paused the whole plan, since the last step.
        if (auto asked = m_store.requests(plan.id, item.cameraId)) {
            if (asked->first == PlanState::Paused) return;
            item.control = asked->second;
        }
        if (item.control == Control::Pause) {
            (void)m_store.clearControl(plan.id, item.cameraId, Control::Pause);
            item.state = ItemState::Paused, item.reason = "paused by the administrator";
            save(item), emitItem(item);
            return;
        }
        if ((item.control == Control::Skip || item.control == Control::Rollback) && item.state == ItemState::Running) {
            (void)m_store.clearControl(plan.id, item.cameraId, item.control);
            abandon(plan, item, item.control == Control::Skip);
            save(item), emitItem(item);
            if (item.state != ItemState::RollingBack) return;
        }
        auto ctx = context(plan, item);
        if (!ctx) {
            item.state = ItemState::Failed, item.reason = ctx.error().message;
            save(item), emitItem(item);
            return;
        }
        ctx->keep = [this, &item] { save(item); };
        const Step step = item.step;
        if (step == Step::Preflight) {
            // Another plan (or a retry of an older one) may have moved the camera since: a move
            // starts only from where the camera is assigned now.
            auto a = m_store.assignment(item.cameraId);
            if (a && *a && (*a)->vm != ctx->fromVm) {
                item.state = ItemState::Failed;
                item.reason = "the camera is assigned to VM '" + (*a)->vm + "' now, not VM '" + ctx->fromVm +
                              "'. Nothing was changed; plan its move from there.";
                save(item), emitItem(item);
                return;
            }
        }
        auto r = runStep(plan, item, *ctx);
        if (!r && m_stopping) return;  // left in doubt on purpose: the restart asks the VMSs
        if (r) {
            if (step == Step::Commit) return emitItem(item);
            const Step next = isRollbackStep(step) ? nextRollbackStep(step) : nextStep(step, item.mode);
            if (next == Step::Invalid) return finishRollback(plan, item);
            item.step = next;
            save(item), emitItem(item);
            continue;
        }
        const std::string why = r.error().message;
        if (isTransient(r.error())) {
            logger()->warn("plan {} camera {}: paused at {} ({}); the plan goes on with its other cameras", plan.id,
                           item.cameraId, stepName(step), why);
            item.state = ItemState::Paused;
            item.reason = why + ". The camera waits at this step; resume it when the cause is fixed.";
        } else if (step == Step::Preflight) {
            item.state = ItemState::Failed;
            item.reason = why + ". Nothing was changed; fix this and retry the camera.";
        } else if (isRollbackStep(step)) {
            item.state = ItemState::Failed;
            item.reason = "the rollback could not finish: " + why + ". Retry it when the cause is fixed.";
        } else {
            logger()->warn("plan {} camera {}: {} failed ({}); rolling back", plan.id, item.cameraId, stepName(step), why);
            startRollback(item, std::string(stepName(step)) + " failed: " + why);
            save(item), emitItem(item);
            continue;
        }
        save(item), emitItem(item);
        return;
    }
}

Result<std::string> MigrationEngine::runStep(const Plan& plan, PlanItem& item, MoveContext& ctx) {
    const Step step = item.step;
    Json intent{{"from", ctx.fromVm}, {"to", ctx.toVm}, {"mode", item.mode}, {"reverse", item.reverse}};
    auto jid = m_store.journalIntent(plan.id, item.cameraId, step, intent.dump());
    if (!jid) return makeError(ErrorClass::Unavailable, "cannot write the journal (" + jid.error().message + ")");
    if (m_hook) m_hook(step, "intent");
    emitStep(item, step, "started", "");
    if (step == Step::Commit) {
        std::string gapNote;
        gapNote = m_steps.measureGap(ctx);
        if (m_stopping) return makeError(ErrorClass::Unavailable, "camera-migratord is stopping");  // in doubt: the restart commits
        if (item.targetFirstMs && item.sourceLastMs) item.gapMs = item.targetFirstMs - item.sourceLastMs;
        item.state = item.reverse ? ItemState::RolledBack : ItemState::Committed;
        if (item.reverse) item.reason = "moved back to VM '" + ctx.toVm + "' at the administrator's request";
        item.finishedMs = nowMs();
        if (auto s = m_store.commitMove(*jid, item, ctx.toVm, gapNote); !s) {
            (void)m_store.journalOutcome(*jid, "failed", s.error().message);  // outside the rolled-back transaction
            return makeError(ErrorClass::Unavailable, "cannot commit (" + s.error().message + ")");
        }
        (void)m_store.forgetVmsCamera(ctx.fromVm, item.cameraId);
        (void)m_store.putVmsCamera({ctx.toVm, item.cameraId, ctx.toId, ctx.camera.name,
                                    m_steps.settings().views.toGuest(ctx.camera.streamUri), true, true, nowMs()});
        // Cameras used of each VMS's limit, as they are now: the next plan's room is counted from
        // them (the last inventory's counts are stale after a move).
        for (const std::string& vm : {ctx.fromVm, ctx.toVm})
            if (auto info = m_gateway.info(vm); info) (void)m_store.putVms(*info);
        if (m_hook) m_hook(step, "ok");
        const std::string detail = "assigned to VM '" + ctx.toVm + "'" + (gapNote.empty() ? "" : "; " + gapNote);
        emitStep(item, step, "ok", detail);
        logger()->info("plan {} camera {}: committed to {} ({})", plan.id, item.cameraId, ctx.toVm, gapNote);
        return detail;
    }
    auto r = m_steps.run(step, ctx);
    if (!r && m_stopping) return r;  // no outcome: in doubt, settled at the next start
    const std::string outcome = r ? "ok" : "failed";
    const std::string detail = r ? *r : r.error().message;
    if (auto s = m_store.journalOutcome(*jid, outcome, detail); !s)
        return makeError(ErrorClass::Unavailable, "cannot write the journal (" + s.error().message + ")");
    if (m_hook) m_hook(step, outcome);
    emitStep(item, step, outcome, detail);
    return r;
}

void MigrationEngine::save(const PlanItem& item) {
    if (auto s = m_store.putItem(item); !s) logger()->error("cannot save camera {}: {}", item.cameraId, s.error().message);
}

void MigrationEngine::emitItem(const PlanItem& item) { m_events("migration.camera", toJson(item)); }

void MigrationEngine::emitStep(const PlanItem& item, Step step, const std::string& outcome, const std::string& detail) {
    m_events("migration.step", {{"plan", item.planId}, {"camera", item.cameraId}, {"step", stepName(step)},
                                {"outcome", outcome}, {"detail", detail}, {"reverse", item.reverse}});
}

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
// The migration engine: works the running plans one camera at a time, each camera through its
// steps (make-before-break: preflight, attach, verify, detach, verify-detached, commit; the
// break-before-make order detaches first). Every step writes its intent to the journal before it
// acts and its outcome after. A failed step rolls the camera back to its source by itself and
// checks that it records there again; a VMS that cannot be asked (agent silent, guest rebooting)
// pauses that camera with the reason and the plan goes on. At start, a step with an intent and no
// outcome is "in doubt": the engine asks both VMSs what is true, records that, and runs the step
// again (steps are idempotent).
// Context: run() owns the engine thread; wake() and stop() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>

#include "migration/camera_steps.h"
#include "migration/migration_store.h"

namespace appliance::migration {

class MigrationEngine {
public:
    /// Events for the admin API's subscribers (and the wizard): name and data. Any thread.
    using EventSink = std::function<void(const std::string& name, const Json& data)>;

    MigrationEngine(MigrationStore& store, VmsGateway& vms, CameraChecks& checks, StepSettings settings, EventSink events);

    void run();
    void wake();
    void stop();
    /// For the crash benchmark: called after each journal write with the step and "intent" or an
    /// outcome, on the engine thread.
    void setJournalHook(std::function<void(Step, const std::string&)> hook) { m_hook = std::move(hook); }

private:
    void recoverInDoubt();
    enum class Instance { Ready, Starting, Failed };
    /// The plan's new VMS instance: creates it if it is not there yet, then asks once whether its
    /// VMS is ready. Never waits for the boot (minutes under TCG), so the administrator's controls
    /// and the plan's other cameras go on meanwhile; the run loop asks again every few seconds.
    Instance pollNewInstance(const Plan& plan, Error& why);
    /// Works one running plan; true if it did something (the caller loops), false if it waits.
    bool workPlan(int64_t planId);
    /// Applies an administrator's control to an item that is not running; true if it changed.
    bool applyControl(const Plan& plan, PlanItem& item);
    void runItem(const Plan& plan, PlanItem item);
    /// Runs one step with its journal rows; the step's sentence or error.
    Result<std::string> runStep(const Plan& plan, PlanItem& item, MoveContext& ctx);
    void startRollback(PlanItem& item, const std::string& reason);
    /// Skip (or cancel) a camera that has not been committed: ends it at once if nothing was
    /// asked of a VMS yet, else rolls it back first.
    void abandon(const Plan& plan, PlanItem& item, bool skip);
    void finishRollback(const Plan& plan, PlanItem& item);
    Result<MoveContext> context(const Plan& plan, PlanItem& item);
    void save(const PlanItem& item);
    void emitItem(const PlanItem& item);
    void emitStep(const PlanItem& item, Step step, const std::string& outcome, const std::string& detail);

    std::atomic<bool> m_stopping{false};  // before m_steps, which watches it
    MigrationStore& m_store;
    VmsGateway& m_gateway;
    CameraSteps m_steps;
    EventSink m_events;
    std::function<void(Step, const std::string&)> m_hook;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_woken = false;
    struct Provisioning {  // one round of creating the new instance, until ready or failed
        int64_t journalId = 0;  // the intent written before the VM was created
        std::chrono::steady_clock::time_point started;
        bool created = false;  // applianced created and started it
    };
    std::map<int64_t, Provisioning> m_provisioning;  // by plan; engine thread only
};

/// The step after `step` in a camera's move (mode: make- or break-before-make), Invalid after the last.
Step nextStep(Step step, const std::string& mode);
bool isRollbackStep(Step step);
/// Where the item's camera goes: its own target (a plan's new instance) or the plan's.
std::string targetOf(const Plan& plan, const PlanItem& item);

}  // namespace appliance::migration

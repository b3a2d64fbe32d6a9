// SPDX-License-Identifier: GPL-2.0-or-later
// The admin API's verbs: each one's arguments are validated, its permission checked against the
// caller's role, and every write (allowed, refused or failed) recorded in the audit log with the
// uid the kernel reported. Context: core thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "admin/caller.h"
#include "audit/audit_log.h"
#include "common/protocol.h"
#include "core/vm_manager.h"
#include "focus/focus_arbiter.h"
#include "state/state_store.h"

namespace appliance {

struct ServerFacts {
    std::string version;
    std::string domainType;
    std::string kvmReason;
    std::string defaultKernel;
    std::string defaultInitrd;
    std::string defaultNetwork = "user";
    std::string imageRoot = "/var/lib/appliance/images";  ///< vm.create takes images from here only
    long long hostMemoryMib = 0;
    std::chrono::milliseconds vmsReadTimeout{20000};
    std::chrono::milliseconds vmsWriteTimeout{120000};
};

class AdminCommands {
public:
    using Json = protocol::Json;
    using Reply = std::function<void(Result<Json>)>;

    AdminCommands(VmManager& vms, FocusArbiter& focus, StateStore& store, AuditLog& audit, ServerFacts facts);
    void handle(const Caller& caller, const std::string& verb, const Json& args, Reply reply);
    /// How vms.* verbs reach a guest's agent (the agent server's commandAgent).
    using AgentCall = std::function<void(const std::string& vm, const std::string& verb, const Json& args,
                                         std::chrono::milliseconds timeout, std::function<void(Result<Json>)> done)>;
    void setAgentCall(AgentCall call);

private:
    struct Verb {
        bool write = false;
        std::string help;
        std::function<void(const Caller&, const Json& args, Reply)> run;
    };
    void add(const std::string& name, bool write, std::string help, std::function<void(const Caller&, const Json&, Reply)> run);
    void addNamedLifecycle(const std::string& name, std::string help,
                           void (VmManager::*op)(const std::string&, VmManager::Reply));
    AuditEntry auditEntry(const Caller& caller, const std::string& verb, const Json& args, const std::string& result,
                          const std::string& detail) const;
    void addAuditVerb();

    void addFocusVerbs();
    void addVmsVerbs();
    void askGuest(const std::string& vm, const std::string& verb, const Json& args, bool write, Reply reply);
    AgentCall m_agentCall;
    VmManager& m_vms;
    FocusArbiter& m_focus;
    StateStore& m_store;
    AuditLog& m_audit;
    ServerFacts m_facts;
    std::map<std::string, Verb> m_verbs;
};

}  // namespace appliance

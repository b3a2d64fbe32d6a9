// SPDX-License-Identifier: GPL-2.0-or-later
#include "admin/admin_commands.h"

#include <filesystem>
#include <limits>

#include "admin/arguments.h"
#include "common/logging.h"
#include "common/redact.h"

namespace appliance {

namespace {

// A guest's disk, kernel or initrd comes from the appliance's image directory only: QEMU opens it
// with its own rights (and libvirt relabels it), so an arbitrary host path such as /etc/shadow
// would hand that file to a guest. Symbolic links are resolved before the check.
Status imageFile(const std::string& verb, const std::string& key, const std::string& path, const std::string& imageRoot) {
    namespace fs = std::filesystem;
    if (path.empty() || path[0] != '/')
        return makeError(ErrorClass::InvalidArgument, verb + ": argument '" + key + "' must be an absolute path");
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (ec || !fs::is_regular_file(real, ec))
        return makeError(ErrorClass::InvalidArgument, verb + ": " + key + " '" + path + "' does not exist or is not a file");
    fs::path root = fs::weakly_canonical(imageRoot, ec);
    auto rel = real.lexically_relative(root);
    if (ec || rel.empty() || *rel.begin() == "..")
        return makeError(ErrorClass::PermissionDenied, verb + ": " + key + " '" + path + "' is outside the image directory " +
                                                           root.string() + "; copy the image there (setting image_root)");
    return okStatus();
}
}  // namespace

AdminCommands::AdminCommands(VmManager& vms, FocusArbiter& focus, StateStore& store, AuditLog& audit, ServerFacts facts)
    : m_vms(vms), m_focus(focus), m_store(store), m_audit(audit), m_facts(std::move(facts)) {
    addFocusVerbs();
    addAuditVerb();
    addVmsVerbs();
    add("help", false, "list the commands", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("help", args).onlyKeys({}));
        Json out = Json::array();
        for (const auto& [name, v] : m_verbs) out.push_back({{"name", name}, {"write", v.write}, {"help", v.help}});
        out.push_back({{"name", "events.subscribe"}, {"write", false}, {"help", "receive events on this connection"}});
        out.push_back({{"name", "events.unsubscribe"}, {"write", false}, {"help", "stop receiving events"}});
        reply(std::move(out));
    });
    add("server.status", false, "applianced's version, hypervisor connection and readiness", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("server.status", args).onlyKeys({}));
        reply(Json{{"version", m_facts.version},
                   {"synced", m_vms.synced()},
                   {"vms", m_vms.inventory().size()},
                   {"domain_type", m_facts.domainType},
                   {"kvm", m_facts.kvmReason},
                   {"instance", m_vms.settings().instance}});
    });
    add("vm.list", false, "the appliance's VMs with state, uptime, CPU and memory", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("vm.list", args).onlyKeys({}));
        if (!m_vms.synced())
            return reply(makeError(ErrorClass::Unavailable, "applianced has not yet synchronised with the "
                                                            "hypervisor; try again in a moment"));
        reply(m_vms.list());
    });
    add("vm.info", false, "everything known about one VM", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("vm.info", args);
        CHECK(a.onlyKeys({"name"}));
        TRY(name, a.vmName());
        m_vms.info(name, std::move(reply));
    });
    addNamedLifecycle("vm.start", "start a VM", &VmManager::start);
    addNamedLifecycle("vm.destroy", "force a VM off at once (like pulling the plug)", &VmManager::destroy);
    addNamedLifecycle("vm.reboot", "ask a VM's guest to reboot (ACPI)", &VmManager::reboot);
    addNamedLifecycle("vm.suspend", "pause a running VM", &VmManager::suspend);
    addNamedLifecycle("vm.resume", "resume a paused VM", &VmManager::resume);
    addNamedLifecycle("vm.delete", "delete a shut-off VM's definition and its appliance files", &VmManager::remove);
    add("vm.shutdown", true, "shut a VM down gracefully (ACPI), forcing it off after timeout_s",
        [this](const Caller&, const Json& args, Reply reply) {
            Arguments a("vm.shutdown", args);
            CHECK(a.onlyKeys({"name", "timeout_s"}));
            TRY(name, a.vmName());
            TRY(timeout, a.integer("timeout_s", 1, 3600));
            m_vms.shutdown(name, timeout ? int(*timeout) : 0, std::move(reply));
        });
    add("vm.set", true, "change vCPUs, memory, autostart or description", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("vm.set", args);
        CHECK(a.onlyKeys({"name", "vcpus", "memory_mib", "autostart", "description"}));
        TRY(name, a.vmName());
        VmConfigChange change;
        TRY(vcpus, a.integer("vcpus", 1, 64));
        TRY(memory, a.integer("memory_mib", 64, m_facts.hostMemoryMib));
        TRY(autostart, a.boolean("autostart"));
        TRY(description, a.string("description", 1024));
        if (vcpus) change.vcpus = int(*vcpus);
        if (memory) change.memoryMib = uint64_t(*memory);
        change.autostart = autostart;
        change.description = description;
        if (!vcpus && !memory && !autostart && !description)
            return reply(makeError(ErrorClass::InvalidArgument,
                                   "vm.set: nothing to change; give vcpus, memory_mib, autostart or description"));
        m_vms.configure(name, change, std::move(reply));
    });
    add("vm.create", true, "define a new VMS guest from the appliance's template", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("vm.create", args);
        CHECK(a.onlyKeys({"name", "vcpus", "max_vcpus", "memory_mib", "kernel", "initrd", "cmdline", "disk", "image",
                          "network", "autostart", "description"}));
        VmCreateSpec spec;
        TRY(name, a.vmName());
        spec.name = name;
        TRY(vcpus, a.integer("vcpus", 1, 64));
        TRY(maxVcpus, a.integer("max_vcpus", 1, 64));
        TRY(memory, a.integer("memory_mib", 64, m_facts.hostMemoryMib));
        TRY(kernel, a.string("kernel", 4096));
        TRY(initrd, a.string("initrd", 4096));
        TRY(cmdline, a.string("cmdline", 2048));
        TRY(disk, a.string("disk", 4096));
        TRY(image, a.string("image", 64));
        TRY(network, a.string("network", 16));
        TRY(autostart, a.boolean("autostart"));
        TRY(description, a.string("description", 1024));
        spec.vcpus = int(vcpus.value_or(1));
        spec.maxVcpus = int(maxVcpus.value_or(spec.vcpus));
        if (spec.maxVcpus < spec.vcpus)
            return reply(makeError(ErrorClass::InvalidArgument, "vm.create: max_vcpus must be at least vcpus"));
        spec.memoryMib = uint64_t(memory.value_or(256));
        spec.network = network.value_or(m_facts.defaultNetwork);
        if (spec.network != "user" && spec.network != "none")
            return reply(makeError(ErrorClass::InvalidArgument, "vm.create: network must be 'user' or 'none'"));
        spec.autostart = autostart.value_or(false);
        spec.description = description.value_or("");
        if (image) {
            // A VMS guest image: a directory in the image root with its kernel, initrd and root
            // file system; the VM boots that kernel with its own overlay of the root file system.
            if (kernel || initrd || disk)
                return reply(makeError(ErrorClass::InvalidArgument, "vm.create: give image alone, without kernel, initrd or disk"));
            if (image->empty() || image->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
                return reply(makeError(ErrorClass::InvalidArgument, "vm.create: image is the name of an image directory "
                                                                    "(e.g. vms-motion), lowercase letters, digits, - and _"));
            const std::string dir = m_facts.imageRoot + "/" + *image;
            spec.kernelPath = dir + "/vmlinuz";
            spec.initrdPath = dir + "/initrd.img";
            spec.baseImage = dir + "/rootfs.qcow2";
            for (auto [key, path] : {std::pair{"kernel", &spec.kernelPath}, {"initrd", &spec.initrdPath}, {"root file system", &spec.baseImage}})
                if (auto s = imageFile("vm.create", key, *path, m_facts.imageRoot); !s)
                    return reply(makeError(s.error().cls, s.error().message + " (image '" + *image + "' in " +
                                                              m_facts.imageRoot + ": build it with images/vms-guest/build.sh)"));
            spec.kernelCmdline = "root=/dev/vda console=ttyS0 appliance.name=" + spec.name + (cmdline ? " " + *cmdline : "");
        } else if (disk) {
            if (kernel || initrd)
                return reply(makeError(ErrorClass::InvalidArgument,
                                       "vm.create: give either disk or kernel/initrd, not both"));
            CHECK(imageFile("vm.create", "disk", *disk, m_facts.imageRoot));
            spec.diskPath = *disk;
        } else {
            spec.kernelPath = kernel.value_or(m_facts.defaultKernel);
            spec.initrdPath = initrd.value_or(kernel ? "" : m_facts.defaultInitrd);
            CHECK(imageFile("vm.create", "kernel", spec.kernelPath, m_facts.imageRoot));
            if (!spec.initrdPath.empty()) CHECK(imageFile("vm.create", "initrd", spec.initrdPath, m_facts.imageRoot));
            spec.kernelCmdline = cmdline.value_or("console=ttyS0 appliance.name=" + spec.name);
        }
        m_vms.create(spec, std::move(reply));
    });
}

void AdminCommands::addAuditVerb() {
    // Pages of at most kMaxEntries, and the answer stops early at kMaxAnswerBytes: a reader pages on
    // with before_id = the last id it got.
    constexpr int kMaxEntries = 500;
    constexpr std::size_t kMaxAnswerBytes = 512 * 1024;
    add("audit.list", false, "the audit log, newest first (pages: before_id)", [this](const Caller&, const Json& args, Reply reply) {
        Arguments a("audit.list", args);
        CHECK(a.onlyKeys({"limit", "name", "before_id"}));
        TRY(limit, a.integer("limit", 1, kMaxEntries));
        TRY(before, a.integer("before_id", 1, std::numeric_limits<long long>::max()));
        std::string target;
        if (args.contains("name")) {
            TRY(name, a.vmName());
            target = name;
        }
        auto entries = m_store.listAudit(int(limit.value_or(50)), target, before.value_or(0));
        if (!entries) return reply(entries.error());
        Json out = Json::array();
        std::size_t bytes = 0;
        for (const auto& e : *entries) {
            Json entry{{"id", e.id},
                       {"timestamp", e.timestampS},
                       {"uid", e.uid ? Json(*e.uid) : Json(nullptr)},
                       {"actor", e.actor},
                       {"action", e.action},
                       {"target", e.target},
                       {"arguments", Json::parse(e.arguments, nullptr, false)},
                       {"result", e.result},
                       {"detail", e.detail},
                       {"repeats", e.repeats}};
            bytes += entry.dump(-1, ' ', false, Json::error_handler_t::replace).size();
            if (bytes > kMaxAnswerBytes && !out.empty()) break;
            out.push_back(std::move(entry));
        }
        reply(std::move(out));
    });
}

void AdminCommands::addFocusVerbs() {
    add("focus.get", false, "which target has the display", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("focus.get", args).onlyKeys({}));
        reply(Json{{"target", m_focus.current()}, {"changed_at", m_focus.changedAtS()}});
    });
    add("focus.asks", false, "agents' focus requests waiting for the operator", [this](const Caller&, const Json& args, Reply reply) {
        CHECK(Arguments("focus.asks", args).onlyKeys({}));
        reply(m_focus.pendingAsks());
    });
    // Write verbs reach run() only for administrators; their audit entry is written by handle().
    add("focus.set", true, "give the display to a VM or to the admin console", [this](const Caller& caller, const Json& args, Reply reply) {
        Arguments a("focus.set", args);
        CHECK(a.onlyKeys({"target"}));
        TRY(target, a.string("target", 64));
        if (!target) return reply(makeError(ErrorClass::InvalidArgument, "focus.set: argument 'target' is required"));
        m_focus.set(*target, {caller.user, int64_t(caller.uid)}, std::move(reply));
    });
    add("focus.decide", true, "answer an agent's focus request that the policy asks about", [this](const Caller& caller, const Json& args, Reply reply) {
        Arguments a("focus.decide", args);
        CHECK(a.onlyKeys({"id", "allow"}));
        TRY(id, a.integer("id", 1, std::numeric_limits<long long>::max()));
        TRY(allow, a.boolean("allow"));
        if (!id || !allow) return reply(makeError(ErrorClass::InvalidArgument, "focus.decide: give 'id' and 'allow'"));
        reply(m_focus.decide(*id, *allow, {caller.user, int64_t(caller.uid)}));
    });
}

void AdminCommands::add(const std::string& name, bool write, std::string help, std::function<void(const Caller&, const Json&, Reply)> run) {
    m_verbs[name] = Verb{write, std::move(help), std::move(run)};
}

void AdminCommands::addNamedLifecycle(const std::string& name, std::string help,
                                      void (VmManager::*op)(const std::string&, VmManager::Reply)) {
    add(name, true, std::move(help), [this, name, op](const Caller&, const Json& args, Reply reply) {
        Arguments a(name, args);
        CHECK(a.onlyKeys({"name"}));
        TRY(vm, a.vmName());
        (m_vms.*op)(vm, std::move(reply));
    });
}

AuditEntry AdminCommands::auditEntry(const Caller& caller, const std::string& verb, const Json& args,
                                     const std::string& result, const std::string& detail) const {
    std::string target = args.is_object() && args.contains("name") && args["name"].is_string() ? args["name"].get<std::string>() : "";
    return {0, 0, int64_t(caller.uid), caller.user, verb, target,
            redact::json(args).dump(-1, ' ', false, Json::error_handler_t::replace), result, detail};
}

void AdminCommands::handle(const Caller& caller, const std::string& verb, const Json& args, Reply reply) {
    auto it = m_verbs.find(verb);
    if (it == m_verbs.end())
        return reply(makeError(ErrorClass::CommandNotFound,
                               "unknown command '" + verb.substr(0, 64) + "'; the command 'help' lists the commands"));
    if (!it->second.write) return it->second.run(caller, args, std::move(reply));
    if (caller.role != Role::Admin) {
        m_audit.record(auditEntry(caller, verb, args, "denied", "caller is not an administrator"));
        return reply(makeError(ErrorClass::PermissionDenied,
                               "'" + verb + "' changes the appliance and needs administrator rights; user '" +
                                   caller.user + "' may only read (an administrator can add them to the admin group)"));
    }
    // The intent is durable before the verb acts; the outcome fills the same entry afterwards.
    int64_t entry = m_audit.begin(auditEntry(caller, verb, args, "in-progress", ""));
    it->second.run(caller, args, [this, caller, verb, args, entry, reply = std::move(reply)](Result<Json> r) {
        if (r) {
            std::string detail = r->is_object() && r->contains("outcome") && (*r)["outcome"].is_string()
                                     ? (*r)["outcome"].get<std::string>()
                                     : "";
            m_audit.finish(entry, auditEntry(caller, verb, args, "ok", detail));
        } else {
            m_audit.finish(entry, auditEntry(caller, verb, args, std::string(errorClassName(r.error().cls)), r.error().message));
        }
        reply(std::move(r));
    });
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/vm_manager.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/logging.h"
#include "core/device_acl.h"
#include "hypervisor/domain_xml.h"

namespace appliance {

namespace fs = std::filesystem;

namespace {
auto log() {
    static auto l = logging::get("appliance.vms");
    return l;
}

std::string stateText(VmState s, const std::string& reason) {
    std::string t(vmStateName(s));
    if (!reason.empty() && reason != "unknown") t += " (" + reason + ")";
    return t;
}
}  // namespace

struct VmManager::ShutdownWait {
    std::string name;
    Reply reply;
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point begun;
    ShutdownWait(asio::io_context& io, std::string n, Reply r)
        : name(std::move(n)), reply(std::move(r)), timer(io), begun(std::chrono::steady_clock::now()) {}
    double elapsedS() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
    }
};

VmManager::VmManager(asio::io_context& io, Hypervisor& hypervisor, StateStore& store, AuditLog& audit,
                     VmManagerSettings settings)
    : m_io(io), m_hv(hypervisor), m_store(store), m_audit(audit), m_settings(std::move(settings)) {
    m_inventory.addListener([this](const InventoryChange& c) { onInventoryChange(c); });
}

VmManager::Json VmManager::toJson(const VmRecord& rec, bool detailed, double nowS) {
    const VmInfo& v = rec.info;
    const bool active = vmIsActive(v.state);
    Json j{{"name", v.name},
           {"state", vmStateName(v.state)},
           {"reason", v.reason},
           {"vcpus", v.vcpus},
           {"memory_mib", v.memoryKib / 1024},
           {"autostart", v.autostart},
           {"cpu_percent", active ? std::round(rec.cpuPercent * 10) / 10 : 0.0},
           {"memory_used_mib", active ? rec.residentKib / 1024 : 0},
           {"uptime_s", active && v.startedAtS > 0 ? Json(int64_t(nowS - v.startedAtS)) : Json(nullptr)}};
    if (detailed) {
        j["uuid"] = v.uuid;
        j["max_vcpus"] = v.maxVcpus;
        j["max_memory_mib"] = v.maxMemoryKib / 1024;
        j["description"] = v.description;
        j["cpu_time_s"] = double(v.cpuTimeNs) / 1e9;
        j["domain_type"] = v.domainType;
        j["pending_config"] = v.pendingConfig;
    }
    return j;
}

// ---- hypervisor listener ----

void VmManager::onConnected(std::vector<VmInfo> snapshot) {
    double now = protocol::nowTimestampS();
    if (m_firstSnapshot) {
        // Changes that happened while applianced was not running are noticed here and audited.
        auto remembered = m_store.rememberedVmStates();
        if (remembered) {
            for (const auto& v : snapshot) {
                auto it = remembered->find(v.name);
                std::string now_(vmStateName(v.state));
                if (it != remembered->end() && it->second.state != now_) {
                    m_audit.record({0, now, std::nullopt, "hypervisor", "vm.state", v.name, "{}",
                                    stateText(v.state, v.reason),
                                    "changed from " + it->second.state + " while applianced was not running"});
                    (void)m_store.rememberVmState(v.name, now_, v.reason);
                }
            }
        }
        for (const auto& v : snapshot) (void)m_store.rememberVmState(v.name, std::string(vmStateName(v.state)), v.reason);
    }
    m_firstSnapshot = false;
    for (const auto& v : snapshot) (void)prepareVmDirectories(v.name);
    m_inventory.replaceAll(std::move(snapshot), now);
    if (m_eventSink) m_eventSink("hypervisor.connected", Json{{"uri", m_hv.uri()}, {"vms", m_inventory.size()}}, now);
    if (!m_synced) {
        m_synced = true;
        if (m_onFirstSync) m_onFirstSync();
    }
}

void VmManager::onDisconnected(const std::string& reason) {
    m_audit.record({0, 0, std::nullopt, "applianced", "hypervisor.disconnected", "", "{}", "error", reason});
    if (m_eventSink) m_eventSink("hypervisor.disconnected", Json{{"reason", reason}}, protocol::nowTimestampS());
}

void VmManager::onVmUpdate(VmUpdate update) { m_inventory.apply(update); }

void VmManager::onStats(std::vector<VmStats> stats) { m_inventory.applyStats(stats); }

void VmManager::onInventoryChange(const InventoryChange& c) {
    Json data{{"name", c.name}, {"event", c.event}};
    if (!c.detail.empty()) data["detail"] = c.detail;
    std::string eventName;
    switch (c.kind) {
    case InventoryChange::Kind::Added:
        eventName = "vm.defined";
        data["state"] = vmStateName(c.state);
        break;
    case InventoryChange::Kind::Removed: eventName = "vm.undefined"; break;
    case InventoryChange::Kind::StateChanged:
        eventName = "vm.state";
        data["state"] = vmStateName(c.state);
        data["reason"] = c.reason;
        data["previous"] = vmStateName(c.previous);
        break;
    case InventoryChange::Kind::Rebooted: eventName = "vm.rebooted"; break;
    case InventoryChange::Kind::Invalid: return;
    }
    // Subscribers first (the console switches on these), then the durable record.
    if (m_eventSink) m_eventSink(eventName, data, c.observedAtS);

    if (c.kind == InventoryChange::Kind::Removed) {
        (void)m_store.forgetVm(c.name);
        (void)m_store.forgetVmUid(c.name);
    }
    if (c.kind != InventoryChange::Kind::StateChanged) return;
    auto recorded = m_store.recordStateChange(
        c.name, std::string(vmStateName(c.state)), c.reason,
        m_audit.bounded({0, c.observedAtS, std::nullopt, "hypervisor", "vm.state", c.name, "{}", stateText(c.state, c.reason),
                         "from " + std::string(vmStateName(c.previous)) + " (" + c.event +
                             (c.detail.empty() ? "" : ", " + c.detail) + ")"}));
    if (!recorded) log()->error("cannot record the state of '{}': {}", c.name, recorded.error().message);
    else m_audit.wroteElsewhere();
    log()->info("VM '{}' is now {} (was {}, {})", c.name, stateText(c.state, c.reason), vmStateName(c.previous), c.event);
    if (vmIsActive(c.state)) return;
    auto waits = m_shutdownWaits.find(c.name);
    if (waits == m_shutdownWaits.end()) return;
    auto list = std::move(waits->second);
    m_shutdownWaits.erase(waits);
    for (auto& w : list) {
        w->timer.cancel();
        w->reply(Json{{"name", c.name}, {"outcome", "graceful"}, {"elapsed_s", w->elapsedS()}});
    }
}

// ---- requests ----

VmManager::Json VmManager::list() const {
    Json arr = Json::array();
    double now = protocol::nowTimestampS();
    for (const VmRecord* rec : m_inventory.all()) arr.push_back(toJson(*rec, false, now));
    return arr;
}

Result<const VmRecord*> VmManager::existing(const std::string& name) const {
    if (!m_synced)
        return makeError(ErrorClass::Unavailable,
                         "applianced has not yet synchronised with the hypervisor; try again in a moment");
    if (const VmRecord* rec = m_inventory.find(name)) return rec;
    return makeError(ErrorClass::NotFound,
                     "no VM named '" + name + "' is managed by this appliance; `appliancectl vm list` shows the VMs");
}

void VmManager::refreshThenReply(const std::string& name, Reply reply, Json extra) {
    m_hv.info(name, [this, reply = std::move(reply), extra = std::move(extra)](Result<VmInfo> info) {
        if (!info) return reply(info.error());
        m_inventory.refresh(*info, protocol::nowTimestampS());
        const VmRecord* rec = m_inventory.find(info->name);
        Json j = rec ? toJson(*rec, true, protocol::nowTimestampS()) : Json::object();
        for (auto& [k, v] : extra.items()) j[k] = v;
        reply(std::move(j));
    });
}

void VmManager::info(const std::string& name, Reply reply) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    Json j = toJson(**rec, true, protocol::nowTimestampS());
    VmPaths paths = vmPaths(m_settings.runRoot, m_settings.shareRoot, name);
    j["vnc_socket"] = paths.vncSocket();
    j["agent_socket"] = paths.agentSocket();
    j["share_dir"] = paths.shareDir;
    j["console_log"] = paths.consoleLog();
    reply(std::move(j));
}

void VmManager::start(const std::string& name, Reply reply) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    if (vmIsActive((*rec)->info.state))
        return reply(makeError(ErrorClass::Conflict, "VM '" + name + "' is already " +
                                                         std::string(vmStateName((*rec)->info.state))));
    if (auto s = prepareVmDirectories(name); !s) return reply(s.error());
    m_hv.start(name, [this, name, reply = std::move(reply)](Status s) mutable {
        if (!s) return reply(s.error());
        refreshThenReply(name, std::move(reply));
    });
}

void VmManager::shutdown(const std::string& name, int timeoutS, Reply reply) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    VmState st = (*rec)->info.state;
    if (!vmIsActive(st))
        return reply(makeError(ErrorClass::Conflict, "VM '" + name + "' is not running (" +
                                                         std::string(vmStateName(st)) + ")"));
    if (st == VmState::Paused)
        return reply(makeError(ErrorClass::Conflict, "VM '" + name + "' is paused and cannot react to the power "
                                                         "button; resume it first (`appliancectl vm resume " +
                                                         name + "`) or force it off (`appliancectl vm destroy " +
                                                         name + "`)"));
    if (timeoutS <= 0) timeoutS = m_settings.defaultShutdownTimeoutS;
    auto wait = std::make_shared<ShutdownWait>(m_io, name, std::move(reply));
    m_hv.shutdown(name, [this, wait, timeoutS](Status s) {
        if (!s) return wait->reply(s.error());
        const VmRecord* now = m_inventory.find(wait->name);
        if (!now || !vmIsActive(now->info.state))
            return wait->reply(Json{{"name", wait->name}, {"outcome", "graceful"}, {"elapsed_s", wait->elapsedS()}});
        m_shutdownWaits[wait->name].push_back(wait);
        wait->timer.expires_after(std::chrono::seconds(timeoutS));
        wait->timer.async_wait([this, wait](const asio::error_code& ec) {
            if (!ec) forceOffAfterTimeout(wait);
        });
    });
}

void VmManager::forceOffAfterTimeout(const std::shared_ptr<ShutdownWait>& wait) {
    auto& list = m_shutdownWaits[wait->name];
    std::erase(list, wait);
    if (list.empty()) m_shutdownWaits.erase(wait->name);
    log()->warn("VM '{}' did not shut down within its timeout; forcing it off", wait->name);
    m_hv.destroy(wait->name, [this, wait](Status s) {
        if (!s && s.error().cls != ErrorClass::Conflict) return wait->reply(s.error());
        refreshThenReply(wait->name, wait->reply,
                         Json{{"outcome", "forced"},
                              {"elapsed_s", wait->elapsedS()},
                              {"message", "the guest did not react to the power button in time and was forced off"}});
    });
}

void VmManager::destroy(const std::string& name, Reply reply) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    if (!vmIsActive((*rec)->info.state))
        return reply(makeError(ErrorClass::Conflict, "VM '" + name + "' is not running (" +
                                                         std::string(vmStateName((*rec)->info.state)) + ")"));
    m_hv.destroy(name, [this, name, reply = std::move(reply)](Status s) mutable {
        if (!s) return reply(s.error());
        refreshThenReply(name, std::move(reply));
    });
}




void VmManager::whenIn(const std::string& name, std::initializer_list<VmState> allowed, const std::string& refusal,
                       void (Hypervisor::*op)(const std::string&, Hypervisor::Done<Ok>), Reply reply, Json extra) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    VmState st = (*rec)->info.state;
    if (std::find(allowed.begin(), allowed.end(), st) == allowed.end())
        return reply(makeError(ErrorClass::Conflict,
                               "VM '" + name + "' is " + std::string(vmStateName(st)) + "; " + refusal));
    (m_hv.*op)(name, [this, name, reply = std::move(reply), extra = std::move(extra)](Status s) mutable {
        if (!s) return reply(s.error());
        refreshThenReply(name, std::move(reply), std::move(extra));
    });
}

void VmManager::reboot(const std::string& name, Reply reply) {
    whenIn(name, {VmState::Running, VmState::Blocked}, "only a running VM can reboot; start or resume it first",
           &Hypervisor::reboot, std::move(reply), Json{{"message", "the guest was asked to reboot"}});
}

void VmManager::suspend(const std::string& name, Reply reply) {
    whenIn(name, {VmState::Running, VmState::Blocked}, "only a running VM can be suspended", &Hypervisor::suspend,
           std::move(reply));
}

void VmManager::resume(const std::string& name, Reply reply) {
    whenIn(name, {VmState::Paused}, "only a suspended VM can be resumed", &Hypervisor::resume, std::move(reply));
}

void VmManager::configure(const std::string& name, const VmConfigChange& change, Reply reply) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    m_hv.configure(name, change, [this, name, reply = std::move(reply)](Result<VmConfigOutcome> out) mutable {
        if (!out) return reply(out.error());
        Json extra{{"applied_now", out->appliedNow}, {"at_next_boot", out->atNextBoot}};
        if (!out->atNextBoot.empty())
            extra["message"] = "saved; the change to " + Json(out->atNextBoot).dump() +
                               " takes effect the next time '" + name + "' boots";
        refreshThenReply(name, std::move(reply), std::move(extra));
    });
}

void VmManager::create(const VmCreateSpec& spec, Reply reply) {
    if (!m_synced) return reply(makeError(ErrorClass::Unavailable, "applianced has not yet synchronised with the "
                                                                   "hypervisor; try again in a moment"));
    if (m_inventory.find(spec.name) || m_creating.count(spec.name))
        return reply(makeError(ErrorClass::Conflict, "a VM named '" + spec.name + "' already exists; choose "
                                                                                 "another name or delete it first"));
    // Until it is defined (or not), the name is taken: a second create must not share its files.
    m_creating.insert(spec.name);
    Reply done = [this, name = spec.name, reply = std::move(reply)](Result<Json> r) {
        m_creating.erase(name);
        reply(std::move(r));
    };
    // Every domain's own user on this host, any instance's: a new VM must get an id none has.
    m_hv.dacUidsInUse([this, spec, done = std::move(done)](Result<std::set<uint32_t>> inUse) mutable {
        if (!inUse) return done(inUse.error());
        defineNew(spec, *inUse, std::move(done));
    });
}

void VmManager::defineNew(const VmCreateSpec& spec, const std::set<uint32_t>& uidsInUse, Reply reply) {
    // What this create made, and only that, goes again if it fails: a disk left over from an
    // earlier VM of the name (its recordings), or another's directories, are never touched.
    struct Made {
        bool runDir = false, shareDir = false, overlay = false, boot = false, uid = false;
    };
    auto made = std::make_shared<Made>();
    const VmPaths paths = vmPaths(m_settings.runRoot, m_settings.shareRoot, spec.name);
    std::error_code ec;
    made->runDir = !fs::exists(paths.runDir, ec);
    made->shareDir = !fs::exists(paths.shareDir, ec);
    auto hadUid = m_store.vmUid(spec.name);
    made->uid = hadUid && !*hadUid;
    auto undo = [this, name = spec.name, paths, made] {
        std::error_code ec;
        if (made->overlay) fs::remove(overlayPath(name), ec);
        if (made->boot) removeBootFiles(name);
        if (made->runDir) fs::remove_all(paths.runDir, ec);
        if (made->shareDir) fs::remove_all(paths.shareDir, ec);
        if (made->uid) (void)m_store.forgetVmUid(name);
    };
    auto qemu = prepareVmDirectories(spec.name, true, uidsInUse);
    if (!qemu) {
        undo();
        return reply(qemu.error());
    }
    VmCreateSpec withDisk = spec;
    if (!spec.baseImage.empty()) {
        auto overlay = createOverlay(spec.name, spec.baseImage);
        if (!overlay) {
            undo();
            return reply(overlay.error());
        }
        withDisk.diskPath = *overlay;
        made->overlay = true;
    }
    if (qemu->ownUser) {
        // libvirt hands a VM's kernel and initrd to the VM's user while it runs and refuses a
        // second VM with another user on the same file: each VM boots its own copy.
        made->boot = true;  // copies of its own, whatever was there before
        if (auto boot = copyBootFiles(spec.name, withDisk); !boot) {
            undo();
            return reply(boot.error());
        }
    }
    DomainTemplateInput in{withDisk, paths, m_settings.domainType, m_settings.instance, std::nullopt};
    if (qemu->ownUser) {
        in.qemuUser = DomainTemplateInput::DacUser{qemu->uid, qemu->gid};
        // The image behind the VM's disk is every such VM's: libvirt must not hand it to this one.
        if (!spec.baseImage.empty()) in.backingImage = spec.baseImage;
    }
    std::string xml = buildDomainXml(in);
    m_hv.define(xml, [this, spec, undo, reply = std::move(reply)](Result<VmInfo> info) mutable {
        if (!info) {
            undo();
            if (info.error().message.find("already exists") != std::string::npos)
                return reply(makeError(ErrorClass::Conflict,
                                       "libvirt already has a domain named '" + spec.name +
                                           "' that this appliance does not manage; choose another name"));
            return reply(info.error());
        }
        m_inventory.refresh(*info, protocol::nowTimestampS());
        if (!spec.autostart) return refreshThenReply(spec.name, std::move(reply));
        VmConfigChange change;
        change.autostart = true;
        m_hv.configure(spec.name, change, [this, name = spec.name, reply = std::move(reply)](Result<VmConfigOutcome> o) mutable {
            if (!o) return reply(o.error());
            refreshThenReply(name, std::move(reply));
        });
    });
}

void VmManager::remove(const std::string& name, Reply reply) {
    auto rec = existing(name);
    if (!rec) return reply(rec.error());
    if (vmIsActive((*rec)->info.state))
        return reply(makeError(ErrorClass::Conflict, "VM '" + name + "' is " +
                                                         std::string(vmStateName((*rec)->info.state)) +
                                                         "; shut it down first (`appliancectl vm shutdown " + name +
                                                         "`)"));
    m_hv.undefine(name, [this, name, reply = std::move(reply)](Status s) {
        if (!s) return reply(s.error());
        VmPaths paths = vmPaths(m_settings.runRoot, m_settings.shareRoot, name);
        std::error_code ec;
        fs::remove_all(paths.runDir, ec);
        fs::remove_all(paths.shareDir, ec);
        fs::remove(overlayPath(name), ec);  // a VM made from an image: its own disk goes with it
        removeBootFiles(name);
        m_inventory.apply(VmUpdate{name, "undefined", "", protocol::nowTimestampS(), std::nullopt});
        reply(Json{{"name", name}, {"deleted", true}});
    });
}

Status VmManager::copyBootFiles(const std::string& name, VmCreateSpec& spec) {
    std::error_code ec;
    fs::create_directories(m_settings.diskRoot, ec);
    fs::permissions(m_settings.diskRoot, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
    for (auto [path, suffix] : {std::pair{&spec.kernelPath, ".vmlinuz"}, std::pair{&spec.initrdPath, ".initrd"}}) {
        if (path->empty()) continue;
        const std::string copy = m_settings.diskRoot + "/" + name + suffix;
        fs::copy_file(*path, copy, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            removeBootFiles(name);
            return makeError(ErrorClass::Unavailable, "cannot copy " + *path + " to " + copy + ": " + ec.message() +
                                                          "; check disk_dir and free space");
        }
        fs::permissions(copy, fs::perms::owner_read | fs::perms::owner_write, ec);
        *path = copy;
    }
    return okStatus();
}

void VmManager::removeBootFiles(const std::string& name) {
    std::error_code ec;
    for (const char* suffix : {".vmlinuz", ".initrd"}) fs::remove(m_settings.diskRoot + "/" + name + suffix, ec);
}

std::string VmManager::overlayPath(const std::string& name) const { return m_settings.diskRoot + "/" + name + ".qcow2"; }

Result<std::string> VmManager::createOverlay(const std::string& name, const std::string& baseImage) {
    std::error_code ec;
    fs::create_directories(m_settings.diskRoot, ec);
    // Only root lists the disks; QEMU opens its own (libvirt hands it over at start).
    fs::permissions(m_settings.diskRoot, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
    const std::string overlay = overlayPath(name);
    if (fs::exists(overlay, ec))
        return makeError(ErrorClass::Conflict, "a disk for '" + name + "' is left over at " + overlay +
                                                   " (from a VM deleted outside the appliance?); move it away first");
    // qemu-img writes only the overlay's header (a few hundred KiB): quick enough for this thread.
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::execlp("qemu-img", "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", baseImage.c_str(),
                 overlay.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fs::remove(overlay, ec);
        return makeError(ErrorClass::Unavailable, "cannot create the disk " + overlay + " on " + baseImage +
                                                      (WIFEXITED(status) && WEXITSTATUS(status) == 127
                                                           ? ": qemu-img is not installed (package qemu-utils)"
                                                           : ": qemu-img failed (applianced's log has its message)"));
    }
    ::chmod(overlay.c_str(), 0600);
    return overlay;
}

Result<QemuIdentity> VmManager::prepareVmDirectories(const std::string& name, bool assignUser,
                                                     const std::set<uint32_t>& uidsInUse) {
    auto qemu = qemuIdentity(m_store, m_settings.qemuUsers, name, assignUser, uidsInUse);
    if (!qemu) return qemu.error();
    VmPaths paths = vmPaths(m_settings.runRoot, m_settings.shareRoot, name);
    std::error_code ec;
    // applianced's umask is 077; QEMU (another user) must pass through every directory it creates
    // on the way to a VM's own directory (0711: no listing of the others).
    for (const std::string& dir : {paths.runDir, paths.shareDir}) {
        fs::path made;
        for (const auto& part : fs::path(dir)) {
            made /= part;
            if (fs::exists(made, ec)) continue;
            if (!fs::create_directory(made, ec) && ec)
                return makeError(ErrorClass::Unavailable, "cannot create '" + made.string() + "': " + ec.message() +
                                                              "; check the run_dir and share_dir settings");
            fs::permissions(made, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
        }
    }
    // QEMU creates the VM's sockets in the run directory. Only this VM's QEMU: no group access,
    // as QEMU's group (kvm) is shared by every VM's QEMU and has other members on Debian.
    if (::chown(paths.runDir.c_str(), qemu->uid, qemu->gid) != 0)
        log()->warn("cannot hand '{}' to user {}: QEMU may fail to create its sockets", paths.runDir, qemu->uid);
    fs::permissions(paths.runDir, fs::perms::owner_all, ec);
    // The share holds the VM's secret: this VM's QEMU (which serves it to the guest) and root only.
    (void)::chown(paths.shareDir.c_str(), qemu->uid, 0);
    fs::permissions(paths.shareDir, fs::perms::owner_read | fs::perms::owner_exec, ec);
    // /dev/kvm is root:kvm 0660 and a VM's own user is in no supplementary group. The ACL does not
    // survive a host reboot (devtmpfs): it is given again before each start through applianced.
    if (qemu->ownUser && fs::exists("/dev/kvm", ec))
        if (auto s = grantGroupReadWrite("/dev/kvm", qemu->gid); !s)
            log()->warn("{}: a KVM VM of its own user cannot start; give group {} rw on /dev/kvm", s.error().message,
                        qemu->gid);
    return qemu;
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// The core of applianced: keeps the inventory in step with the hypervisor, records state changes
// in the audit log, announces them to subscribers, and carries out lifecycle and configuration
// requests with their preconditions (e.g. a graceful shutdown that forces off after a timeout).
// Arguments reaching it are already validated. Context: core thread.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/protocol.h"
#include "core/inventory.h"
#include "core/qemu_identity.h"
#include "hypervisor/hypervisor.h"
#include "audit/audit_log.h"
#include "state/state_store.h"

namespace appliance {

struct VmManagerSettings {
    std::string instance = "default";
    std::string runRoot = "/run/appliance/vms";
    std::string shareRoot = "/var/lib/appliance/share";
    std::string diskRoot = "/var/lib/appliance/disks";  ///< VMs' own disk overlays
    QemuUsers qemuUsers;  ///< who each VM's QEMU runs as
    std::string domainType = "qemu";
    int defaultShutdownTimeoutS = 60;
};

class VmManager final : public HypervisorListener {
public:
    using Json = protocol::Json;
    using Reply = std::function<void(Result<Json>)>;
    using EventSink = std::function<void(const std::string& name, const Json& data, double timestampS)>;

    VmManager(asio::io_context& io, Hypervisor& hypervisor, StateStore& store, AuditLog& audit, VmManagerSettings settings);

    void setEventSink(EventSink sink) { m_eventSink = std::move(sink); }
    /// Called once, after the first full sync with the hypervisor.
    void setOnFirstSync(std::function<void()> f) { m_onFirstSync = std::move(f); }
    bool synced() const { return m_synced; }
    const Inventory& inventory() const { return m_inventory; }
    /// Listeners run after the manager's own bookkeeping for each change.
    void addInventoryListener(Inventory::Listener l) { m_inventory.addListener(std::move(l)); }
    const VmManagerSettings& settings() const { return m_settings; }

    Json list() const;
    void info(const std::string& name, Reply reply);
    void start(const std::string& name, Reply reply);
    void shutdown(const std::string& name, int timeoutS, Reply reply);
    void destroy(const std::string& name, Reply reply);
    void reboot(const std::string& name, Reply reply);
    void suspend(const std::string& name, Reply reply);
    void resume(const std::string& name, Reply reply);
    void configure(const std::string& name, const VmConfigChange& change, Reply reply);
    void create(const VmCreateSpec& spec, Reply reply);
    void remove(const std::string& name, Reply reply);

    static Json toJson(const VmRecord& rec, bool detailed, double nowS);

    // HypervisorListener
    void onConnected(std::vector<VmInfo> snapshot) override;
    void onDisconnected(const std::string& reason) override;
    void onVmUpdate(VmUpdate update) override;
    void onStats(std::vector<VmStats> stats) override;

private:
    struct ShutdownWait;
    Result<const VmRecord*> existing(const std::string& name) const;
    void refreshThenReply(const std::string& name, Reply reply, Json extra = Json::object());
    /// Runs `op` if the VM is in one of `allowed`, else answers Conflict ending in `refusal`.
    void whenIn(const std::string& name, std::initializer_list<VmState> allowed, const std::string& refusal,
                void (Hypervisor::*op)(const std::string&, Hypervisor::Done<Ok>), Reply reply,
                Json extra = Json::object());
    void onInventoryChange(const InventoryChange& c);
    /// Makes the VM's run and share directories, owned by the user its QEMU runs as; with
    /// `assignUser`, a VM without a user of its own is given one first (vm.create).
    Result<QemuIdentity> prepareVmDirectories(const std::string& name, bool assignUser = false,
                                              const std::set<uint32_t>& uidsInUse = {});
    void defineNew(const VmCreateSpec& spec, const std::set<uint32_t>& uidsInUse, Reply reply);
    std::string overlayPath(const std::string& name) const;
    /// Points the spec at the VM's own copies of its kernel and initrd (in disk_dir).
    Status copyBootFiles(const std::string& name, VmCreateSpec& spec);
    void removeBootFiles(const std::string& name);
    Result<std::string> createOverlay(const std::string& name, const std::string& baseImage);
    void forceOffAfterTimeout(const std::shared_ptr<ShutdownWait>& wait);

    asio::io_context& m_io;
    Hypervisor& m_hv;
    StateStore& m_store;
    AuditLog& m_audit;
    VmManagerSettings m_settings;
    Inventory m_inventory;
    EventSink m_eventSink;
    std::function<void()> m_onFirstSync;
    bool m_synced = false;
    std::set<std::string> m_creating;  ///< names whose vm.create is under way
    bool m_firstSnapshot = true;
    std::map<std::string, std::vector<std::shared_ptr<ShutdownWait>>> m_shutdownWaits;
};

}  // namespace appliance

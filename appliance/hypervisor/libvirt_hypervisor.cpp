// SPDX-License-Identifier: GPL-2.0-or-later
#include "hypervisor/libvirt_hypervisor.h"

#include <mutex>
#include <regex>

#include <asio/post.hpp>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <sys/stat.h>

#include "common/logging.h"
#include "common/protocol.h"
#include "hypervisor/domain_xml.h"
#include "hypervisor/libvirt_names.h"

namespace appliance {

namespace {

auto log() {
    static auto l = logging::get("appliance.libvirt");
    return l;
}

struct DomainRef {
    virDomainPtr dom;
    ~DomainRef() { if (dom) virDomainFree(dom); }
};

void silentErrorHandler(void*, virErrorPtr) {}  // errors are read with virGetLastError instead

// libvirt's default event loop is process-wide and must be registered once, before any connection.
void registerEventLoopOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        virSetErrorFunc(nullptr, silentErrorHandler);
        virEventRegisterDefaultImpl();
    });
}

int lifecycleTrampoline(virConnectPtr, virDomainPtr dom, int event, int detail, void* opaque) {
    static_cast<LibvirtHypervisor*>(opaque)->onLifecycleFromEventThread(virDomainGetName(dom), event, detail);
    return 0;
}
void rebootTrampoline(virConnectPtr, virDomainPtr dom, void* opaque) {
    static_cast<LibvirtHypervisor*>(opaque)->onRebootFromEventThread(virDomainGetName(dom));
}
// The close callback runs on libvirt's event thread. Its opaque names the connection it was
// registered for (owner and generation, never changed after), so a late close of an old
// connection can never be mistaken for the current one's, and nothing is read unsynchronised.
struct CloseTarget {
    LibvirtHypervisor* owner;
    uint64_t generation;
};
void closeTrampoline(virConnectPtr, int reason, void* opaque) {
    auto* t = static_cast<CloseTarget*>(opaque);
    t->owner->onCloseFromEventThread(reason, t->generation);
}
void freeCloseTarget(void* opaque) { delete static_cast<CloseTarget*>(opaque); }
void heartbeatTrampoline(int, void* opaque) { static_cast<LibvirtHypervisor*>(opaque)->onHeartbeatFromEventThread(); }

std::optional<uint64_t> matchNumber(const std::string& text, const std::regex& re, int group = 1) {
    std::smatch m;
    if (!std::regex_search(text, m, re)) return std::nullopt;
    return std::stoull(m[group]);
}

}  // namespace

LibvirtHypervisor::LibvirtHypervisor(Options options, Poster toCore)
    : m_options(std::move(options)),
      m_toCore(std::move(toCore)),
      m_work(asio::make_work_guard(m_ctx)),
      m_reconnectTimer(m_ctx),
      m_statsTimer(m_ctx) {}

LibvirtHypervisor::~LibvirtHypervisor() { stop(); }

void LibvirtHypervisor::run(HypervisorListener* listener) {
    m_listener = listener;
    registerEventLoopOnce();
    m_heartbeatTimer = virEventAddTimeout(1000, heartbeatTrampoline, this, nullptr);
    m_eventThread = std::thread([this] {
        while (!m_stopping.load()) {
            if (virEventRunDefaultImpl() < 0) log()->error("libvirt event loop iteration failed");
        }
    });
    m_worker = std::thread([this] { m_ctx.run(); });
    asio::post(m_ctx, [this] { connect(); });
}

void LibvirtHypervisor::stop() {
    if (m_stopping.exchange(true)) return;
    if (m_worker.joinable()) {
        asio::post(m_ctx, [this] {
            m_reconnectTimer.cancel();
            m_statsTimer.cancel();
            dropConnection("");
            m_work.reset();
        });
        m_worker.join();
    }
    if (m_eventThread.joinable()) {
        virEventUpdateTimeout(m_heartbeatTimer, 0);  // wakes the event loop so it sees m_stopping
        m_eventThread.join();
        virEventRemoveTimeout(m_heartbeatTimer);
    }
}

// ---- connection (worker thread) ----

void LibvirtHypervisor::connect() {
    if (m_stopping.load() || m_conn) return;
    virConnectPtr conn = virConnectOpen(m_options.uri.c_str());
    if (!conn) {
        log()->warn("cannot connect to {}: {}; retrying in {} ms", m_options.uri, lastError("").message,
                    m_backoff.count());
        scheduleReconnect();
        return;
    }
    if (virConnectSetKeepAlive(conn, m_options.keepaliveIntervalS, m_options.keepaliveCount) < 0)
        log()->warn("keepalive not available on {}: {}", m_options.uri, lastError("").message);
    const uint64_t generation = m_generation + 1;
    virConnectRegisterCloseCallback(conn, closeTrampoline, new CloseTarget{this, generation}, freeCloseTarget);
    m_lifecycleCallback = virConnectDomainEventRegisterAny(conn, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                           VIR_DOMAIN_EVENT_CALLBACK(lifecycleTrampoline), this, nullptr);
    m_rebootCallback = virConnectDomainEventRegisterAny(conn, nullptr, VIR_DOMAIN_EVENT_ID_REBOOT,
                                                        VIR_DOMAIN_EVENT_CALLBACK(rebootTrampoline), this, nullptr);
    m_conn = conn;
    m_generation = generation;
    m_backoff = std::chrono::milliseconds(250);

    // Full resync: after any (re)connect the list from libvirt replaces whatever we believed.
    std::vector<VmInfo> snapshot;
    virDomainPtr* doms = nullptr;
    int n = virConnectListAllDomains(m_conn, &doms, 0);
    m_known.clear();
    m_prevCpu.clear();
    for (int i = 0; i < n; ++i) {
        DomainRef ref{doms[i]};
        if (!isOurs(ref.dom)) continue;
        auto info = readInfo(ref.dom);
        if (!info) continue;
        m_known.insert(info->name);
        snapshot.push_back(std::move(*info));
    }
    free(doms);
    if (n < 0) {
        log()->warn("listing domains failed: {}", lastError("").message);
        dropConnection("listing domains failed");
        return;
    }
    m_connected = true;
    log()->info("connected to {} ({} appliance VMs)", m_options.uri, snapshot.size());
    m_toCore([this, snapshot = std::move(snapshot)]() mutable { m_listener->onConnected(std::move(snapshot)); });
    scheduleStats();
}

void LibvirtHypervisor::scheduleReconnect() {
    if (m_stopping.load()) return;
    m_reconnectTimer.expires_after(m_backoff);
    m_reconnectTimer.async_wait([this](const asio::error_code& ec) {
        if (!ec) connect();
    });
    m_backoff = std::min(m_backoff * 2, m_options.maxBackoff);
}

void LibvirtHypervisor::dropConnection(const std::string& reason) {
    if (!m_conn) return;
    if (m_lifecycleCallback >= 0) virConnectDomainEventDeregisterAny(m_conn, m_lifecycleCallback);
    if (m_rebootCallback >= 0) virConnectDomainEventDeregisterAny(m_conn, m_rebootCallback);
    virConnectUnregisterCloseCallback(m_conn, closeTrampoline);
    virConnectClose(m_conn);
    m_conn = nullptr;
    m_lifecycleCallback = m_rebootCallback = -1;
    m_statsTimer.cancel();
    bool wasConnected = m_connected.exchange(false);
    if (reason.empty()) return;
    log()->warn("lost the connection to {}: {}", m_options.uri, reason);
    if (wasConnected) m_toCore([this, reason] { m_listener->onDisconnected(reason); });
    scheduleReconnect();
}

void LibvirtHypervisor::onCloseFromEventThread(int reason, uint64_t generation) {
    static const char* reasons[] = {"error", "end of file", "keepalive timeout", "client closed"};
    std::string why = (reason >= 0 && reason < 4) ? reasons[reason] : "unknown";
    // Compared on the worker thread, which alone writes m_generation.
    asio::post(m_ctx, [this, why, generation] {
        if (generation == m_generation) dropConnection("connection closed (" + why + ")");
    });
}

// ---- events (posted from the event thread to the worker) ----

void LibvirtHypervisor::onLifecycleFromEventThread(const std::string& name, int event, int detail) {
    double at = protocol::nowTimestampS();
    asio::post(m_ctx, [this, name, ev = libvirt_names::event(event), det = libvirt_names::eventDetail(event, detail), at] {
        handleDomainEvent(name, ev, det, at);
    });
}

void LibvirtHypervisor::onRebootFromEventThread(const std::string& name) {
    double at = protocol::nowTimestampS();
    asio::post(m_ctx, [this, name, at] { handleDomainEvent(name, "rebooted", "", at); });
}

void LibvirtHypervisor::handleDomainEvent(const std::string& name, std::string event, std::string detail, double atS) {
    if (!m_conn) return;
    VmUpdate update{name, std::move(event), std::move(detail), atS, std::nullopt};
    if (update.event == "undefined") {
        if (m_known.erase(name) == 0) return;
        m_prevCpu.erase(name);
    } else {
        DomainRef ref{virDomainLookupByName(m_conn, name.c_str())};
        if (!ref.dom) {  // gone already (e.g. a transient domain that stopped)
            if (m_known.erase(name) == 0) return;
        } else {
            if (!isOurs(ref.dom)) return;
            auto info = readInfo(ref.dom);
            if (!info) return;
            m_known.insert(name);
            update.info = std::move(*info);
        }
    }
    m_toCore([this, update = std::move(update)]() mutable { m_listener->onVmUpdate(std::move(update)); });
}

void LibvirtHypervisor::scheduleStats() {
    m_statsTimer.expires_after(m_options.statsInterval);
    m_statsTimer.async_wait([this](const asio::error_code& ec) {
        if (ec || !m_conn) return;
        collectStats();
        scheduleStats();
    });
}

namespace {
// The configured size says nothing about use without a balloon driver; QEMU's resident set does.
uint64_t residentKib(virDomainPtr dom) {
    virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
    int n = virDomainMemoryStats(dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0);
    for (int i = 0; i < n; ++i)
        if (stats[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) return stats[i].val;
    return 0;
}
}  // namespace

void LibvirtHypervisor::collectStats() {
    if (virConnectIsAlive(m_conn) != 1) {
        dropConnection("libvirt connection is no longer alive");
        return;
    }
    std::vector<VmStats> stats;
    virDomainPtr* doms = nullptr;
    int n = virConnectListAllDomains(m_conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE);
    auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        DomainRef ref{doms[i]};
        std::string name = virDomainGetName(ref.dom);
        if (!m_known.count(name)) continue;
        virDomainInfo info{};
        if (virDomainGetInfo(ref.dom, &info) < 0) continue;
        VmStats s{name, 0, info.memory, residentKib(ref.dom)};
        auto prev = m_prevCpu.find(name);
        if (prev != m_prevCpu.end() && info.cpuTime >= prev->second.first) {
            double wallNs = double(std::chrono::duration_cast<std::chrono::nanoseconds>(now - prev->second.second).count());
            if (wallNs > 0) s.cpuPercent = 100.0 * double(info.cpuTime - prev->second.first) / wallNs;
        }
        m_prevCpu[name] = {info.cpuTime, now};
        stats.push_back(s);
    }
    free(doms);
    m_toCore([this, stats = std::move(stats)]() mutable { m_listener->onStats(std::move(stats)); });
}

// ---- reading domains (worker thread) ----

bool LibvirtHypervisor::isOurs(virDomainPtr dom) {
    char* meta = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, kMetadataUri, 0);
    if (!meta) return false;
    bool ours = instanceFromMetadata(meta) == m_options.instance;
    free(meta);
    return ours;
}

Result<VmInfo> LibvirtHypervisor::readInfo(virDomainPtr dom) {
    static const std::regex typeRe(R"re(<domain type='(\w+)')re");
    static const std::regex memRe(R"re(<memory unit='KiB'>(\d+)</memory>)re");
    static const std::regex curMemRe(R"re(<currentMemory unit='KiB'>(\d+)</currentMemory>)re");
    static const std::regex vcpuRe(R"re(<vcpu[^>]*?(?:current='(\d+)')?[^>]*>(\d+)</vcpu>)re");

    VmInfo v;
    v.name = virDomainGetName(dom);
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    virDomainGetUUIDString(dom, uuid);
    v.uuid = uuid;
    int state = 0, reason = 0;
    if (virDomainGetState(dom, &state, &reason, 0) < 0) return lastError("reading the state of '" + v.name + "'");
    v.state = libvirt_names::state(state);
    v.reason = libvirt_names::reason(state, reason);
    virDomainInfo info{};
    if (virDomainGetInfo(dom, &info) < 0) return lastError("reading '" + v.name + "'");
    v.cpuTimeNs = info.cpuTime;
    int autostart = 0;
    virDomainGetAutostart(dom, &autostart);
    v.autostart = autostart != 0;
    if (char* desc = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_DESCRIPTION, nullptr, 0)) {
        v.description = desc;
        free(desc);
    } else {
        virResetLastError();
    }

    // The persistent definition: what applies at next boot.
    char* xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    if (!xml) return lastError("reading the definition of '" + v.name + "'");
    std::string def(xml);
    free(xml);
    std::smatch m;
    if (std::regex_search(def, m, typeRe)) v.domainType = m[1];
    uint64_t cfgMemory = matchNumber(def, curMemRe).value_or(matchNumber(def, memRe).value_or(info.maxMem));
    uint64_t cfgMaxMemory = matchNumber(def, memRe).value_or(info.maxMem);
    int cfgMaxVcpus = 0, cfgVcpus = 0;
    if (std::regex_search(def, m, vcpuRe)) {
        cfgMaxVcpus = std::stoi(m[2]);
        cfgVcpus = m[1].matched ? std::stoi(m[1]) : cfgMaxVcpus;
    }
    v.maxVcpus = cfgMaxVcpus;
    v.maxMemoryKib = cfgMaxMemory;
    if (vmIsActive(v.state)) {
        v.vcpus = int(info.nrVirtCpu);
        v.memoryKib = info.memory;
        v.pendingConfig = v.vcpus != cfgVcpus || v.memoryKib != cfgMemory;
        // The QEMU driver writes a pid file when the process starts: its time is the VM's start time.
        struct stat st{};
        if (::stat(("/run/libvirt/qemu/" + v.name + ".pid").c_str(), &st) == 0)
            v.startedAtS = double(st.st_mtim.tv_sec) + double(st.st_mtim.tv_nsec) / 1e9;
    } else {
        v.vcpus = cfgVcpus;
        v.memoryKib = cfgMemory;
    }
    return v;
}

Error LibvirtHypervisor::lastError(const std::string& context) {
    virErrorPtr e = virGetLastError();
    std::string msg = e && e->message ? e->message : "unknown libvirt error";
    ErrorClass cls = ErrorClass::Internal;
    if (e) {
        switch (e->code) {
        case VIR_ERR_NO_DOMAIN: cls = ErrorClass::NotFound; break;
        case VIR_ERR_OPERATION_INVALID: cls = ErrorClass::Conflict; break;
        case VIR_ERR_INVALID_ARG:
        case VIR_ERR_XML_ERROR:
        case VIR_ERR_CONFIG_UNSUPPORTED:
        case VIR_ERR_XML_DETAIL: cls = ErrorClass::InvalidArgument; break;
        case VIR_ERR_NO_CONNECT:
        case VIR_ERR_RPC:
        case VIR_ERR_SYSTEM_ERROR: cls = ErrorClass::Unavailable; break;
        case VIR_ERR_OPERATION_TIMEOUT:
        case VIR_ERR_AGENT_UNRESPONSIVE: cls = ErrorClass::Timeout; break;
        default: break;
        }
    }
    virResetLastError();
    return makeError(cls, context.empty() ? msg : context + ": " + msg);
}

Result<virDomainPtr> LibvirtHypervisor::lookupOurs(const std::string& name) {
    virDomainPtr dom = virDomainLookupByName(m_conn, name.c_str());
    if (dom && isOurs(dom)) return dom;
    if (dom) virDomainFree(dom);
    virResetLastError();
    return makeError(ErrorClass::NotFound, "no VM named '" + name +
                                               "' is managed by this appliance; `appliancectl vm list` shows the VMs");
}

// ---- commands ----

template <class T>
void LibvirtHypervisor::deliver(Done<T> done, Result<T> result) {
    m_toCore([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

template <class T>
void LibvirtHypervisor::submit(Done<T> done, std::function<Result<T>()> work) {
    asio::post(m_ctx, [this, done = std::move(done), work = std::move(work)]() mutable {
        if (!m_conn) {
            deliver<T>(std::move(done), makeError(ErrorClass::Unavailable,
                                                  "the hypervisor (" + m_options.uri +
                                                      ") is not connected; applianced is reconnecting, try again "
                                                      "shortly or check that libvirtd is running"));
            return;
        }
        deliver<T>(std::move(done), work());
    });
}

Result<Ok> LibvirtHypervisor::simpleOp(const std::string& name, const char* what, int (*op)(virDomainPtr)) {
    auto dom = lookupOurs(name);
    if (!dom) return dom.error();
    DomainRef ref{*dom};
    if (op(ref.dom) < 0) return lastError(std::string("cannot ") + what + " VM '" + name + "'");
    return Ok{};
}

void LibvirtHypervisor::info(const std::string& name, Done<VmInfo> done) {
    submit<VmInfo>(std::move(done), [this, name]() -> Result<VmInfo> {
        auto dom = lookupOurs(name);
        if (!dom) return dom.error();
        DomainRef ref{*dom};
        return readInfo(ref.dom);
    });
}

void LibvirtHypervisor::start(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] { return simpleOp(name, "start", virDomainCreate); });
}

void LibvirtHypervisor::shutdown(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] {
        return simpleOp(name, "shut down", [](virDomainPtr d) {
            return virDomainShutdownFlags(d, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
        });
    });
}

void LibvirtHypervisor::destroy(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] { return simpleOp(name, "force off", virDomainDestroy); });
}

void LibvirtHypervisor::reboot(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] {
        return simpleOp(name, "reboot", [](virDomainPtr d) { return virDomainReboot(d, VIR_DOMAIN_REBOOT_ACPI_POWER_BTN); });
    });
}

void LibvirtHypervisor::suspend(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] { return simpleOp(name, "suspend", virDomainSuspend); });
}

void LibvirtHypervisor::resume(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] { return simpleOp(name, "resume", virDomainResume); });
}

void LibvirtHypervisor::configure(const std::string& name, const VmConfigChange& change, Done<VmConfigOutcome> done) {
    submit<VmConfigOutcome>(std::move(done), [this, name, change]() -> Result<VmConfigOutcome> {
        auto domR = lookupOurs(name);
        if (!domR) return domR.error();
        DomainRef ref{*domR};
        auto before = readInfo(ref.dom);
        if (!before) return before.error();
        const bool active = vmIsActive(before->state);
        VmConfigOutcome out;
        const unsigned config = VIR_DOMAIN_AFFECT_CONFIG;
        if (change.vcpus) {
            int n = *change.vcpus;
            if (n > before->maxVcpus &&
                virDomainSetVcpusFlags(ref.dom, unsigned(n), config | VIR_DOMAIN_VCPU_MAXIMUM) < 0)
                return lastError("cannot raise the vCPU maximum of '" + name + "'");
            if (virDomainSetVcpusFlags(ref.dom, unsigned(n), config) < 0)
                return lastError("cannot set the vCPUs of '" + name + "'");
            bool live = false;
            if (active && n <= before->maxVcpus)
                live = virDomainSetVcpusFlags(ref.dom, unsigned(n), VIR_DOMAIN_AFFECT_LIVE) == 0;
            virResetLastError();
            (!active || live ? out.appliedNow : out.atNextBoot).push_back("vcpus");
        }
        if (change.memoryMib) {
            unsigned long kib = static_cast<unsigned long>(*change.memoryMib * 1024);
            if (virDomainSetMemoryFlags(ref.dom, kib, config | VIR_DOMAIN_MEM_MAXIMUM) < 0 ||
                virDomainSetMemoryFlags(ref.dom, kib, config) < 0)
                return lastError("cannot set the memory of '" + name + "'");
            // Guests have no balloon device, so a running guest's memory changes only at next boot.
            (active ? out.atNextBoot : out.appliedNow).push_back("memory_mib");
        }
        if (change.autostart) {
            if (virDomainSetAutostart(ref.dom, *change.autostart ? 1 : 0) < 0)
                return lastError("cannot set autostart of '" + name + "'");
            out.appliedNow.push_back("autostart");
        }
        if (change.description) {
            unsigned flags = config | (active ? VIR_DOMAIN_AFFECT_LIVE : 0);
            if (virDomainSetMetadata(ref.dom, VIR_DOMAIN_METADATA_DESCRIPTION, change.description->c_str(), nullptr,
                                     nullptr, flags) < 0)
                return lastError("cannot set the description of '" + name + "'");
            out.appliedNow.push_back("description");
        }
        return out;
    });
}

void LibvirtHypervisor::define(const std::string& domainXml, Done<VmInfo> done) {
    submit<VmInfo>(std::move(done), [this, domainXml]() -> Result<VmInfo> {
        DomainRef ref{virDomainDefineXML(m_conn, domainXml.c_str())};
        if (!ref.dom) return lastError("cannot define the VM");
        auto info = readInfo(ref.dom);
        if (info) m_known.insert(info->name);
        return info;
    });
}

void LibvirtHypervisor::undefine(const std::string& name, Done<Ok> done) {
    submit<Ok>(std::move(done), [this, name] {
        return simpleOp(name, "delete", [](virDomainPtr d) {
            return virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                                 VIR_DOMAIN_UNDEFINE_NVRAM);
        });
    });
}

void LibvirtHypervisor::dacUidsInUse(Done<std::set<uint32_t>> done) {
    submit<std::set<uint32_t>>(std::move(done), [this]() -> Result<std::set<uint32_t>> {
        if (!m_conn) return makeError(ErrorClass::Unavailable, "not connected to " + m_options.uri);
        virDomainPtr* doms = nullptr;
        int n = virConnectListAllDomains(m_conn, &doms, 0);
        if (n < 0) return lastError("cannot list the domains");
        std::set<uint32_t> uids;
        for (int i = 0; i < n; ++i) {
            DomainRef ref{doms[i]};
            // The persistent definition as well as the live one: a stopped VM keeps its id.
            for (unsigned flags : {0u, unsigned(VIR_DOMAIN_XML_INACTIVE)}) {
                char* xml = virDomainGetXMLDesc(ref.dom, flags);
                if (!xml) continue;
                uids.merge(dacUidsFromDomainXml(xml));
                free(xml);
            }
        }
        free(doms);
        return uids;
    });
}

void LibvirtHypervisor::ping(Done<Ok> done) {
    // Healthy when the worker runs queued work and the event loop has ticked since the last ping.
    uint64_t beats = m_eventLoopBeats.load();
    bool eventLoopAlive = beats != m_lastPingBeats;
    m_lastPingBeats = beats;
    asio::post(m_ctx, [this, done = std::move(done), eventLoopAlive]() mutable {
        deliver<Ok>(std::move(done), eventLoopAlive ? Result<Ok>(Ok{})
                                                    : Result<Ok>(makeError(ErrorClass::Internal,
                                                                           "libvirt event loop has not ticked")));
    });
}

}  // namespace appliance

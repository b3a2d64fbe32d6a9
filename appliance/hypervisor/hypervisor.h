// SPDX-License-Identifier: GPL-2.0-or-later
// The one interface the core uses to reach a hypervisor. The libvirt adapter implements it; tests
// that need to inject a fault may implement it too.
//
// Context: every method is called on the core thread and returns at once; completions and listener
// calls are delivered on the core thread too, through the poster given to the adapter.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "hypervisor/vm_types.h"

namespace appliance {

class HypervisorListener {
public:
    virtual ~HypervisorListener() = default;
    /// Connected (first time or after a reconnect): the full list of the appliance's VMs.
    virtual void onConnected(std::vector<VmInfo> snapshot) = 0;
    virtual void onDisconnected(const std::string& reason) = 0;
    virtual void onVmUpdate(VmUpdate update) = 0;
    virtual void onStats(std::vector<VmStats> stats) = 0;
};

class Hypervisor {
public:
    template <class T>
    using Done = std::function<void(Result<T>)>;

    virtual ~Hypervisor() = default;
    virtual void run(HypervisorListener* listener) = 0;  ///< begins connecting; retries forever
    virtual void stop() = 0;                              ///< joins the adapter's threads
    virtual bool connected() const = 0;
    virtual std::string uri() const = 0;

    virtual void info(const std::string& name, Done<VmInfo> done) = 0;
    virtual void start(const std::string& name, Done<Ok> done) = 0;
    virtual void shutdown(const std::string& name, Done<Ok> done) = 0;   ///< ACPI power button
    virtual void destroy(const std::string& name, Done<Ok> done) = 0;    ///< force off
    virtual void reboot(const std::string& name, Done<Ok> done) = 0;     ///< ACPI, graceful
    virtual void suspend(const std::string& name, Done<Ok> done) = 0;
    virtual void resume(const std::string& name, Done<Ok> done) = 0;
    virtual void configure(const std::string& name, const VmConfigChange& change, Done<VmConfigOutcome> done) = 0;
    virtual void define(const std::string& domainXml, Done<VmInfo> done) = 0;
    virtual void undefine(const std::string& name, Done<Ok> done) = 0;
    /// The user ids that every domain on this host (any instance's, or none's) runs QEMU as by a
    /// DAC label of its own, so that a new VM gets an id no other VM has.
    virtual void dacUidsInUse(Done<std::set<uint32_t>> done) = 0;
    /// Health of the adapter's own threads, for the watchdog: answers on the core thread.
    virtual void ping(Done<Ok> done) = 0;
};

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "hypervisor/libvirt_names.h"

#include <libvirt/libvirt.h>

namespace appliance::libvirt_names {

VmState state(int s) {
    switch (s) {
    case VIR_DOMAIN_NOSTATE: return VmState::NoState;
    case VIR_DOMAIN_RUNNING: return VmState::Running;
    case VIR_DOMAIN_BLOCKED: return VmState::Blocked;
    case VIR_DOMAIN_PAUSED: return VmState::Paused;
    case VIR_DOMAIN_SHUTDOWN: return VmState::ShuttingDown;
    case VIR_DOMAIN_SHUTOFF: return VmState::ShutOff;
    case VIR_DOMAIN_CRASHED: return VmState::Crashed;
    case VIR_DOMAIN_PMSUSPENDED: return VmState::PmSuspended;
    default: return VmState::NoState;
    }
}

std::string reason(int s, int r) {
    switch (s) {
    case VIR_DOMAIN_RUNNING:
        switch (r) {
        case VIR_DOMAIN_RUNNING_BOOTED: return "booted";
        case VIR_DOMAIN_RUNNING_MIGRATED: return "migrated";
        case VIR_DOMAIN_RUNNING_RESTORED: return "restored";
        case VIR_DOMAIN_RUNNING_UNPAUSED: return "unpaused";
        case VIR_DOMAIN_RUNNING_WAKEUP: return "wakeup";
        case VIR_DOMAIN_RUNNING_CRASHED: return "crashed";
        default: return "unknown";
        }
    case VIR_DOMAIN_PAUSED:
        switch (r) {
        case VIR_DOMAIN_PAUSED_USER: return "user";
        case VIR_DOMAIN_PAUSED_IOERROR: return "ioerror";
        case VIR_DOMAIN_PAUSED_SHUTTING_DOWN: return "shutdown";
        case VIR_DOMAIN_PAUSED_CRASHED: return "crashed";
        case VIR_DOMAIN_PAUSED_STARTING_UP: return "starting-up";
        default: return "unknown";
        }
    case VIR_DOMAIN_SHUTDOWN: return "user";
    case VIR_DOMAIN_SHUTOFF:
        switch (r) {
        case VIR_DOMAIN_SHUTOFF_SHUTDOWN: return "shutdown";
        case VIR_DOMAIN_SHUTOFF_DESTROYED: return "destroyed";
        case VIR_DOMAIN_SHUTOFF_CRASHED: return "crashed";
        case VIR_DOMAIN_SHUTOFF_MIGRATED: return "migrated";
        case VIR_DOMAIN_SHUTOFF_SAVED: return "saved";
        case VIR_DOMAIN_SHUTOFF_FAILED: return "failed";
        case VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT: return "from-snapshot";
        case VIR_DOMAIN_SHUTOFF_DAEMON: return "daemon";
        default: return "unknown";
        }
    case VIR_DOMAIN_CRASHED: return "panicked";
    default: return "unknown";
    }
}

std::string event(int e) {
    switch (e) {
    case VIR_DOMAIN_EVENT_DEFINED: return "defined";
    case VIR_DOMAIN_EVENT_UNDEFINED: return "undefined";
    case VIR_DOMAIN_EVENT_STARTED: return "started";
    case VIR_DOMAIN_EVENT_SUSPENDED: return "suspended";
    case VIR_DOMAIN_EVENT_RESUMED: return "resumed";
    case VIR_DOMAIN_EVENT_STOPPED: return "stopped";
    case VIR_DOMAIN_EVENT_SHUTDOWN: return "shutdown";
    case VIR_DOMAIN_EVENT_PMSUSPENDED: return "pmsuspended";
    case VIR_DOMAIN_EVENT_CRASHED: return "crashed";
    default: return "unknown";
    }
}

std::string eventDetail(int e, int d) {
    switch (e) {
    case VIR_DOMAIN_EVENT_STOPPED:
        switch (d) {
        case VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN: return "shutdown";
        case VIR_DOMAIN_EVENT_STOPPED_DESTROYED: return "destroyed";
        case VIR_DOMAIN_EVENT_STOPPED_CRASHED: return "crashed";
        case VIR_DOMAIN_EVENT_STOPPED_MIGRATED: return "migrated";
        case VIR_DOMAIN_EVENT_STOPPED_SAVED: return "saved";
        case VIR_DOMAIN_EVENT_STOPPED_FAILED: return "failed";
        default: return "other";
        }
    case VIR_DOMAIN_EVENT_STARTED:
        return d == VIR_DOMAIN_EVENT_STARTED_BOOTED ? "booted" : "other";
    case VIR_DOMAIN_EVENT_SUSPENDED:
        return d == VIR_DOMAIN_EVENT_SUSPENDED_PAUSED ? "paused" : "other";
    case VIR_DOMAIN_EVENT_RESUMED:
        return d == VIR_DOMAIN_EVENT_RESUMED_UNPAUSED ? "unpaused" : "other";
    case VIR_DOMAIN_EVENT_SHUTDOWN:
        return d == VIR_DOMAIN_EVENT_SHUTDOWN_GUEST ? "guest" : d == VIR_DOMAIN_EVENT_SHUTDOWN_HOST ? "host" : "finished";
    default: return "";
    }
}

}  // namespace appliance::libvirt_names

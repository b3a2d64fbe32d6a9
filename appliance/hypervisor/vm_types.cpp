// SPDX-License-Identifier: GPL-2.0-or-later
#include "hypervisor/vm_types.h"

namespace appliance {

std::string_view vmStateName(VmState s) {
    switch (s) {
    case VmState::NoState: return "no-state";
    case VmState::Running: return "running";
    case VmState::Blocked: return "blocked";
    case VmState::Paused: return "paused";
    case VmState::ShuttingDown: return "shutting-down";
    case VmState::ShutOff: return "shut-off";
    case VmState::Crashed: return "crashed";
    case VmState::PmSuspended: return "pmsuspended";
    case VmState::Invalid: break;
    }
    return "unknown";
}

bool vmIsActive(VmState s) {
    return s == VmState::Running || s == VmState::Blocked || s == VmState::Paused ||
           s == VmState::ShuttingDown || s == VmState::PmSuspended;
}

}  // namespace appliance

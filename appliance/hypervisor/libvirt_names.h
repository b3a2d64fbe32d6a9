// SPDX-License-Identifier: GPL-2.0-or-later
// libvirt's numeric states, reasons and lifecycle events as the words the appliance shows.
#pragma once

#include <string>

#include "hypervisor/vm_types.h"

namespace appliance::libvirt_names {

VmState state(int virState);
std::string reason(int virState, int virReason);
std::string event(int virEvent);
std::string eventDetail(int virEvent, int virDetail);

}  // namespace appliance::libvirt_names

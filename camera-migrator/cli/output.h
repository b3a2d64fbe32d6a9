// SPDX-License-Identifier: GPL-2.0-or-later
// camera-migrator's human output (the --json output is the types' toJson).
#pragma once

#include <vector>

#include "common/result.h"
#include "onvif/onvif_types.h"
#include "stream/stream_verifier.h"

namespace appliance::camera::cli {

void printDevices(const std::vector<DiscoveredDevice>& devices);
void printProbe(const ProbeReport& report);
void printStream(const StreamReport& report);
/// sysexits.h code for an error class: what a script can branch on.

}  // namespace appliance::camera::cli

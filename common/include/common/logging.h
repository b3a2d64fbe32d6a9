// SPDX-License-Identifier: GPL-2.0-or-later
// One named spdlog logger per library ("appliance.libvirt", "appliance.admin", ...). Levels come from
// SPDLOG_LEVEL; under systemd (JOURNAL_STREAM set) lines drop the timestamp the journal adds anyway.
#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace appliance::logging {

/// Call once at process start.
void setup(const std::string& programName);
/// The named logger, created on first use.
std::shared_ptr<spdlog::logger> get(const std::string& name);

}  // namespace appliance::logging

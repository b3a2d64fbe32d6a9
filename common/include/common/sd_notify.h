// SPDX-License-Identifier: GPL-2.0-or-later
// The systemd notification protocol (READY=1, WATCHDOG=1, STATUS=...), spoken directly on
// $NOTIFY_SOCKET so that daemons need no libsystemd. Without $NOTIFY_SOCKET every call is a no-op.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace appliance::sdnotify {

bool notify(const std::string& state);
/// The watchdog interval systemd asked for ($WATCHDOG_USEC, if meant for this process).
std::optional<std::chrono::microseconds> watchdogInterval();

}  // namespace appliance::sdnotify

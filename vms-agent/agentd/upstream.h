// SPDX-License-Identifier: GPL-2.0-or-later
// How vms-agentd reaches the agent server: finding the endpoint the directory names and opening it.
#pragma once

#include <string>

#include "common/protocol.h"
#include "common/result.h"

namespace appliance::agent {

/// The virtio-serial port the host named `portName`, as a device path (/dev/vportNpM).
/// No udev in small guests: the names are read from /sys/class/virtio-ports/*/name.
Result<std::string> findVirtioPort(const std::string& portName, const std::string& sysRoot = "/sys/class/virtio-ports");

/// Opens an endpoint for reading and writing, non-blocking: a device path, or "unix:PATH".
Result<int> openEndpoint(const std::string& endpoint);

/// Where to reach the agent server. `key` identifies it: a different key means reconnect.
struct Endpoint {
    std::string key;          ///< "/dev/vport1p1", "unix:/path" or "tls:HOST:PORT"
    std::string host;         ///< TLS only
    int port = 0;             ///< TLS only
    std::string fingerprint;  ///< TLS only: the pinned certificate
    bool tls() const { return key.rfind("tls:", 0) == 0; }
};

/// The endpoint to use from a directory document: an explicit override wins; else the
/// virtio-serial channel if this guest has it, else TCP+TLS.
Result<Endpoint> chooseEndpoint(const protocol::Json& directory, const std::string& override);

}  // namespace appliance::agent

// SPDX-License-Identifier: GPL-2.0-or-later
// WS-Discovery (2005/04, as ONVIF uses it) over gSOAP's wsdd plugin: a multicast Probe on a chosen
// interface, a direct (unicast) Probe of one address, and a watcher for Hello and Bye. Results are
// de-duplicated by endpoint reference. Answers must relate to our probe (RelatesTo); a second answer
// for an endpoint reference from another address is reported as a conflict, never merged; every
// text a device sends is sanitised; the number of devices is bounded.
// Context: blocking calls; each call uses its own gSOAP context and may run on any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "onvif/onvif_types.h"

namespace appliance::camera {

struct DiscoveryOptions {
    /// IPv4 address of the interface multicast goes out of (and the watcher listens on).
    std::string interfaceAddress = "127.0.0.1";
    std::chrono::milliseconds timeout{3000};  ///< devices answer within 0-500 ms of a probe
    /// Stop as soon as this many distinct devices have answered (0: wait the whole timeout).
    std::size_t expected = 0;
    std::string types = "dn:NetworkVideoTransmitter";
    /// At most this many devices are kept; answers beyond are ignored (a flood cannot fill memory).
    std::size_t maxDevices = 4096;
};

/// Probes 239.255.255.250:3702 from `interfaceAddress`; one entry per endpoint reference.
/// `onFound` (optional) is called as each new device answers, on the calling thread.
Result<std::vector<DiscoveredDevice>> discoverCameras(const DiscoveryOptions& options,
                                                      const std::function<void(const DiscoveredDevice&)>& onFound = {});

/// Probes one IPv4 unicast address directly (to host:3702, by the route to it: `interfaceAddress` is
/// not used), for networks where multicast does not pass. Only answers from that address count.
Result<std::vector<DiscoveredDevice>> probeAddress(const std::string& host, const DiscoveryOptions& options);

enum class Announcement { Invalid = 0, Hello, Bye };

/// Listens on UDP 3702 (shared with other listeners) for Hello and Bye until `stop` is set or
/// `duration` passes (zero: until stop). Calls `onAnnouncement` on the calling thread.
Status watchAnnouncements(const DiscoveryOptions& options, std::chrono::milliseconds duration, const std::atomic<bool>& stop,
                          const std::function<void(Announcement, const DiscoveredDevice&)>& onAnnouncement);

}  // namespace appliance::camera

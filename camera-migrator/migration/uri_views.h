// SPDX-License-Identifier: GPL-2.0-or-later
// The same camera stream seen from the host and from inside a VMS guest. Guests on QEMU's user
// networking reach the host's loopback at 10.0.2.2, so a camera the host reaches on 127.0.0.1
// (the simulator in tests) is 10.0.2.2 to the VMS; any other address is the same on both sides
// (the demo's camera network is routed to the guests). Only URIs without credentials pass here.
#pragma once

#include <string>

namespace appliance::migration {

struct UriViews {
    std::string guestLoopbackAlias = "10.0.2.2";

    std::string toGuest(const std::string& hostUri) const;
    std::string toHost(const std::string& guestUri) const;
    /// When VM `vm` records camera `cameraId` from another stream than the inventory's (compared
    /// as the guest sees them: two host loopback addresses are one to a guest), what to tell the
    /// administrator: the camera may have moved, and they confirm its stream, a guest never does.
    /// Empty when both are the same stream.
    std::string streamMovedNote(const std::string& vm, const std::string& cameraId, const std::string& inventoryUri,
                                const std::string& guestUri) const;
};

/// The host part of an rtsp:// or http:// URI ("" if none); IPv6 without its brackets.
std::string uriHost(const std::string& uri);
/// `uri` with its host replaced.
std::string withHost(const std::string& uri, const std::string& host);
bool isLoopbackHost(const std::string& host);

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
// gSOAP's WS-Discovery plugin calls fixed global functions (wsdd_event_*). This is the one place
// they are defined: each forwards to the WsddHandler in soap->user, so the discovery client and the
// simulated camera's responder can live in one program. A context without a handler ignores the
// message. Context: whichever thread runs soap_wsdd_listen on that context.
#pragma once

#include <string>

struct soap;
struct wsdd__ProbeMatchesType;

namespace appliance::camera {

/// One device as WS-Discovery describes it (Hello, Bye or ProbeMatch).
struct WsddDevice {
    std::string endpointReference;  ///< urn:uuid:..., the identity that survives an IP change
    std::string types, scopes, xaddrs;  ///< space-separated lists, as on the wire
    unsigned metadataVersion = 0;
    std::string relatesTo;  ///< for a ProbeMatch: the MessageID of the probe it answers
    std::string source;     ///< the sender's IP address, as the socket saw it
};

class WsddHandler {
public:
    virtual ~WsddHandler() = default;
    virtual void onHello(const WsddDevice&) {}
    virtual void onBye(const WsddDevice&) {}
    virtual void onProbeMatch(const WsddDevice&) {}
    /// A Probe arrived from `replyTo` ("soap.udp://ip:port"); answering is the handler's job.
    virtual void onProbe(const std::string& /*messageId*/, const std::string& /*replyTo*/, const std::string& /*types*/,
                         const std::string& /*scopes*/) {}
};

}  // namespace appliance::camera

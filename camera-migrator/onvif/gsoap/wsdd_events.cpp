// SPDX-License-Identifier: GPL-2.0-or-later
#include "wsdd_handler.h"

#include <arpa/inet.h>

#include "soapH.h"
#include "wsddapi.h"

using appliance::camera::WsddDevice;
using appliance::camera::WsddHandler;

namespace {
WsddHandler* handlerOf(struct soap* soap) { return static_cast<WsddHandler*>(soap->user); }
std::string str(const char* s) { return s ? s : ""; }
WsddDevice device(const char* epr, const char* types, const char* scopes, const char* xaddrs, unsigned version) {
    return {str(epr), str(types), str(scopes), str(xaddrs), version, "", ""};
}
std::string senderOf(struct soap* soap) {
    char ip[INET6_ADDRSTRLEN] = {};
    const auto* in = reinterpret_cast<const sockaddr_in*>(&soap->peer);
    if (in->sin_family == AF_INET) inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
    return ip;
}
}  // namespace

void wsdd_event_Hello(struct soap* soap, unsigned int, const char*, unsigned int, const char*, const char*,
                      const char* EndpointReference, const char* Types, const char* Scopes, const char*,
                      const char* XAddrs, unsigned int MetadataVersion) {
    if (auto* h = handlerOf(soap)) {
        WsddDevice d = device(EndpointReference, Types, Scopes, XAddrs, MetadataVersion);
        d.source = senderOf(soap);
        h->onHello(d);
    }
}

void wsdd_event_Bye(struct soap* soap, unsigned int, const char*, unsigned int, const char*, const char*,
                    const char* EndpointReference, const char* Types, const char* Scopes, const char*,
                    const char* XAddrs, unsigned int* MetadataVersion) {
    if (auto* h = handlerOf(soap)) {
        WsddDevice d = device(EndpointReference, Types, Scopes, XAddrs, MetadataVersion ? *MetadataVersion : 0);
        d.source = senderOf(soap);
        h->onBye(d);
    }
}

soap_wsdd_mode wsdd_event_Probe(struct soap* soap, const char* MessageID, const char*, const char* Types,
                                const char* Scopes, const char*, struct wsdd__ProbeMatchesType*) {
    if (auto* h = handlerOf(soap)) {
        // Answer to where the probe came from, whatever its ReplyTo says (WS-Discovery ad-hoc mode).
        const auto* in = reinterpret_cast<const sockaddr_in*>(&soap->peer);
        std::string replyTo = "soap.udp://" + senderOf(soap) + ":" + std::to_string(ntohs(in->sin_port));
        h->onProbe(str(MessageID), replyTo, str(Types), str(Scopes));
    }
    return SOAP_WSDD_MANAGED;  // the handler sends its own ProbeMatches, one per device
}

void wsdd_event_ProbeMatches(struct soap* soap, unsigned int, const char*, unsigned int, const char*, const char* RelatesTo,
                             struct wsdd__ProbeMatchesType* matches) {
    auto* h = handlerOf(soap);
    if (!h || !matches) return;
    const std::string source = senderOf(soap);
    for (int i = 0; i < matches->__sizeProbeMatch; ++i) {
        const wsdd__ProbeMatchType& m = matches->ProbeMatch[i];
        WsddDevice d = device(m.wsa__EndpointReference.Address, m.Types, m.Scopes ? m.Scopes->__item : nullptr, m.XAddrs,
                              m.MetadataVersion);
        d.relatesTo = str(RelatesTo);
        d.source = source;
        h->onProbeMatch(d);
    }
}

soap_wsdd_mode wsdd_event_Resolve(struct soap*, const char*, const char*, const char*, struct wsdd__ResolveMatchType*) {
    return SOAP_WSDD_MANAGED;  // not used: XAddrs come with every ProbeMatch
}

void wsdd_event_ResolveMatches(struct soap*, unsigned int, const char*, unsigned int, const char*, const char*,
                               struct wsdd__ResolveMatchType*) {}

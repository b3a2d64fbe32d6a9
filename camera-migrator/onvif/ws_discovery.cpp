// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/ws_discovery.h"

#include <arpa/inet.h>
#include <map>
#include <netinet/in.h>
#include <sys/socket.h>

#include "onvif/soap_support.h"
#include "wsaapi.h"
#include "wsdd_handler.h"
#include "wsddapi.h"

namespace appliance::camera {

namespace {

constexpr const char* kMulticastGroup = "239.255.255.250";
constexpr int kDiscoveryPort = 3702;
using Clock = std::chrono::steady_clock;

/// Collects answers to one probe, one entry per endpoint reference. A second answer from the same
/// address only adds addresses; from another address it is a conflict, kept apart. A probe sent to
/// one address (`onlyFrom`) takes answers from that address only.
class Collector final : public WsddHandler {
public:
    Collector(const std::function<void(const DiscoveredDevice&)>& onFound, std::string probeId, std::size_t maxDevices,
              std::string onlyFrom)
        : m_onFound(onFound), m_probeId(std::move(probeId)), m_maxDevices(maxDevices), m_onlyFrom(std::move(onlyFrom)) {}
    void onProbeMatch(const WsddDevice& d) override {
        if (d.endpointReference.empty()) return;  // a device without identity cannot be tracked
        if (d.relatesTo != m_probeId) return;     // not an answer to our probe: stale, replayed or forged
        if (!m_onlyFrom.empty() && d.source != m_onlyFrom) return;  // a third party answering for the address asked
        DiscoveredDevice dev = describeDevice(d.endpointReference, d.types, d.scopes, d.xaddrs, d.metadataVersion);
        dev.source = d.source;
        auto it = m_found.find(dev.endpointReference);
        if (it == m_found.end()) {
            if (m_found.size() >= m_maxDevices) return;
            m_found.emplace(dev.endpointReference, dev);
            m_order.push_back(dev.endpointReference);
            if (m_onFound) m_onFound(dev);
            return;
        }
        DiscoveredDevice& known = it->second;
        if (dev.source != known.source) {
            auto& c = known.conflictingSources;
            if (std::find(c.begin(), c.end(), dev.source) == c.end() && c.size() < 16) c.push_back(dev.source);
            return;
        }
        for (const auto& x : dev.xaddrs)
            if (known.xaddrs.size() < 64 && std::find(known.xaddrs.begin(), known.xaddrs.end(), x) == known.xaddrs.end())
                known.xaddrs.push_back(x);
    }
    std::size_t count() const { return m_found.size(); }
    std::vector<DiscoveredDevice> devices() const {
        std::vector<DiscoveredDevice> out;
        for (const auto& id : m_order) out.push_back(m_found.at(id));
        return out;
    }

private:
    const std::function<void(const DiscoveredDevice&)>& m_onFound;
    std::string m_probeId;
    std::size_t m_maxDevices;
    std::string m_onlyFrom;
    std::map<std::string, DiscoveredDevice> m_found;
    std::vector<std::string> m_order;
};

class Announcements final : public WsddHandler {
public:
    explicit Announcements(const std::function<void(Announcement, const DiscoveredDevice&)>& cb) : m_cb(cb) {}
    void onHello(const WsddDevice& d) override { forward(Announcement::Hello, d); }
    void onBye(const WsddDevice& d) override { forward(Announcement::Bye, d); }

private:
    void forward(Announcement a, const WsddDevice& d) {
        if (d.endpointReference.empty()) return;
        DiscoveredDevice dev = describeDevice(d.endpointReference, d.types, d.scopes, d.xaddrs, d.metadataVersion);
        dev.source = d.source;
        m_cb(a, dev);
    }
    const std::function<void(Announcement, const DiscoveredDevice&)>& m_cb;
};

ClientLimits discoveryLimits() {
    ClientLimits limits;
    limits.maxMessageBytes = 64 * 1024;  // a datagram
    return limits;
}

Result<in_addr> parseInterface(const std::string& address) {
    in_addr a{};
    if (inet_pton(AF_INET, address.c_str(), &a) != 1)
        return makeError(ErrorClass::InvalidArgument, "'" + address + "' is not an IPv4 interface address; give the address of the camera network's interface, e.g. 192.0.2.1");
    return a;
}

/// Listens on `soap` in short slices until the deadline or until `done()`.
void listenUntil(struct soap* soap, Clock::time_point deadline, const std::function<bool()>& done) {
    const ClientLimits limits = discoveryLimits();
    while (!done()) {
        auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
        if (left <= 0) break;
        soap_wsdd_listen(soap, -int(std::min<long long>(left, 100'000)));
        gsoap::applyLimits(soap, limits);  // soap_wsdd_listen leaves its own timeouts behind
    }
}

/// Multicast (`unicastTo` empty) goes out of the interface asked for; a probe to one address leaves
/// by the route to it, whatever the interface (bound to 127.0.0.1, it could reach only loopback).
Result<std::vector<DiscoveredDevice>> runProbe(const std::string& endpoint, const std::string& unicastTo,
                                               const DiscoveryOptions& options,
                                               const std::function<void(const DiscoveredDevice&)>& onFound) {
    const bool multicast = unicastTo.empty();
    gsoap::SoapPtr soap = gsoap::newBoundedContext(discoveryLimits(), SOAP_IO_UDP);
    soap_register_plugin(soap.get(), soap_wsa);
    in_addr iface{};
    if (multicast) {
        auto parsed = parseInterface(options.interfaceAddress);
        if (!parsed) return parsed.error();
        iface = *parsed;
        soap->ipv4_multicast_if = reinterpret_cast<char*>(&iface);
        soap->ipv4_multicast_ttl = 1;  // cameras are on the local segment; never further
    }
    soap->bind_flags = SO_REUSEADDR;
    if (!soap_valid_socket(soap_bind(soap.get(), multicast ? options.interfaceAddress.c_str() : nullptr, 0, 16)))
        return makeError(ErrorClass::Unavailable, multicast ? "cannot open a UDP socket on " + options.interfaceAddress +
                                                                  " for WS-Discovery; is that this machine's address?"
                                                            : std::string("cannot open a UDP socket for WS-Discovery"));
    const std::string probeId = soap_wsa_rand_uuid(soap.get());
    Collector collector(onFound, probeId, options.maxDevices, unicastTo);
    soap->user = &collector;
    const auto deadline = Clock::now() + options.timeout;
    if (soap_wsdd_Probe(soap.get(), SOAP_WSDD_ADHOC, SOAP_WSDD_TO_TS, endpoint.c_str(), probeId.c_str(),
                        nullptr, options.types.c_str(), nullptr, nullptr) != SOAP_OK)
        return makeError(ErrorClass::Unavailable, "cannot send the WS-Discovery probe to " + endpoint +
                                                      (multicast ? " from " + options.interfaceAddress : "") + " (gSOAP error " +
                                                      std::to_string(soap->error) + "); " +
                                                      (multicast ? "does that interface have multicast enabled and a route to 239.0.0.0/8?"
                                                                 : "does this machine have a route to it?"));
    listenUntil(soap.get(), deadline, [&] { return options.expected > 0 && collector.count() >= options.expected; });
    soap->user = nullptr;
    return collector.devices();
}

}  // namespace

Result<std::vector<DiscoveredDevice>> discoverCameras(const DiscoveryOptions& options,
                                                      const std::function<void(const DiscoveredDevice&)>& onFound) {
    return runProbe(std::string("soap.udp://") + kMulticastGroup + ":" + std::to_string(kDiscoveryPort), "", options,
                    onFound);
}

Result<std::vector<DiscoveredDevice>> probeAddress(const std::string& host, const DiscoveryOptions& options) {
    in_addr a{};
    if (inet_pton(AF_INET, host.c_str(), &a) != 1)
        return makeError(ErrorClass::InvalidArgument, "'" + host + "' is not an IPv4 address");
    const uint32_t h = ntohl(a.s_addr);
    if (h == INADDR_ANY || h == INADDR_BROADCAST || IN_MULTICAST(h))
        return makeError(ErrorClass::InvalidArgument, "'" + host + "' is not one camera's address; give a camera's "
                                                      "unicast address, or leave it out to probe by multicast");
    char canonical[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &a, canonical, sizeof canonical);  // as answers' senders are written
    return runProbe("soap.udp://" + std::string(canonical) + ":" + std::to_string(kDiscoveryPort), canonical, options, {});
}

Status watchAnnouncements(const DiscoveryOptions& options, std::chrono::milliseconds duration, const std::atomic<bool>& stop,
                          const std::function<void(Announcement, const DiscoveredDevice&)>& onAnnouncement) {
    auto iface = parseInterface(options.interfaceAddress);
    if (!iface) return iface.error();
    gsoap::SoapPtr soap = gsoap::newBoundedContext(discoveryLimits(), SOAP_IO_UDP);
    soap_register_plugin(soap.get(), soap_wsa);
    soap->bind_flags = SO_REUSEADDR;  // other discovery clients on this host keep working
    if (!soap_valid_socket(soap_bind(soap.get(), nullptr, kDiscoveryPort, 16)))
        return makeError(ErrorClass::Unavailable, "cannot listen on UDP port 3702 for WS-Discovery announcements");
    ip_mreq group{};
    inet_pton(AF_INET, kMulticastGroup, &group.imr_multiaddr);
    group.imr_interface = *iface;
    if (setsockopt(soap->master, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group) != 0)
        return makeError(ErrorClass::Unavailable, "cannot join the WS-Discovery group on " + options.interfaceAddress +
                                                      "; does that interface have multicast enabled?");
    Announcements handler(onAnnouncement);
    soap->user = &handler;
    const auto deadline = duration.count() > 0 ? Clock::now() + duration : Clock::time_point::max();
    listenUntil(soap.get(), deadline, [&] { return stop.load(); });
    soap->user = nullptr;
    return okStatus();
}

}  // namespace appliance::camera

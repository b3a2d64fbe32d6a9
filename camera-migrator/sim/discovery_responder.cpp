// SPDX-License-Identifier: GPL-2.0-or-later
#include "sim/discovery_responder.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <random>

#include "common/logging.h"
#include "soapH.h"
#include "wsaapi.h"
#include "wsdd_handler.h"
#include "wsddapi.h"

namespace appliance::camera::sim {

namespace {

constexpr const char* kGroupEndpoint = "soap.udp://239.255.255.250:3702";
constexpr const char* kTypes = "dn:NetworkVideoTransmitter tds:Device";

class ProbeHandler final : public WsddHandler {
public:
    explicit ProbeHandler(DiscoveryResponder& r) : m_responder(r) {}
    void onProbe(const std::string& messageId, const std::string& replyTo, const std::string& types,
                 const std::string&) override {
        m_responder.answerProbe(messageId, replyTo, types);
    }

private:
    DiscoveryResponder& m_responder;
};

/// A probe for any type, or for one a camera is, gets an answer.
bool typesMatch(const std::string& wanted) {
    if (wanted.empty()) return true;
    for (const char* t : {"NetworkVideoTransmitter", "Device"})
        if (wanted.find(t) != std::string::npos) return true;
    return false;
}

struct soap* newSender(const std::string& interfaceAddress, in_addr& iface) {
    struct soap* s = soap_new1(SOAP_IO_UDP | SOAP_C_UTFSTRING);
    soap_register_plugin(s, soap_wsa);
    inet_pton(AF_INET, interfaceAddress.c_str(), &iface);
    s->ipv4_multicast_if = reinterpret_cast<char*>(&iface);
    s->ipv4_multicast_ttl = 1;
    s->send_timeout = 1;
    return s;
}

/// The address a camera's answers come from: its own, as a real camera's do (a client checks that
/// the service address a camera names is the host the answer came from). Not the multicast
/// interface: where that is another one (the demo's loopback), an answer from it could not reach a
/// client that probed the camera's address from another network. A camera on every address
/// (0.0.0.0) answers from the interface.
std::string answerSource(const SimulatedCamera& cam, const std::string& interfaceAddress) {
    in_addr a{};
    const std::string& host = cam.config().host;
    if (inet_pton(AF_INET, host.c_str(), &a) == 1 && a.s_addr != htonl(INADDR_ANY)) return host;
    return interfaceAddress;
}

void freeSoap(struct soap* s) {
    soap_destroy(s);
    soap_end(s);
    soap_free(s);
}

}  // namespace

DiscoveryResponder::DiscoveryResponder(std::vector<SimulatedCamera*> cameras, std::string interfaceAddress)
    : m_cameras(std::move(cameras)), m_interface(std::move(interfaceAddress)) {}

DiscoveryResponder::~DiscoveryResponder() { stop(); }

Status DiscoveryResponder::start() {
    m_soap = soap_new1(SOAP_IO_UDP | SOAP_C_UTFSTRING);
    soap_register_plugin(m_soap, soap_wsa);
    m_soap->bind_flags = SO_REUSEADDR;  // clients and other responders on this host share the port
    m_soap->recv_maxlength = 64 * 1024;
    m_soap->maxlevel = 32;
    if (!soap_valid_socket(soap_bind(m_soap, nullptr, 3702, 16))) {
        freeSoap(m_soap);
        m_soap = nullptr;
        return makeError(ErrorClass::Unavailable, "cannot listen on UDP 3702 for WS-Discovery");
    }
    ip_mreq group{};
    inet_pton(AF_INET, "239.255.255.250", &group.imr_multiaddr);
    inet_pton(AF_INET, m_interface.c_str(), &group.imr_interface);
    if (setsockopt(m_soap->master, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group) != 0) {
        freeSoap(m_soap);
        m_soap = nullptr;
        return makeError(ErrorClass::Unavailable, "cannot join the WS-Discovery multicast group on " + m_interface +
                                                      "; enable multicast on that interface (ip link set lo multicast on) and "
                                                      "route 239.0.0.0/8 to it, or run with --no-discovery");
    }
    m_handler = new ProbeHandler(*this);
    m_soap->user = static_cast<WsddHandler*>(static_cast<ProbeHandler*>(m_handler));
    m_thread = std::thread([this] { run(); });
    announce(true);
    return okStatus();
}

void DiscoveryResponder::stop() {
    if (!m_soap) return;
    announce(false);
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    freeSoap(m_soap);
    m_soap = nullptr;
    delete static_cast<ProbeHandler*>(m_handler);
    m_handler = nullptr;
}

void DiscoveryResponder::run() {
    while (!m_stop) soap_wsdd_listen(m_soap, -200000);
}

void DiscoveryResponder::announce(bool hello) {
    in_addr iface{};
    struct soap* s = newSender(m_interface, iface);
    for (SimulatedCamera* cam : m_cameras) {
        const std::string xaddr = cam->deviceUrl(), scopes = cam->scopes();
        const char* epr = cam->config().endpointReference.c_str();
        const std::string from = answerSource(*cam, m_interface);
        s->client_addr = from.c_str();  // gSOAP forgets it after each send
        if (hello)
            soap_wsdd_Hello(s, SOAP_WSDD_ADHOC, kGroupEndpoint, soap_wsa_rand_uuid(s), nullptr, epr, kTypes, scopes.c_str(),
                            nullptr, xaddr.c_str(), 1);
        else
            soap_wsdd_Bye(s, SOAP_WSDD_ADHOC, kGroupEndpoint, soap_wsa_rand_uuid(s), epr, kTypes, scopes.c_str(), nullptr,
                          xaddr.c_str(), 1);
        s->client_addr = nullptr;  // `from` ends with this pass, even where a failed send left it set
        soap_destroy(s);
        soap_end(s);
    }
    freeSoap(s);
}

void DiscoveryResponder::answerProbe(const std::string& messageId, const std::string& replyTo, const std::string& types) {
    if (!typesMatch(types)) return;
    static thread_local std::mt19937 random{std::random_device{}()};
    std::uniform_int_distribution<int> delayMs(0, 500);
    std::vector<std::pair<int, SimulatedCamera*>> order;
    for (SimulatedCamera* cam : m_cameras) order.emplace_back(delayMs(random), cam);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    in_addr iface{};
    struct soap* s = newSender(m_interface, iface);
    const auto received = std::chrono::steady_clock::now();
    for (const auto& [delay, cam] : order) {
        std::this_thread::sleep_until(received + std::chrono::milliseconds(delay));
        const std::string xaddr = cam->deviceUrl(), scopes = cam->scopes();
        wsdd__ProbeMatchesType matches;
        soap_wsdd_init_ProbeMatches(s, &matches);
        soap_wsdd_add_ProbeMatch(s, &matches, cam->config().endpointReference.c_str(), kTypes, scopes.c_str(), nullptr,
                                 xaddr.c_str(), 1);
        const std::string from = answerSource(*cam, m_interface);
        s->client_addr = from.c_str();  // gSOAP forgets it after each send
        if (soap_wsdd_ProbeMatches(s, replyTo.c_str(), soap_wsa_rand_uuid(s), messageId.c_str(), nullptr, &matches) != SOAP_OK)
            logging::get("sim.discovery")->warn("cannot answer a probe from {} (gSOAP error {})", replyTo, s->error);
        s->client_addr = nullptr;  // `from` ends with this pass, even where a failed send left it set
        soap_destroy(s);
        soap_end(s);
    }
    freeSoap(s);
}

}  // namespace appliance::camera::sim

// SPDX-License-Identifier: GPL-2.0-or-later
#include "sim/simulated_camera.h"

#include <ctime>
#include <openssl/sha.h>

#include "common/logging.h"
#include "httpda.h"
#include "soapH.h"
#include "wsseapi.h"

namespace appliance::camera::sim {

std::string endpointReferenceFor(const std::string& name) {
    // RFC 4122 version 5 shape from SHA-1 of a fixed namespace and the name.
    unsigned char hash[SHA_DIGEST_LENGTH];
    const std::string input = "appliance-camera-sim/" + name;
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), hash);
    hash[6] = (hash[6] & 0x0f) | 0x50;
    hash[8] = (hash[8] & 0x3f) | 0x80;
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", hash[0], hash[1],
                  hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], hash[8], hash[9], hash[10], hash[11], hash[12],
                  hash[13], hash[14], hash[15]);
    return std::string("urn:uuid:") + out;
}

SimulatedCamera::SimulatedCamera(CameraConfig config) : m_config(std::move(config)) {
    if (m_config.endpointReference.empty()) m_config.endpointReference = endpointReferenceFor(m_config.name);
    if (m_config.serial.empty()) m_config.serial = "SIM-" + m_config.endpointReference.substr(9, 8);
}

SimulatedCamera::~SimulatedCamera() { stop(); }

// Defined in onvif_service.cpp: the per-context set-up of the service (plugins, HTTP GET handler).
void prepareServiceContext(struct soap* soap, SimulatedCamera* camera);

Status SimulatedCamera::start() {
    m_soap = soap_new1(SOAP_C_UTFSTRING);
    prepareServiceContext(m_soap, this);
    m_soap->bind_flags = SO_REUSEADDR;
    if (!soap_valid_socket(soap_bind(m_soap, m_config.host.c_str(), m_config.onvifPort, 64))) {
        soap_free(m_soap);
        m_soap = nullptr;
        return makeError(ErrorClass::Unavailable, "camera " + m_config.id + ": cannot listen on " + m_config.host + ":" +
                                                      std::to_string(m_config.onvifPort));
    }
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    getsockname(m_soap->master, reinterpret_cast<sockaddr*>(&addr), &len);
    m_onvifPort = ntohs(addr.sin_port);
    m_thread = std::thread([this] { serve(); });
    return okStatus();
}

void SimulatedCamera::stop() {
    if (!m_soap) return;
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    soap_destroy(m_soap);
    soap_end(m_soap);
    soap_free(m_soap);
    m_soap = nullptr;
}

void SimulatedCamera::serve() {
    // A short accept timeout so stop() is noticed; every request is bounded like a client's answer.
    m_soap->accept_timeout = -200000;
    while (!m_stop) {
        m_soap->recv_timeout = m_soap->send_timeout = 5;
        m_soap->recv_maxlength = 256 * 1024;
        m_soap->maxlevel = 64;
        if (!soap_valid_socket(soap_accept(m_soap))) continue;
        soap_serve(m_soap);
        soap_destroy(m_soap);
        soap_end(m_soap);
    }
}

std::string SimulatedCamera::deviceUrl() const {
    return "http://" + advertisedHost() + ":" + std::to_string(m_onvifPort) + "/onvif/device_service";
}
std::string SimulatedCamera::mediaUrl() const {
    return "http://" + advertisedHost() + ":" + std::to_string(m_onvifPort) + "/onvif/media_service";
}
std::string SimulatedCamera::streamUri(const std::string& profileToken) const {
    return "rtsp://" + advertisedHost() + ":" + std::to_string(m_config.rtspPort) + "/" + m_config.id + "/" + profileToken;
}
std::string SimulatedCamera::snapshotUri(const std::string& profileToken) const {
    return "http://" + advertisedHost() + ":" + std::to_string(m_onvifPort) + "/snapshot/" + profileToken + ".jpg";
}

namespace {
std::string scopeEscape(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += char(c);
        else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}
}  // namespace

std::string SimulatedCamera::scopes() const {
    return "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming "
           "onvif://www.onvif.org/name/" + scopeEscape(m_config.name) +
           " onvif://www.onvif.org/hardware/" + scopeEscape(m_config.hardware) +
           " onvif://www.onvif.org/location/" + scopeEscape(m_config.location);
}

long SimulatedCamera::now() const { return long(std::time(nullptr)) + m_config.clockOffsetS; }

}  // namespace appliance::camera::sim

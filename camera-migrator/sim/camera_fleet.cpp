// SPDX-License-Identifier: GPL-2.0-or-later
#include "sim/camera_fleet.h"

#include <cstdio>

#include "sim/snapshot.h"

namespace appliance::camera::sim {

CameraFleet::CameraFleet(FleetOptions options) : m_options(std::move(options)) {
    for (int i = 1; i <= m_options.count; ++i) {
        CameraConfig c = m_options.templateConfig;
        char id[16];
        std::snprintf(id, sizeof id, "cam%02d", i);
        c.id = id;
        c.name = m_options.namePrefix + " " + (i < 10 ? "0" : "") + std::to_string(i);
        c.endpointReference.clear();  // derived from the name: stable across restarts
        c.onvifPort = m_options.onvifPortBase ? m_options.onvifPortBase + i - 1 : 0;
        c.rtspPort = m_options.rtspPortBase ? m_options.rtspPortBase + i - 1 : 0;
        c.location = "zone-" + std::to_string((i - 1) / 8 + 1);
        m_cameras.push_back(std::make_unique<SimulatedCamera>(std::move(c)));
    }
}

CameraFleet::~CameraFleet() { stop(); }

Status CameraFleet::start() {
    std::vector<SimulatedCamera*> all;
    for (auto& cam : m_cameras) {
        auto jpeg = renderSnapshot(cam->config(), int(all.size()));  // the pattern its streams get below
        if (!jpeg) return jpeg.error();
        cam->setSnapshot(std::move(*jpeg));
        if (auto st = cam->start(); !st) return st;
        all.push_back(cam.get());
    }
    if (auto st = m_rtsp.start(all); !st) return st;
    if (m_options.discovery) {
        const std::string iface =
            m_options.interfaceAddress.empty() ? m_options.templateConfig.host : m_options.interfaceAddress;
        m_discovery = std::make_unique<DiscoveryResponder>(all, iface);
        if (auto st = m_discovery->start(); !st) return st;
    }
    return okStatus();
}

void CameraFleet::stop() {
    m_discovery.reset();  // Bye while the services still answer
    m_rtsp.stop();
    for (auto& cam : m_cameras) cam->stop();
}

nlohmann::json CameraFleet::describe(const SimulatedCamera& camera) {
    const CameraConfig& c = camera.config();
    return {{"id", c.id},
            {"name", c.name},
            {"endpoint_reference", c.endpointReference},
            {"device_url", camera.deviceUrl()},
            {"onvif_port", camera.onvifPort()},
            {"rtsp_port", c.rtspPort},
            {"main_uri", camera.streamUri("main")},
            {"sub_uri", camera.streamUri("sub")},
            {"user", c.user}};
}

}  // namespace appliance::camera::sim

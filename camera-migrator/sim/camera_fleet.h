// SPDX-License-Identifier: GPL-2.0-or-later
// Many simulated cameras in one process: ONVIF services, RTSP servers, snapshots and one discovery
// responder, started and stopped together.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/discovery_responder.h"
#include "sim/rtsp_cameras.h"
#include "sim/simulated_camera.h"

namespace appliance::camera::sim {

struct FleetOptions {
    int count = 4;
    std::string namePrefix = "Camera";
    int onvifPortBase = 0;  ///< camera i gets base+i; 0: any free ports
    int rtspPortBase = 0;
    bool discovery = true;
    std::string interfaceAddress;  ///< for WS-Discovery; default: the cameras' host
    CameraConfig templateConfig;   ///< host, credentials, faults and streams shared by every camera
};

class CameraFleet {
public:
    explicit CameraFleet(FleetOptions options);
    ~CameraFleet();
    Status start();
    void stop();
    const std::vector<std::unique_ptr<SimulatedCamera>>& cameras() const { return m_cameras; }
    /// One object per camera: identity, URLs and credentials user (never the password).
    static nlohmann::json describe(const SimulatedCamera& camera);

private:
    FleetOptions m_options;
    std::vector<std::unique_ptr<SimulatedCamera>> m_cameras;
    RtspCameras m_rtsp;
    std::unique_ptr<DiscoveryResponder> m_discovery;
};

}  // namespace appliance::camera::sim

// SPDX-License-Identifier: GPL-2.0-or-later
// One simulated ONVIF camera: identity, credentials, two profiles, and the faults a test may ask
// for. Its ONVIF device+media service runs on its own port in its own thread (a gSOAP server owns
// one thread); its streams are served by RtspCameras and its discovery by DiscoveryResponder.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "common/result.h"

struct soap;

namespace appliance::camera::sim {

/// How the camera checks credentials.
enum class AuthMode {
    Invalid = 0,
    WsUsernameToken,  ///< WS-Security UsernameToken digest (ONVIF's default); a wrong one gets a SOAP fault
    HttpDigest,       ///< HTTP digest only: 401 with a Digest challenge until the client answers it
    HttpBasic,        ///< HTTP Basic only (an old camera): the password travels in clear
};

struct StreamSpec {
    int width = 0, height = 0, fps = 0, bitrateKbps = 0;
};

struct CameraConfig {
    std::string id;                 ///< short, unique in the process: "cam01"; the RTSP path prefix
    std::string name, hardware = "SimCam-1000", location = "lab";
    std::string endpointReference;  ///< urn:uuid:...; derived from the name unless given
    std::string manufacturer = "Appliance Simulated Cameras", firmware = "1.0.0", serial;
    std::string host = "127.0.0.1";
    std::string advertiseHost;      ///< the host its answers name (default: host), e.g. as guests reach it
    int onvifPort = 0;              ///< 0: any free port
    int rtspPort = 0;               ///< 0: any free port
    std::string user = "admin", password = "admin";
    AuthMode auth = AuthMode::WsUsernameToken;
    long clockOffsetS = 0;          ///< the camera's clock runs this far from the host's
    int slowAnswersMs = 0;          ///< every ONVIF answer is delayed this long
    int streamStopsAfterS = 0;      ///< the stream ends after this long (0: never)
    int streamFreezesAfterS = 0;    ///< the stream stays open but sends nothing after this long (0: never)
    int maxRtspSessions = 0;        ///< RTSP clients served at once, over both streams (0: no limit)
    int busyStatus = 453;           ///< the RTSP status that refuses one more (453 or 503, as cameras differ)
    StreamSpec main{640, 360, 15, 1024}, sub{320, 180, 10, 256};
};

/// A stable urn:uuid: for a name (name-based, so a restarted simulator keeps its cameras' identity).
std::string endpointReferenceFor(const std::string& name);

class SimulatedCamera {
public:
    explicit SimulatedCamera(CameraConfig config);
    ~SimulatedCamera();
    SimulatedCamera(const SimulatedCamera&) = delete;
    SimulatedCamera& operator=(const SimulatedCamera&) = delete;

    /// Binds the ONVIF port and starts serving. Fails if the port is taken.
    Status start();
    void stop();

    const CameraConfig& config() const { return m_config; }
    int onvifPort() const { return m_onvifPort; }
    std::string deviceUrl() const;
    std::string mediaUrl() const;
    /// Set by the fleet once the RTSP server has its port.
    void setRtspPort(int port) { m_config.rtspPort = port; }
    std::string streamUri(const std::string& profileToken) const;
    std::string snapshotUri(const std::string& profileToken) const;
    /// The host named in the addresses this camera gives out.
    const std::string& advertisedHost() const { return m_config.advertiseHost.empty() ? m_config.host : m_config.advertiseHost; }
    std::string scopes() const;
    /// The camera's own clock: the host's plus the configured offset.
    long now() const;
    /// The JPEG served at the snapshot URI.
    void setSnapshot(std::string jpeg) { m_snapshot = std::move(jpeg); }
    const std::string& snapshot() const { return m_snapshot; }

private:
    void serve();
    CameraConfig m_config;
    int m_onvifPort = 0;
    std::string m_snapshot;
    struct soap* m_soap = nullptr;
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
};

}  // namespace appliance::camera::sim

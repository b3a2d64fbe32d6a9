// SPDX-License-Identifier: GPL-2.0-or-later
// The camera interface the migrator's core uses: one ONVIF device, asked one thing at a time.
// The gSOAP adapter (makeOnvifClient) is the real one; a test may wrap it to inject a fault.
// Context: one thread at a time per client (gSOAP contexts are not shared between threads).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "onvif/onvif_types.h"

namespace appliance::camera {

class CameraClient {
public:
    virtual ~CameraClient() = default;
    /// GetSystemDateAndTime (needs no credentials): the camera's clock minus ours, in seconds.
    /// Remembered: every later request is signed with the camera's own time.
    virtual Result<double> clockOffset() = 0;
    virtual Result<DeviceInformation> deviceInformation() = 0;
    /// From GetCapabilities, or GetServices if the camera has no Media capability listed.
    virtual Result<std::string> mediaServiceUrl() = 0;
    virtual Result<std::vector<VideoSource>> videoSources() = 0;
    virtual Result<std::vector<StreamProfile>> profiles() = 0;
    /// RTSP over unicast for the profile.
    virtual Result<std::string> streamUri(const std::string& profileToken) = 0;
    virtual Result<std::string> snapshotUri(const std::string& profileToken) = 0;
    /// The JPEG at `uri` (bounded by ClientLimits::maxSnapshotBytes).
    virtual Result<std::string> fetchSnapshot(const std::string& uri) = 0;
};

/// The gSOAP adapter. `deviceUrl` is the device service (see deviceServiceUrl()).
std::unique_ptr<CameraClient> makeOnvifClient(const std::string& deviceUrl, Credentials credentials,
                                              ClientLimits limits = {});

/// Device information + media URL + video sources + profiles + a stream URI (and snapshot URI)
/// for every profile: what the migrator needs to know to take a camera over.
Result<ProbeReport> probeCamera(CameraClient& client, const std::string& deviceUrl);

}  // namespace appliance::camera

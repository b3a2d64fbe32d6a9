// SPDX-License-Identifier: GPL-2.0-or-later
// What the migration engine checks on a camera itself, from the host, independent of any VMS:
// that its ONVIF service accepts the credentials, and that its stream decodes (our own GStreamer
// pipeline). Calls block; any thread (each call has its own client and pipeline).
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "migration/migration_types.h"

namespace appliance::migration {

struct DecodeReport {
    int frames = 0;
    double framesPerS = 0;
    int width = 0, height = 0;
    std::string codec;
};

class CameraChecks {
public:
    virtual ~CameraChecks() = default;
    /// The device answers and accepts the credentials (GetDeviceInformation); its model and firmware.
    virtual Result<Json> onvifDevice(const std::string& deviceUrl, const CameraCredentials& credentials) = 0;
    /// Opens the stream (host view) and decodes frames for a moment.
    virtual Result<DecodeReport> decodes(const std::string& streamUri, const CameraCredentials& credentials) = 0;
    /// One JPEG from the camera's ONVIF snapshot URI (its first profile's); no RTSP session.
    virtual Result<std::string> snapshot(const std::string& deviceUrl, const CameraCredentials& credentials) = 0;
};

/// The real checks: gSOAP for ONVIF, GStreamer for the stream.
std::unique_ptr<CameraChecks> makeCameraChecks();

}  // namespace appliance::migration

// SPDX-License-Identifier: GPL-2.0-or-later
// What a person types for a camera ("192.0.2.7", "cam.local:8080", a full URL) to the URL of its
// ONVIF device service.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace appliance::camera {

/// "host" -> http://host/onvif/device_service; "host:port" and full http(s) URLs are kept.
Result<std::string> deviceServiceUrl(const std::string& given);

/// The host of a URL ("rtsp://u:p@[::1]:554/x" -> "::1"), lower case; empty if there is none.
std::string urlHost(const std::string& url);

/// A camera's answers may only send us to the camera itself: `url` must be on the host of
/// `deviceUrl` or on one of `trustedHosts`. Otherwise no request, and no credentials, go there.
Status onCameraHost(const std::string& what, const std::string& url, const std::string& deviceUrl,
                    const std::vector<std::string>& trustedHosts);

}  // namespace appliance::camera

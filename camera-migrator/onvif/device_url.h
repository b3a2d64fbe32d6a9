// SPDX-License-Identifier: GPL-2.0-or-later
// What a person types for a camera ("192.0.2.7", "cam.local:8080", a full URL) to the URL of its
// ONVIF device service.
#pragma once

#include <string>

#include "common/result.h"

namespace appliance::camera {

/// "host" -> http://host/onvif/device_service; "host:port" and full http(s) URLs are kept.
Result<std::string> deviceServiceUrl(const std::string& given);

}  // namespace appliance::camera

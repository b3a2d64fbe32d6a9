// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/device_url.h"

namespace appliance::camera {

Result<std::string> deviceServiceUrl(const std::string& given) {
    if (given.empty()) return makeError(ErrorClass::InvalidArgument, "give the camera's address, e.g. 192.0.2.7 or 192.0.2.7:8080");
    if (given.rfind("http://", 0) == 0 || given.rfind("https://", 0) == 0) return given;
    if (given.find("://") != std::string::npos)
        return makeError(ErrorClass::InvalidArgument, "'" + given + "' is not an http(s) URL; ONVIF devices answer on http:// or https://");
    for (char c : given)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return makeError(ErrorClass::InvalidArgument, "'" + given + "' is not a host name or address");
    return "http://" + given + "/onvif/device_service";
}

}  // namespace appliance::camera

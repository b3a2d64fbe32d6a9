// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/device_url.h"

#include <cctype>

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

std::string urlHost(const std::string& url) {
    auto scheme = url.find("://");
    if (scheme == std::string::npos) return "";
    std::size_t start = scheme + 3;
    std::size_t end = url.find_first_of("/?#", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (auto at = authority.rfind('@'); at != std::string::npos) authority.erase(0, at + 1);
    std::string host;
    if (!authority.empty() && authority[0] == '[') {
        auto close = authority.find(']');
        if (close == std::string::npos) return "";
        host = authority.substr(1, close - 1);
    } else {
        host = authority.substr(0, authority.find(':'));
    }
    for (char& c : host) c = char(std::tolower(static_cast<unsigned char>(c)));
    return host;
}

Status onCameraHost(const std::string& what, const std::string& url, const std::string& deviceUrl,
                    const std::vector<std::string>& trustedHosts) {
    const std::string host = urlHost(url), own = urlHost(deviceUrl);
    if (!host.empty() && host == own) return okStatus();
    for (const auto& t : trustedHosts)
        if (!host.empty() && urlHost("x://" + t) == host) return okStatus();
    return makeError(ErrorClass::MalformedAnswer,
                     "the camera at " + own + " gave a " + what + " on another host ('" + host.substr(0, 64) +
                         "'); the appliance sends no request and no credentials there. If that host really serves "
                         "this camera, add it to the camera's trusted hosts");
}

}  // namespace appliance::camera

// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/uri_views.h"

#include "common/redact.h"

namespace appliance::migration {

namespace {

// [start, end) of the host in `uri`, or npos when it has no scheme://host.
std::pair<std::size_t, std::size_t> hostSpan(const std::string& uri) {
    std::size_t start = uri.find("://");
    if (start == std::string::npos) return {std::string::npos, 0};
    start += 3;
    std::size_t authorityEnd = uri.find_first_of("/?#", start);
    if (authorityEnd == std::string::npos) authorityEnd = uri.size();
    if (std::size_t at = uri.rfind('@', authorityEnd); at != std::string::npos && at >= start) start = at + 1;
    if (start < uri.size() && uri[start] == '[') {
        std::size_t close = uri.find(']', start);
        if (close == std::string::npos || close > authorityEnd) return {std::string::npos, 0};
        return {start, close + 1};
    }
    std::size_t colon = uri.find(':', start);
    return {start, colon != std::string::npos && colon < authorityEnd ? colon : authorityEnd};
}

}  // namespace

std::string uriHost(const std::string& uri) {
    auto [start, end] = hostSpan(uri);
    if (start == std::string::npos) return "";
    std::string host = uri.substr(start, end - start);
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return host;
}

std::string withHost(const std::string& uri, const std::string& host) {
    auto [start, end] = hostSpan(uri);
    if (start == std::string::npos) return uri;
    const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return uri.substr(0, start) + h + uri.substr(end);
}

bool isLoopbackHost(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string UriViews::toGuest(const std::string& hostUri) const {
    return isLoopbackHost(uriHost(hostUri)) ? withHost(hostUri, guestLoopbackAlias) : hostUri;
}

std::string UriViews::toHost(const std::string& guestUri) const {
    return uriHost(guestUri) == guestLoopbackAlias ? withHost(guestUri, "127.0.0.1") : guestUri;
}

std::string UriViews::streamMovedNote(const std::string& vm, const std::string& cameraId, const std::string& inventoryUri,
                                      const std::string& guestUri) const {
    if (inventoryUri.empty() || toGuest(inventoryUri) == guestUri) return "";
    return "VM '" + vm + "' records it from " + redact::uri(toHost(guestUri)) + ", the inventory has " +
           redact::uri(inventoryUri) + "; if the camera moved, confirm it with `camera-migrator camera add " + cameraId +
           " --uri URI`";
}

}  // namespace appliance::migration

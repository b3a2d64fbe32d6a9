// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/onvif_types.h"

#include "common/plain_text.h"

#include <sstream>

namespace appliance::camera {

std::vector<std::string> splitSpaces(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

namespace {
std::string percentDecode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}
}  // namespace

std::string scopeValue(const std::vector<std::string>& scopes, const std::string& key) {
    const std::string prefix = "onvif://www.onvif.org/" + key + "/";
    for (const auto& s : scopes)
        if (s.rfind(prefix, 0) == 0) return percentDecode(s.substr(prefix.size()));
    return {};
}

DiscoveredDevice describeDevice(const std::string& endpointReference, const std::string& types,
                                const std::string& scopes, const std::string& xaddrs, unsigned metadataVersion) {
    // A camera's words reach terminals, logs, JSON and the console: make them plain and bounded.
    constexpr std::size_t kMaxItems = 64, kMaxItemBytes = 512, kMaxNameBytes = 128;
    auto clean = [&](const std::string& list) {
        std::vector<std::string> out;
        for (const auto& item : splitSpaces(list)) {
            if (out.size() == kMaxItems) break;
            out.push_back(plainText(item, kMaxItemBytes));
        }
        return out;
    };
    DiscoveredDevice d;
    d.endpointReference = plainText(endpointReference, kMaxItemBytes);
    d.types = clean(types);
    d.scopes = clean(scopes);
    d.xaddrs = clean(xaddrs);
    d.metadataVersion = metadataVersion;
    // Percent-decoding can make new control characters: sanitise after it.
    d.name = plainText(scopeValue(splitSpaces(scopes), "name"), kMaxNameBytes);
    d.hardware = plainText(scopeValue(splitSpaces(scopes), "hardware"), kMaxNameBytes);
    d.location = plainText(scopeValue(splitSpaces(scopes), "location"), kMaxNameBytes);
    return d;
}

nlohmann::json toJson(const DeviceInformation& d) {
    return {{"manufacturer", d.manufacturer}, {"model", d.model}, {"firmware_version", d.firmwareVersion},
            {"serial_number", d.serialNumber}, {"hardware_id", d.hardwareId}};
}

nlohmann::json toJson(const ProbeReport& r) {
    nlohmann::json sources = nlohmann::json::array(), streams = nlohmann::json::array();
    for (const auto& v : r.videoSources)
        sources.push_back({{"token", v.token}, {"width", v.width}, {"height", v.height}, {"framerate", v.framerate}});
    for (const auto& s : r.streams)
        streams.push_back({{"profile", s.profile.token}, {"name", s.profile.name}, {"encoding", s.profile.encoding},
                           {"width", s.profile.width}, {"height", s.profile.height},
                           {"frame_rate_limit", s.profile.frameRateLimit}, {"bitrate_kbps", s.profile.bitrateLimitKbps},
                           {"video_source", s.profile.videoSourceToken}, {"stream_uri", s.streamUri},
                           {"snapshot_uri", s.snapshotUri}});
    return {{"device_url", r.deviceUrl}, {"media_url", r.mediaUrl}, {"clock_offset_s", r.clockOffsetS},
            {"device", toJson(r.device)}, {"video_sources", sources}, {"streams", streams}};
}

nlohmann::json toJson(const DiscoveredDevice& d) {
    return {{"endpoint_reference", d.endpointReference}, {"xaddrs", d.xaddrs}, {"scopes", d.scopes},
            {"types", d.types}, {"metadata_version", d.metadataVersion}, {"name", d.name},
            {"hardware", d.hardware}, {"location", d.location}, {"source", d.source},
            {"conflicting_sources", d.conflictingSources}};
}

}  // namespace appliance::camera

// SPDX-License-Identifier: GPL-2.0-or-later
// What the appliance knows of a camera, independent of how it was asked (gSOAP today).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace appliance::camera {

struct Credentials {
    std::string user, password;
    /// HTTP Basic sends the password in clear: only when an administrator enabled it for this camera.
    bool allowBasic = false;
    /// Hosts besides the camera's own that its answers (media service, stream, snapshot) may name.
    std::vector<std::string> trustedHosts;
    bool empty() const { return user.empty(); }
};

/// Bounds on everything a camera sends: cameras are untrusted input.
struct ClientLimits {
    std::chrono::milliseconds connectTimeout{3000};
    std::chrono::milliseconds ioTimeout{5000};       ///< one send or receive
    std::chrono::milliseconds transferTimeout{10000}; ///< one whole answer
    std::size_t maxMessageBytes = 1 << 20;            ///< one SOAP answer (a real one is < 64 KiB)
    std::size_t maxSnapshotBytes = 8 << 20;
    int maxDepth = 64;                                ///< XML nesting
    std::size_t maxOccurs = 1024;                     ///< items in one list (profiles, sources)
};

struct DeviceInformation {
    std::string manufacturer, model, firmwareVersion, serialNumber, hardwareId;
};

struct VideoSource {
    std::string token;
    int width = 0, height = 0;
    double framerate = 0;
};

struct StreamProfile {
    std::string token, name;
    std::string encoding;  ///< "H264", "JPEG", "MPEG4"; empty if the profile has no encoder
    int width = 0, height = 0;
    int frameRateLimit = 0, bitrateLimitKbps = 0;
    std::string videoSourceToken;
};

/// Everything `probe` learns about one camera.
struct ProbeReport {
    std::string deviceUrl, mediaUrl;
    double clockOffsetS = 0;  ///< camera clock minus ours
    DeviceInformation device;
    std::vector<VideoSource> videoSources;
    struct Stream {
        StreamProfile profile;
        std::string streamUri, snapshotUri;
    };
    std::vector<Stream> streams;
};

/// One device found by WS-Discovery.
struct DiscoveredDevice {
    std::string endpointReference;   ///< urn:uuid:..., the camera's identity
    std::vector<std::string> xaddrs; ///< device service URLs (may be stale after a DHCP change)
    std::vector<std::string> scopes, types;
    unsigned metadataVersion = 0;
    std::string name, hardware, location;  ///< from the onvif://www.onvif.org/... scopes
    std::string source;                    ///< the address the answer came from
    /// Other addresses that answered with the same endpoint reference: a conflict (a clone, a
    /// spoofer, or a camera that moved) for a person to resolve; never merged into this one.
    std::vector<std::string> conflictingSources;
};

/// The value of an `onvif://www.onvif.org/<key>/<value>` scope, percent-decoded; empty if absent.
std::string scopeValue(const std::vector<std::string>& scopes, const std::string& key);
std::vector<std::string> splitSpaces(const std::string& text);
/// Every text is sanitised (invalid UTF-8, control characters, terminal escapes) and bounded.
DiscoveredDevice describeDevice(const std::string& endpointReference, const std::string& types,
                                const std::string& scopes, const std::string& xaddrs, unsigned metadataVersion);

nlohmann::json toJson(const DeviceInformation&);
nlohmann::json toJson(const ProbeReport&);
nlohmann::json toJson(const DiscoveredDevice&);

}  // namespace appliance::camera

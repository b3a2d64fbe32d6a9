// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/output.h"

#include <cstdio>
#include <sysexits.h>

namespace appliance::camera::cli {

namespace {
std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
    return out;
}
}  // namespace

void printDevices(const std::vector<DiscoveredDevice>& devices) {
    std::printf("%-22s %-16s %-10s %-47s %s\n", "NAME", "HARDWARE", "LOCATION", "ENDPOINT REFERENCE", "ADDRESS");
    for (const auto& d : devices) {
        std::printf("%-22s %-16s %-10s %-47s %s\n", d.name.c_str(), d.hardware.c_str(), d.location.c_str(),
                    d.endpointReference.c_str(), join(d.xaddrs).c_str());
        if (!d.conflictingSources.empty())
            std::printf("  CONFLICT: %s also answered as this camera; check for a cloned or spoofed device\n",
                        join(d.conflictingSources).c_str());
    }
    std::printf("%zu camera%s found\n", devices.size(), devices.size() == 1 ? "" : "s");
}

void printProbe(const ProbeReport& r) {
    std::printf("device:    %s %s (firmware %s, serial %s)\n", r.device.manufacturer.c_str(), r.device.model.c_str(),
                r.device.firmwareVersion.c_str(), r.device.serialNumber.c_str());
    std::printf("service:   %s\nmedia:     %s\n", r.deviceUrl.c_str(), r.mediaUrl.c_str());
    std::printf("clock:     %+.0f s from this host%s\n", r.clockOffsetS,
                std::abs(r.clockOffsetS) > 60 ? " (requests are signed with the camera's time)" : "");
    for (const auto& v : r.videoSources)
        std::printf("source:    %s %dx%d @ %.0f fps\n", v.token.c_str(), v.width, v.height, v.framerate);
    for (const auto& s : r.streams) {
        std::printf("profile:   %-6s %-12s %s %dx%d @ %d fps, %d kbit/s\n", s.profile.token.c_str(), s.profile.name.c_str(),
                    s.profile.encoding.c_str(), s.profile.width, s.profile.height, s.profile.frameRateLimit,
                    s.profile.bitrateLimitKbps);
        std::printf("  stream:   %s\n", s.streamUri.c_str());
        if (!s.snapshotUri.empty()) std::printf("  snapshot: %s\n", s.snapshotUri.c_str());
    }
}

void printStream(const StreamReport& r) {
    std::printf("video flows: %s %dx%d, first frame after %.3f s, %.1f frames/s (%d frames measured)\n", r.codec.c_str(),
                r.width, r.height, r.firstFrameS, r.framesPerS, r.frames);
}

}  // namespace appliance::camera::cli

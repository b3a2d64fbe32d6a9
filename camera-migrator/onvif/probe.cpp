// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/camera_client.h"

namespace appliance::camera {

Result<ProbeReport> probeCamera(CameraClient& client, const std::string& deviceUrl) {
    ProbeReport report;
    report.deviceUrl = deviceUrl;
    // The clock first: authenticated requests are signed with the camera's time.
    auto offset = client.clockOffset();
    if (!offset) return offset.error();
    report.clockOffsetS = *offset;
    auto info = client.deviceInformation();
    if (!info) return info.error();
    report.device = std::move(*info);
    auto media = client.mediaServiceUrl();
    if (!media) return media.error();
    report.mediaUrl = *media;
    auto sources = client.videoSources();
    if (!sources) return sources.error();
    report.videoSources = std::move(*sources);
    auto profiles = client.profiles();
    if (!profiles) return profiles.error();
    if (profiles->empty())
        return makeError(ErrorClass::NotFound, "the camera at " + deviceUrl + " has no media profile; create one in its web page");
    for (auto& p : *profiles) {
        auto uri = client.streamUri(p.token);
        if (!uri) return uri.error();
        ProbeReport::Stream s{std::move(p), std::move(*uri), {}};
        // A snapshot is optional in Profile S: its absence is not a failed probe.
        if (auto snap = client.snapshotUri(s.profile.token)) s.snapshotUri = *snap;
        report.streams.push_back(std::move(s));
    }
    return report;
}

}  // namespace appliance::camera

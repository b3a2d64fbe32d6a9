// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/motion_camera_files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <grp.h>
#include <sstream>

#include "adapters/http_client.h"
#include "adapters/local_files.h"

namespace appliance::agent::motion {

namespace {
constexpr int kDefaultWidth = 320;   // a sub stream; motion decodes every frame at this size
constexpr int kDefaultHeight = 184;  // 180 rounded up to motion's multiple of 8
constexpr int kDefaultFps = 5;

int multipleOf8(int v) { return (v + 7) / 8 * 8; }

/// As motion 4.5.1's conf.c reads a value: trimmed, and one pair of surrounding quotes removed.
std::string unquote(std::string v) {
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.pop_back();
    auto start = v.find_first_not_of(" \t=");
    v = start == std::string::npos ? "" : v.substr(start);
    if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
        v = v.substr(1, v.size() - 2);
    return v;
}

/// Quoted, so that motion keeps leading and trailing characters as they are.
std::string quote(const std::string& v) { return "\"" + v + "\""; }
}  // namespace

Result<std::vector<Slot>> readSlots(const std::string& dir) {
    std::vector<Slot> slots;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) return makeError(ErrorClass::Unavailable, "cannot list motion's camera directory " + dir + ": " + ec.message());
    for (const auto& entry : it) {
        const std::string file = entry.path().filename().string();
        if (file.rfind("cam-", 0) != 0 || file.size() < 9 || file.substr(file.size() - 5) != ".conf") continue;
        auto text = readSmallFile(entry.path().string());
        if (!text) return text.error();
        Slot s;
        s.path = entry.path().string();
        std::istringstream in(*text);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind(kOnvifIdTag, 0) == 0) s.onvifId = unquote(line.substr(std::strlen(kOnvifIdTag)));
            if (line.empty() || line[0] == '#' || line[0] == ';') continue;
            auto sp = line.find_first_of(" \t=");
            const std::string key = line.substr(0, sp), value = sp == std::string::npos ? "" : unquote(line.substr(sp));
            if (key == "camera_id") s.cameraId = std::atoi(value.c_str());
            else if (key == "camera_name") s.name = value;
            else if (key == "netcam_url") s.netcamUrl = value;
        }
        if (s.cameraId <= 0) continue;  // not a slot motion can address by id
        s.spare = s.netcamUrl == kSpareUrl;
        slots.push_back(std::move(s));
    }
    std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.cameraId < b.cameraId; });
    return slots;
}

SlotConfig slotConfigFor(const CameraSpec& spec) {
    SlotConfig c;
    c.name = spec.name;
    c.netcamUrl = spec.streamUri;
    // motion 4.5.1 writes netcam_userpass verbatim into the URL it gives ffmpeg
    // (rtsp://USERPASS@host...), and ffmpeg percent-decodes the user information: encoding both
    // parts keeps '@', ':', '/' and '%' in a password intact. Without credentials, ":" (ffmpeg
    // answers a challenge with empty ones; a camera without authentication never challenges).
    c.userpass = spec.username.empty() ? ":" : http::urlEncode(spec.username) + ":" + http::urlEncode(spec.password);
    c.onvifId = spec.onvifId;
    c.width = multipleOf8(spec.width ? spec.width : kDefaultWidth);
    c.height = multipleOf8(spec.height ? spec.height : kDefaultHeight);
    c.fps = spec.fps ? spec.fps : kDefaultFps;
    return c;
}

std::string renderCamera(int cameraId, const SlotConfig& c) {
    std::ostringstream o;
    o << "# Camera slot " << cameraId << " of the appliance's motion guest, written by vms-agentd: it holds\n"
      << "# the camera's password, so root:motion 0640. The agent rewrites it; edits are lost.\n";
    if (!c.onvifId.empty()) o << kOnvifIdTag << c.onvifId << "\n";
    o << "camera_id " << cameraId << "\n"
      << "camera_name " << quote(c.name) << "\n"
      << "netcam_url " << c.netcamUrl << "\n"
      << "netcam_userpass " << quote(c.userpass) << "\n"
      << "netcam_params rtsp_transport=tcp\n"
      << "width " << c.width << "\nheight " << c.height << "\nframerate " << c.fps << "\n"
      << "# Record continuously (motion.conf has the recording settings).\n"
      << "movie_output on\nemulate_motion on\n";
    return o.str();
}

std::string renderSpare(int cameraId) {
    std::ostringstream o;
    o << "# Spare camera slot " << cameraId << " of the appliance's motion guest: vms-agentd puts a camera\n"
      << "# here without restarting motion's other cameras (images/vms-guest/README.md).\n"
      << "camera_id " << cameraId << "\n"
      << "camera_name spare-" << cameraId << "\n"
      << "netcam_url " << kSpareUrl << "\n";
    return o.str();
}

Status writeSlot(const std::string& path, const std::string& text) {
    errno = 0;
    const group* g = ::getgrnam("motion");
    if (!g)
        return makeError(ErrorClass::Unavailable,
                         "there is no group 'motion' in this guest; is motion (Debian's package) installed?");
    return writeFileAtomically(path, text, 0640, g->gr_gid);
}

}  // namespace appliance::agent::motion

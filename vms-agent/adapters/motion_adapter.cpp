// SPDX-License-Identifier: GPL-2.0-or-later
// motion's commands: info, add, remove (see motion_adapter.h); the state probes are in
// motion_probe.cpp.
#include "adapters/motion_adapter.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <sstream>

#include "adapters/local_files.h"
#include "common/logging.h"

namespace appliance::agent {

using motion::Slot;

namespace {
auto log() {
    static auto l = logging::get("agent.vms");
    return l;
}
// motion 4.5.1 copies a request's URL into 512 bytes (WEBUI_LEN_URLI) and cuts the rest silently.
constexpr std::size_t kMaxControlUrl = 511;

/// motion URL-decodes the whole request line before splitting it, and a config/set value is the
/// rest of the line: only what HTTP or that decoding would change needs encoding. Keeps the URL
/// short (see kMaxControlUrl).
std::string controlEncode(const std::string& v) { return http::urlEncode(v, "/:@!$&'()*,;=?[]"); }

std::string slotsHint(const MotionOptions& o) {
    return "the motion guest ships spare camera files " + o.cameraDir +
           "/cam-*.conf (images/vms-guest/motion/setup.sh); restore them and run `systemctl restart motion`";
}
}  // namespace

MotionAdapter::MotionAdapter(MotionOptions options)
    : m_opt(std::move(options)),
      m_web(http::Options{m_opt.host, m_opt.webPort, 3000, 10000, 64 * 1024, 256 * 1024}),
      m_stream(http::Options{m_opt.host, m_opt.streamPort, 3000, 5000, 64 * 1024, 2 * 1024 * 1024}) {}

Result<std::string> MotionAdapter::control(const std::string& target, const std::string& what) {
    if (target.size() > kMaxControlUrl)
        return makeError(ErrorClass::InvalidArgument, what + ": the request is over motion's limit of " +
                                                          std::to_string(kMaxControlUrl) + " bytes; use a shorter value");
    auto r = m_web.get(target);
    if (!r) {
        Error e = r.error();
        e.message = what + ": motion's web control did not answer (" + e.message + "); is motion running? `systemctl status motion`";
        return e;
    }
    if (r->status != 200 || r->body.find("Done") == std::string::npos)
        return makeError(ErrorClass::MalformedAnswer,
                         what + ": motion's web control refused it (HTTP " + std::to_string(r->status) + ")");
    return std::move(r->body);
}

Status MotionAdapter::set(int cameraId, const std::string& key, const std::string& value) {
    auto r = control("/" + std::to_string(cameraId) + "/config/set?" + key + "=" + controlEncode(value),
                     "setting " + key + " of motion camera " + std::to_string(cameraId));
    if (!r) return r.error();
    // The answer is "KEY = VALUE" (never put into a message: it may be the password); a key motion
    // ignores (unknown, or above webcontrol_parms) is not echoed.
    if (r->find(key + " = ") == std::string::npos)
        return makeError(ErrorClass::MalformedAnswer, "motion did not take " + key + " for camera " + std::to_string(cameraId) +
                                                          " (check webcontrol_parms in motion.conf)");
    return okStatus();
}

std::string MotionAdapter::confValue(const std::string& key, const std::string& fallback) {
    auto conf = readSmallFile(m_opt.motionConf);
    if (!conf) return fallback;
    std::istringstream in(*conf);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + " ", 0) == 0) {
            auto v = line.substr(key.size() + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            v.erase(v.find_last_not_of(" \t\r") + 1);
            return v.empty() ? fallback : v;
        }
    return fallback;
}

Result<MotionAdapter::Home> MotionAdapter::home() {
    auto r = m_web.get("/");
    if (!r || r->status != 200)
        return makeError(r ? ErrorClass::MalformedAnswer : r.error().cls,
                         "motion's web control on " + m_opt.host + ":" + std::to_string(m_opt.webPort) + " does not answer" +
                             (r ? " (HTTP " + std::to_string(r->status) + ")" : ": " + r.error().message) +
                             "; is motion running? `systemctl status motion`");
    // "Motion 4.5.1 Running [2] Cameras" then one camera id per line (0 alone: no camera file).
    Home h;
    std::istringstream in(r->body);
    std::string line;
    std::getline(in, line);
    if (line.rfind("Motion ", 0) == 0) h.version = line.substr(7, line.find(' ', 7) - 7);
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();  // "102 "
        if (!line.empty() && std::all_of(line.begin(), line.end(), [](char c) { return c >= '0' && c <= '9'; }))
            h.cameraIds.push_back(std::atoi(line.c_str()));
    }
    return h;
}

Result<VmsInfo> MotionAdapter::info() {
    VmsInfo info;
    info.product = "motion";
    auto slots = motion::readSlots(m_opt.cameraDir);
    if (!slots) return slots.error();
    info.cameraLimit = int(slots->size());
    info.cameras = int(std::count_if(slots->begin(), slots->end(), [](const Slot& s) { return !s.spare; }));
    auto h = home();
    if (!h) {
        info.reason = h.error().message;
        return info;
    }
    info.version = h->version;
    if (slots->empty()) {
        info.reason = "motion has no camera slots in " + m_opt.cameraDir + "; " + slotsHint(m_opt);
        return info;
    }
    for (const Slot& s : *slots)
        if (std::find(h->cameraIds.begin(), h->cameraIds.end(), s.cameraId) == h->cameraIds.end()) {
            info.reason = "motion has not loaded " + s.path + " (it reads camera files when it starts); run `systemctl restart motion`";
            return info;
        }
    info.ready = true;
    return info;
}

Status MotionAdapter::applyToRunningMotion(int id, const motion::SlotConfig* c) {
    // Order matters (README, verified): recording is switched on only after the slot's thread has
    // restarted with the new camera, or the old thread records its grey "no signal" picture.
    const std::vector<std::pair<std::string, std::string>> before =
        c ? std::vector<std::pair<std::string, std::string>>{{"camera_name", c->name}, {"netcam_url", c->netcamUrl},
                                                             {"netcam_userpass", c->userpass}, {"netcam_params", "rtsp_transport=tcp"},
                                                             {"width", std::to_string(c->width)}, {"height", std::to_string(c->height)},
                                                             {"framerate", std::to_string(c->fps)}, {"movie_output", "on"}}
          : std::vector<std::pair<std::string, std::string>>{{"movie_output", "off"}, {"emulate_motion", "off"},
                                                             {"camera_name", "spare-" + std::to_string(id)},
                                                             {"netcam_url", motion::kSpareUrl},
                                                             {"netcam_userpass", ":"},  // the old password leaves memory
                                                             // an idle slot draws its grey picture as cheaply as motion.conf says
                                                             {"width", confValue("width", "320")},
                                                             {"height", confValue("height", "240")},
                                                             {"framerate", confValue("framerate", "2")}};
    for (const auto& [k, v] : before)
        if (auto s = set(id, k, v); !s) return s;
    if (auto r = control("/" + std::to_string(id) + "/action/restart", "restarting motion camera " + std::to_string(id)); !r)
        return r.error();
    if (c) return set(id, "emulate_motion", "on");
    return okStatus();
}

Result<std::string> MotionAdapter::add(const CameraSpec& spec) {
    auto slots = motion::readSlots(m_opt.cameraDir);
    if (!slots) return slots.error();
    const Slot* free = nullptr;
    int used = 0;
    for (const Slot& s : *slots) {
        if (s.spare) {
            if (!free) free = &s;
            continue;
        }
        ++used;
        if (s.netcamUrl == spec.streamUri || (!spec.onvifId.empty() && s.onvifId == spec.onvifId))
            return makeError(ErrorClass::Conflict, "motion already records this camera as '" + s.name + "' (id " +
                                                       std::to_string(s.cameraId) + ")");
    }
    if (!free)
        return makeError(ErrorClass::Conflict, "motion is full: " + std::to_string(used) + " of " + std::to_string(slots->size()) +
                                                   " camera slots are in use" + (slots->empty() ? "; " + slotsHint(m_opt) : ""));
    const int id = free->cameraId;
    const std::string path = free->path;
    auto h = home();
    if (!h) return h.error();
    if (std::find(h->cameraIds.begin(), h->cameraIds.end(), id) == h->cameraIds.end())
        return makeError(ErrorClass::Unavailable, "motion has not loaded " + path + "; run `systemctl restart motion`");

    const motion::SlotConfig c = motion::slotConfigFor(spec);
    for (const auto& [key, value] : {std::pair{"netcam_url", c.netcamUrl}, {"netcam_userpass", c.userpass}, {"camera_name", c.name}})
        if (const std::string t = "/" + std::to_string(id) + "/config/set?" + key + "=" + controlEncode(value); t.size() > kMaxControlUrl)
            return makeError(ErrorClass::InvalidArgument, std::string("the camera's ") + key + " is too long for motion's web control (" +
                                                              std::to_string(t.size()) + " of at most " +
                                                              std::to_string(kMaxControlUrl) + " bytes per request)");
    // The file first: it is what motion reads after a restart, and the only lasting record.
    if (auto s = motion::writeSlot(path, motion::renderCamera(id, c)); !s) return s.error();
    if (auto s = applyToRunningMotion(id, &c); !s) {
        log()->warn("attaching a camera to motion slot {} failed, setting it back to spare: {}", id, s.error().message);
        (void)motion::writeSlot(path, motion::renderSpare(id));
        (void)applyToRunningMotion(id, nullptr);
        return s.error();
    }
    log()->info("camera '{}' attached to motion slot {}", spec.name, id);
    return std::to_string(id);
}

Status MotionAdapter::remove(const std::string& id) {
    auto slots = motion::readSlots(m_opt.cameraDir);
    if (!slots) return slots.error();
    auto it = std::find_if(slots->begin(), slots->end(), [&](const Slot& s) { return std::to_string(s.cameraId) == id; });
    if (it == slots->end() || it->spare) return makeError(ErrorClass::NotFound, "motion has no camera with id " + id);
    // The file first: even if motion does not answer now, its next start leaves the slot spare.
    if (auto s = motion::writeSlot(it->path, motion::renderSpare(it->cameraId)); !s) return s;
    if (auto s = applyToRunningMotion(it->cameraId, nullptr); !s) return s;
    m_lastNewFrameS.erase(it->cameraId);
    log()->info("camera '{}' detached from motion slot {}; its recordings stay in {}/{}", it->name, id, m_opt.targetDir, id);
    return okStatus();
}

}  // namespace appliance::agent

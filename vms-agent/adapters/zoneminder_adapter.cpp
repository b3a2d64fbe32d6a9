// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/zoneminder_adapter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <set>
#include <sstream>

#include "adapters/ffmpeg_frame.h"
#include "adapters/fmp4_tail.h"
#include "adapters/local_files.h"
#include "adapters/zm_shared_memory.h"
#include "common/logging.h"
#include "common/plain_text.h"

namespace appliance::agent {

using protocol::Json;

namespace {
auto log() {
    static auto l = logging::get("agent.vms");
    return l;
}
constexpr const char* kOnvifNote = "appliance-onvif-id: ";
constexpr const char* kRemovedNote = "appliance-removed: ";
constexpr std::size_t kMaxPath = 255;  // Monitors.Path is varchar(255) in 1.36
constexpr double kPreviousEventMaxAgeS = 600;  // ZoneMinder's default section length

/// Seconds on a clock that never steps back (intervals; the guest's wall clock may be set).
double steadyS() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

/// rtsp://user:pass@host/... → rtsp://host/...
std::string withoutUserinfo(const std::string& uri) {
    auto scheme = uri.find("://");
    if (scheme == std::string::npos) return uri;
    auto start = scheme + 3;
    auto end = uri.find_first_of("/?#", start);
    auto at = uri.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at == std::string::npos || at < start) return uri;
    return uri.substr(0, start) + uri.substr(at + 1);
}

std::string noteValue(const std::string& notes, const char* key) {
    std::istringstream in(notes);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key, 0) == 0) {
            std::string v = line.substr(std::strlen(key));
            while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
            return v;
        }
    return "";
}

ZoneMinderAdapter::Monitor monitorFrom(const Json& entry) {
    ZoneMinderAdapter::Monitor m;
    const Json& mon = entry.contains("Monitor") ? entry["Monitor"] : Json();
    const Json& st = entry.contains("Monitor_Status") ? entry["Monitor_Status"] : Json();
    m.id = zm::text(mon, "Id");
    m.name = zm::text(mon, "Name");
    m.function = zm::text(mon, "Function");
    m.path = zm::text(mon, "Path");
    m.notes = zm::text(mon, "Notes");
    m.status = zm::text(st, "Status");
    m.captureFps = std::atof(zm::text(st, "CaptureFPS").c_str());
    m.retired = !noteValue(m.notes, kRemovedNote).empty();
    m.onvifId = noteValue(m.notes, kOnvifNote);
    return m;
}

/// ZoneMinder answers a failed save with HTTP 200 too: {"message":"Error"} or the validation errors.
Status saved(const Json& answer, const std::string& what) {
    if (answer.is_object() && answer.value("message", Json()) == "Saved") return okStatus();
    const Json m = answer.is_object() ? answer.value("message", Json()) : answer;
    return makeError(ErrorClass::InvalidArgument, "ZoneMinder did not save " + what + ": " +
                                                      plainText(m.is_string() ? m.get<std::string>() : m.dump(), 300));
}

std::string fps2(double fps) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", fps);
    return buf;
}

std::string utcNow() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
}  // namespace

ZoneMinderAdapter::ZoneMinderAdapter(ZoneMinderOptions options) : m_opt(std::move(options)), m_api(m_opt.api) {}

int ZoneMinderAdapter::cameraLimit() {
    if (auto t = readSmallFile(m_opt.cameraLimitFile, 64)) {
        int n = std::atoi(t->c_str());
        if (n >= 1 && n <= 1000) return n;
        log()->warn("{} does not hold a number from 1 to 1000; using {}", m_opt.cameraLimitFile, m_opt.defaultCameraLimit);
    }
    return m_opt.defaultCameraLimit;
}

Result<std::vector<ZoneMinderAdapter::Monitor>> ZoneMinderAdapter::monitors() {
    auto doc = m_api.get("/monitors.json");
    if (!doc) return doc.error();
    if (!doc->contains("monitors") || !(*doc)["monitors"].is_array())
        return makeError(ErrorClass::MalformedAnswer, "ZoneMinder's monitors.json has no \"monitors\" list");
    std::vector<Monitor> out;
    for (const auto& e : (*doc)["monitors"]) out.push_back(monitorFrom(e));
    return out;
}

Result<ZoneMinderAdapter::Monitor> ZoneMinderAdapter::monitor(const std::string& id) {
    auto doc = m_api.get("/monitors/" + id + ".json");
    if (!doc && doc.error().cls == ErrorClass::NotFound)
        return makeError(ErrorClass::NotFound, "ZoneMinder has no monitor with id " + id);
    if (!doc) return doc.error();
    Monitor m = monitorFrom(doc->value("monitor", Json::object()));
    if (m.id != id || m.retired) return makeError(ErrorClass::NotFound, "ZoneMinder has no camera with id " + id);
    return m;
}

Result<VmsInfo> ZoneMinderAdapter::info() {
    VmsInfo info;
    info.product = "zoneminder";
    info.cameraLimit = cameraLimit();
    // Every failure here (the API down, the admin password refused) is an answer: not ready, and why.
    auto version = m_api.get("/host/getVersion.json");
    if (!version) {
        info.reason = version.error().message;
        return info;
    }
    info.version = zm::text(*version, "version");
    auto mons = monitors();
    if (!mons) {
        info.reason = mons.error().message;
        return info;
    }
    info.cameras = int(std::count_if(mons->begin(), mons->end(), [](const Monitor& m) { return !m.retired; }));
    auto daemons = m_api.get("/host/daemonCheck.json");
    if (!daemons || zm::text(*daemons, "result") != "1") {
        info.reason = "ZoneMinder's daemons are not running (yet: they start 1-3 minutes after boot under emulation); "
                      "`systemctl status zoneminder`";
        return info;
    }
    info.ready = true;
    return info;
}

CameraState ZoneMinderAdapter::probe(const Monitor& m) {
    CameraState c;
    c.id = m.id;
    c.name = m.name;
    c.onvifId = m.onvifId;
    c.streamUri = withoutUserinfo(m.path);
    if (m.function == "None") {
        c.reason = "the monitor's function is None in ZoneMinder: it does not capture";
        return c;
    }
    const double now = nowS();
    auto shm = zm::readSharedState(m_opt.shmDir, m.id);
    const bool zmcAlive = shm && shm->valid && now - shm->heartbeatS <= m_opt.freshS;
    // last_write_time has whole seconds: one more second of slack.
    const bool newFrames = zmcAlive && now - shm->lastWriteS <= m_opt.freshS + 1;
    if (shm && shm->lastWriteS > 0) c.lastFrameS = shm->lastWriteS;
    // Not Monitor_Status: it lags both ways (seen: "Connected" through a frozen stream, and
    // CaptureFPS 0.00 for over 10 s after a reconnection while frames were being recorded).
    c.receiving = newFrames;

    auto events = m_api.get("/events/index/MonitorId:" + m.id + ".json?sort=Id&direction=desc&limit=1");
    std::string eventId;
    bool open = false;
    std::optional<FileFacts> file;
    if (events && events->contains("events") && (*events)["events"].is_array() && !(*events)["events"].empty()) {
        const Json& ev = (*events)["events"][0].value("Event", Json::object());
        eventId = zm::text(ev, "Id");
        open = ev.contains("EndDateTime") && ev["EndDateTime"].is_null();
        const std::string dir = zm::text(ev, "FileSystemPath"), video = zm::text(ev, "DefaultVideo");
        file = video.empty() ? newestFileIn(dir) : statFile(dir + "/" + video);
    }
    if (file) c.lastRecordedS = file->mtimeS;
    // zmc names the event it writes into; the file itself grows in 256 KB steps only.
    const bool writing = shm && !eventId.empty() && std::to_string(shm->lastEvent) == eventId;
    c.recording = c.receiving && open && writing && file.has_value();

    const auto ago = [&](double t) { return std::to_string(long(std::lround(now - t))) + " s ago"; };
    if (!shm) c.reason = shm.error().message;
    else if (!zmcAlive)
        c.reason = "ZoneMinder's capture daemon (zmc) has no live camera connection (status '" +
                   (m.status.empty() ? "none" : m.status) + "', " + fps2(m.captureFps) +
                   " fps): it is (re)connecting, or the address or credentials are wrong";
    else if (!newFrames)
        c.reason = "no new frames: " +
                   (shm->lastWriteS > 0 ? "ZoneMinder captured the last one " + ago(shm->lastWriteS)
                                        : std::string("ZoneMinder has captured none yet")) +
                   " (wrong address or credentials, or the camera is down)";
    else if (!events) c.reason = "receiving, but ZoneMinder's events cannot be read: " + events.error().message;
    else if (eventId.empty()) c.reason = "receiving, but there is no event (recording) yet";
    else if (!open || !writing) c.reason = "receiving, but no event is being recorded (ZoneMinder is between two events)";
    else if (!file) c.reason = "receiving, but event " + eventId + " has no video file";
    return c;
}

Result<std::vector<CameraState>> ZoneMinderAdapter::cameras() {
    auto mons = monitors();
    if (!mons) return mons.error();
    std::vector<CameraState> out;
    for (const Monitor& m : *mons)
        if (!m.retired) out.push_back(probe(m));
    return out;
}

Result<CameraState> ZoneMinderAdapter::status(const std::string& id) {
    auto m = monitor(id);
    if (!m) return m.error();
    return probe(*m);
}

std::vector<std::pair<std::uint64_t, std::string>> ZoneMinderAdapter::monitorEvents(const std::string& monitorId,
                                                                                    bool newestDatesOnly) {
    // Storage schemes: "Medium" (Debian's default) puts an event in MONITOR/DATE/EVENT, "Shallow" in
    // MONITOR/EVENT. Event ids are global and grow, so they order a monitor's events.
    const std::string monitorDir = m_opt.eventsDir + "/" + monitorId;
    auto isNumber = [](const std::string& n) { return !n.empty() && n.size() <= 19 && n.find_first_not_of("0123456789") == std::string::npos; };
    auto subdirs = [](const std::string& dir) {
        std::vector<std::string> names;
        std::error_code ec;
        // increment(ec), not ++: ZoneMinder may purge an event directory while this runs.
        for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end && names.size() < 100000; it.increment(ec))
            if (it->is_directory(ec)) names.push_back(it->path().filename().string());
        return names;
    };
    std::vector<std::pair<std::uint64_t, std::string>> events;  // id, directory
    std::vector<std::string> dates;
    for (const std::string& name : subdirs(monitorDir)) {
        if (isNumber(name)) events.emplace_back(std::stoull(name), monitorDir + "/" + name);
        else dates.push_back(name);
    }
    std::sort(dates.rbegin(), dates.rend());
    for (std::size_t i = 0; i < dates.size() && (!newestDatesOnly || i < 2); ++i)
        for (const std::string& name : subdirs(monitorDir + "/" + dates[i]))
            if (isNumber(name)) events.emplace_back(std::stoull(name), monitorDir + "/" + dates[i] + "/" + name);
    std::sort(events.begin(), events.end());
    return events;
}

std::vector<std::string> ZoneMinderAdapter::eventVideos(const std::string& monitorId, std::uint64_t currentEvent) {
    // This monitor's previous event is the highest id below the current one (the newest two
    // dates are enough).
    auto events = monitorEvents(monitorId, true);
    std::vector<std::string> videos;
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        const auto& [id, dir] = *it;
        if (id > currentEvent) continue;
        auto f = statFile(dir + "/" + std::to_string(id) + "-video.mp4");
        // The event before counts only if it ended minutes ago, not after days without capture.
        if (f && (id == currentEvent || nowS() - f->mtimeS <= kPreviousEventMaxAgeS)) videos.push_back(f->path);
        if (videos.size() == 2 || id < currentEvent) break;
    }
    return videos;
}

Result<RecordedClock> ZoneMinderAdapter::recordedClock(const std::string& id, FrameEnd end, std::int64_t sinceMs) {
    if (id.empty() || id.size() > 10 || id.find_first_not_of("0123456789") != std::string::npos)
        return makeError(ErrorClass::NotFound, "ZoneMinder has no camera with id " + plainText(id, 40));
    auto events = monitorEvents(id, false);
    if (events.empty()) {
        auto m = monitor(id);  // unknown: NotFound from the API
        if (!m) return m.error();
        return makeError(ErrorClass::Unavailable, "ZoneMinder has written no recording of monitor " + id + " under " +
                                                      m_opt.eventsDir + " yet; try again in a minute");
    }
    // A monitor is never reused (remove retires it, add makes a new one), so its first event is
    // the first recording of this camera there; the last event holds its last frames.
    if (end == FrameEnd::Last) std::reverse(events.begin(), events.end());
    std::optional<Error> firstError;
    constexpr std::size_t kMaxDecodes = 3;
    std::size_t decoded = 0;
    for (const auto& [eventId, dir] : events) {
        if (decoded == kMaxDecodes) break;
        const std::string video = dir + "/" + std::to_string(eventId) + "-video.mp4";
        auto fragment = wholeFragment(video, end == FrameEnd::First ? Fragment::First : Fragment::Newest);
        // The first event without a whole fragment yet, or a newer event just begun: the frame
        // asked for is not on disk yet, and another event's would be the wrong one.
        if (!fragment) {
            firstError = fragment.error();
            break;
        }
        ++decoded;
        // One fragment is one GOP, which starts with a keyframe: its first frame, or its last.
        auto clock = frameClock(*fragment, {"mov", end, 0}, 15.0, m_opt.ffmpegPath);
        if (!clock) return clock.error();
        if (end == FrameEnd::Last || *clock >= sinceMs) return RecordedClock{*clock, video};
    }
    if (firstError) return *firstError;
    return makeError(ErrorClass::NotFound, "ZoneMinder recorded no frame of monitor " + id + " after the time asked for");
}

Result<std::string> ZoneMinderAdapter::snapshot(const std::string& id) {
    // The id becomes part of paths: digits only.
    if (id.empty() || id.size() > 10 || id.find_first_not_of("0123456789") != std::string::npos)
        return makeError(ErrorClass::NotFound, "ZoneMinder has no camera with id " + plainText(id, 40));
    auto shm = zm::readSharedState(m_opt.shmDir, id);
    if (!shm || !shm->valid || shm->lastEvent == 0) {
        auto m = monitor(id);  // unknown or retired: NotFound from the API; otherwise not capturing now
        if (!m) return m.error();
        return makeError(ErrorClass::Unavailable, "ZoneMinder is not recording monitor " + id +
                                                      " now, so it has no picture of it (the camera's status says why)");
    }
    // The event being written first; its first 256 KB reach the disk a while after it starts
    // (every ten minutes, and after an add), so until then the picture comes from the event before.
    const std::vector<std::string> videos = eventVideos(id, shm->lastEvent);
    if (videos.empty())
        return makeError(ErrorClass::Unavailable, "ZoneMinder has written no video of monitor " + id + " under " +
                                                      m_opt.eventsDir + " yet; try again in a minute");
    std::optional<Error> firstError;
    for (const std::string& video : videos) {
        // The file grows only when ZoneMinder writes out a buffer, which is when a newer fragment
        // can be complete: same file, same size, same picture, without running ffmpeg again.
        const auto facts = statFile(video);
        const auto cached = m_pictures.find(id);
        if (cached != m_pictures.end() && facts && cached->second.video == video && cached->second.sizeBytes == facts->sizeBytes)
            return cached->second.jpeg;
        // ffmpeg takes about 1.5 s of CPU to start under emulation: at most one run per
        // decodeSpacingS for all cameras together, each camera in turn (its last try, failed or
        // not, counts), so a wall of 8 cameras costs a fifth of the guest's CPU. A camera never
        // tried goes at once: the first look at the wall fills it.
        const double now = steadyS();
        const auto tried = m_lastDecodeS.find(id);
        const double perCamera = m_opt.decodeSpacingS * double(std::max<std::size_t>(1, m_lastDecodeS.size()));
        if (tried != m_lastDecodeS.end() && (now < m_nextDecodeS || now - tried->second < perCamera)) {
            if (cached != m_pictures.end()) return cached->second.jpeg;
            return makeError(ErrorClass::Unavailable, "no picture yet: waiting for its turn (ZoneMinder's pictures are "
                                                      "decoded one camera every few seconds)");
        }
        auto fragment = newestFragment(video);
        if (fragment) {
            if (m_lastDecodeS.size() >= kMaxCachedPictures) m_lastDecodeS.clear();
            m_lastDecodeS[id] = now;
            m_nextDecodeS = now + m_opt.decodeSpacingS;
            auto jpeg = firstFrameAsJpeg(*fragment, 640, 15.0, m_opt.ffmpegPath);
            if (jpeg && facts) {
                if (m_pictures.size() >= kMaxCachedPictures) m_pictures.clear();
                m_pictures[id] = {video, facts->sizeBytes, *jpeg};
            }
            return jpeg;
        }
        if (firstError) continue;
        if (fragment.error().cls == ErrorClass::Unavailable || fragment.error().cls == ErrorClass::NotFound)
            firstError = makeError(ErrorClass::Unavailable,
                                   "no picture yet: ZoneMinder has not written a whole piece of this camera's recording "
                                   "to disk (it writes 256 KB at a time, a minute or two of a sub stream)");
        else
            firstError = makeError(fragment.error().cls, "ZoneMinder's recording " + video + ": " + fragment.error().message);
    }
    return *firstError;
}

Result<std::string> ZoneMinderAdapter::add(const CameraSpec& spec) {
    auto mons = monitors();
    if (!mons) return mons.error();
    // A monitor of this camera: by its stream, or by the ONVIF identity in its notes.
    auto recordsThis = [&](const Monitor& m) {
        return withoutUserinfo(m.path) == spec.streamUri || (!spec.onvifId.empty() && m.onvifId == spec.onvifId);
    };
    std::set<std::string> before;
    int active = 0;
    for (const Monitor& m : *mons) {
        before.insert(m.id);
        if (m.retired) continue;
        ++active;
        if (recordsThis(m)) return makeError(ErrorClass::Conflict, "ZoneMinder already records this camera as '" + m.name + "' (id " + m.id + ")");
    }
    if (const int limit = cameraLimit(); active >= limit)
        return makeError(ErrorClass::Conflict, "ZoneMinder is full: " + std::to_string(active) + " of " + std::to_string(limit) +
                                                   " cameras (the limit is set in " + m_opt.cameraLimitFile + ")");
    std::string path = spec.streamUri;
    if (!spec.username.empty())  // ffmpeg percent-decodes the user information
        path.insert(7, http::urlEncode(spec.username) + ":" + http::urlEncode(spec.password) + "@");
    if (path.size() > kMaxPath)
        return makeError(ErrorClass::InvalidArgument, "the stream URI with its credentials is " + std::to_string(path.size()) +
                                                          " bytes; ZoneMinder's Path holds at most 255");
    const http::Form form = {
        {"Monitor[Name]", spec.name}, {"Monitor[Function]", "Record"}, {"Monitor[Enabled]", "1"},
        {"Monitor[Type]", "Ffmpeg"}, {"Monitor[Method]", "rtpRtsp"}, {"Monitor[Path]", path},
        {"Monitor[Width]", std::to_string(spec.width ? spec.width : 320)},
        {"Monitor[Height]", std::to_string(spec.height ? spec.height : 180)},
        {"Monitor[Colours]", "4"}, {"Monitor[SaveJPEGs]", "0"}, {"Monitor[VideoWriter]", "2"},
        {"Monitor[DecodingEnabled]", "0"},
        {"Monitor[Notes]", spec.onvifId.empty() ? std::string() : kOnvifNote + spec.onvifId},
    };  // no MaxFPS: it would make ZoneMinder drop frames; spec.fps is the camera's own rate
    auto r = m_api.post("/monitors.json", form);
    // The first add after boot starts ZoneMinder's daemon control (perl, under TCG) before it
    // answers, and can outlast the wait; the monitor is saved by then. So a timeout looks again.
    const bool timedOut = !r && r.error().cls == ErrorClass::Timeout;
    if (!r && !timedOut) return r.error();
    if (r)
        if (auto ok = saved(*r, "the new monitor '" + spec.name + "'"); !ok) return ok.error();
    auto after = monitors();
    if (!after) return after.error();
    // After a timeout, the new monitor must be this camera's by its stream (or ONVIF identity), not
    // only by its name, which several cameras may share: a late save of an earlier timed-out add
    // is not this one. (The agent runs one command at a time, so an answered add's is the newest.)
    auto isThisCamera = [&](const Monitor& m) { return m.name == spec.name && (!timedOut || (!m.retired && recordsThis(m))); };
    std::string id;
    for (const Monitor& m : *after)
        if (!before.count(m.id) && isThisCamera(m) && (id.empty() || std::atol(m.id.c_str()) > std::atol(id.c_str()))) id = m.id;
    if (id.empty() && timedOut) return r.error();
    if (id.empty())
        return makeError(ErrorClass::MalformedAnswer, "ZoneMinder answered the new monitor '" + spec.name +
                                                          "' as saved, but it is not in monitors.json");
    if (timedOut) log()->warn("ZoneMinder did not answer the add of '{}' in time, but saved it as monitor {}", spec.name, id);
    log()->info("camera '{}' added to ZoneMinder as monitor {}", spec.name, id);
    return id;
}

Status ZoneMinderAdapter::remove(const std::string& id) {
    auto m = monitor(id);
    if (!m) return m.error();
    std::string notes = m->notes;
    if (!notes.empty() && notes.back() != '\n') notes += "\n";
    notes += kRemovedNote + utcNow();
    const http::Form form = {{"Monitor[Function]", "None"}, {"Monitor[Enabled]", "0"},
                             {"Monitor[Path]", withoutUserinfo(m->path)}, {"Monitor[Notes]", notes}};
    auto r = m_api.post("/monitors/" + id + ".json", form);
    if (!r) return r.error();
    if (auto ok = saved(*r, "monitor " + id); !ok) return ok;
    log()->info("ZoneMinder monitor {} ('{}') retired: capture stopped, its events stay", id, m->name);
    return okStatus();
}

}  // namespace appliance::agent

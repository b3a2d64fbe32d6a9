// SPDX-License-Identifier: GPL-2.0-or-later
// motion's camera states: does the picture change, does the recording grow (motion_adapter.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <thread>

#include "adapters/local_files.h"
#include "adapters/motion_adapter.h"
#include "adapters/mp4_annexb.h"
#include "common/protocol.h"

namespace appliance::agent {

using motion::Slot;

namespace {
std::string seconds(double s) { return std::to_string(long(std::lround(s))) + " s"; }

struct Sample {
    bool lostConnection = false;
    std::string statusError;
};

/// A JPEG's entropy-coded data (from the SOS marker on), or "" when it is not a whole JPEG. motion
/// puts the time (and the motion box) into every picture's EXIF block, so the whole files differ
/// even when the picture is the last frame repeated; the scan data differs only when the picture does.
std::string scanData(const std::string& jpeg) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(jpeg[i]); };
    if (jpeg.size() < 4 || byte(0) != 0xFF || byte(1) != 0xD8 || byte(jpeg.size() - 2) != 0xFF || byte(jpeg.size() - 1) != 0xD9)
        return "";
    for (std::size_t i = 2; i + 4 <= jpeg.size();) {
        if (byte(i) != 0xFF) return "";
        if (byte(i + 1) == 0xDA) return jpeg.substr(i);
        i += 2 + (std::size_t(byte(i + 2)) << 8 | byte(i + 3));
    }
    return "";
}
}  // namespace

std::string MotionAdapter::snapshotPath(int cameraId) const {
    return m_opt.targetDir + "/probe/" + std::to_string(cameraId) + "-lastsnap.jpg";
}

void MotionAdapter::takeSnapshots(const std::vector<Slot>& slots, std::vector<std::string>& out,
                                  std::vector<std::string>& errors) {
    // motion writes the snapshot at its next frame (it runs at its framerate even without a
    // camera): wait for each file's time to change, then read it.
    std::vector<double> before(slots.size(), 0);
    std::vector<bool> asked(slots.size(), false);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (!errors[i].empty()) continue;
        if (auto f = statFile(snapshotPath(slots[i].cameraId))) before[i] = f->mtimeS;
        auto r = control("/" + std::to_string(slots[i].cameraId) + "/action/snapshot", "asking motion for a snapshot");
        if (!r) errors[i] = r.error().message;
        asked[i] = bool(r);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSnapshotWaitMs);
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (!asked[i]) continue;
        const std::string path = snapshotPath(slots[i].cameraId);
        for (;;) {
            auto f = statFile(path);
            if (f && f->mtimeS != before[i]) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));  // motion writes it in place
                auto jpeg = readSmallFile(path, 4 * 1024 * 1024, Links::Refuse);
                out[i] = jpeg && !scanData(*jpeg).empty() ? *jpeg : "";
                if (!out[i].empty()) break;
            }
            if (std::chrono::steady_clock::now() > deadline) {
                errors[i] = "motion wrote no snapshot to " + path + " within " + std::to_string(kSnapshotWaitMs) +
                            " ms (motion.conf sets snapshot_filename probe/%t-lastsnap)";
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

double MotionAdapter::recordingFreshS() {
    // A new file starts at least every movie_max_time (motion's own default: 120 s; 0: never).
    const double maxTime = std::atof(confValue("movie_max_time", "120").c_str());
    return (maxTime > 0 ? maxTime : 600) + 5;
}

std::vector<CameraState> MotionAdapter::probe(const std::vector<Slot>& slots) {
    std::vector<Sample> samples(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
        auto st = m_stream.get("/" + std::to_string(slots[i].cameraId) + "/status.json");
        auto doc = st && st->status == 200 ? protocol::Json::parse(st->body, nullptr, false) : protocol::Json();
        if (doc.is_object() && doc.contains("lost_connection") && doc["lost_connection"].is_number())
            samples[i].lostConnection = doc["lost_connection"].get<double>() != 0;
        else
            samples[i].statusError = "motion's status of the camera cannot be read" + (st ? std::string() : ": " + st.error().message);
    }
    std::vector<std::string> first(slots.size()), second(slots.size()), errors(slots.size());
    takeSnapshots(slots, first, errors);
    if (!slots.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(m_opt.sampleIntervalMs));
    const double sampledAt = nowS();
    takeSnapshots(slots, second, errors);
    const double fresh = recordingFreshS();
    std::vector<CameraState> out;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const Slot& s = slots[i];
        const Sample& sm = samples[i];
        CameraState c;
        c.id = std::to_string(s.cameraId);
        c.name = s.name;
        c.onvifId = s.onvifId;
        c.streamUri = s.netcamUrl;
        std::string why;
        if (!sm.statusError.empty()) why = sm.statusError;
        else if (sm.lostConnection) why = "motion lost the connection to the camera (wrong address or credentials, or the camera is down)";
        else if (!errors[i].empty()) why = errors[i];
        else if (scanData(first[i]) == scanData(second[i]))
            why = "the picture did not change in " + std::to_string(m_opt.sampleIntervalMs) +
                  " ms: no new frames arrive (the stream stopped or froze)";
        c.receiving = why.empty();
        if (c.receiving) m_lastNewFrameS[s.cameraId] = sampledAt;
        if (auto it = m_lastNewFrameS.find(s.cameraId); it != m_lastNewFrameS.end()) c.lastFrameS = it->second;

        const std::string dir = m_opt.targetDir + "/" + c.id;
        auto newest = newestFileIn(dir);
        if (newest) c.lastRecordedS = newest->mtimeS;
        const double age = newest ? sampledAt - newest->mtimeS : 0;
        // After a camera comes back, motion 4.5.1 opens its next file only at the next
        // movie_max_time (seen: 55 s without a file while receiving), so a recent but closed file
        // does not count.
        const std::optional<bool> open = newest ? mp4BeingWritten(newest->path) : std::nullopt;
        c.recording = c.receiving && newest && age <= fresh && open != false;
        if (!c.receiving) c.reason = why;
        else if (!newest) c.reason = "receiving, but there is no recording in " + dir + " yet";
        else if (open == false)
            c.reason = "receiving, but motion has no recording open: the newest, " + newest->path + ", was closed " +
                       seconds(age) + " ago (motion opens the next one at its next movie_max_time)";
        else if (!c.recording)
            c.reason = "receiving, but nothing was written to " + dir + " for " + seconds(age) +
                       " (is movie_output on? is the disk full?)";
        out.push_back(std::move(c));
    }
    return out;
}

Result<std::vector<CameraState>> MotionAdapter::cameras() {
    auto slots = motion::readSlots(m_opt.cameraDir);
    if (!slots) return slots.error();
    std::vector<Slot> used;
    std::copy_if(slots->begin(), slots->end(), std::back_inserter(used), [](const Slot& s) { return !s.spare; });
    return probe(used);
}

Result<Slot> MotionAdapter::slot(const std::string& id) {
    auto slots = motion::readSlots(m_opt.cameraDir);
    if (!slots) return slots.error();
    auto it = std::find_if(slots->begin(), slots->end(), [&](const Slot& s) { return std::to_string(s.cameraId) == id; });
    if (it == slots->end() || it->spare) return makeError(ErrorClass::NotFound, "motion has no camera with id " + id);
    return *it;
}

Result<CameraState> MotionAdapter::status(const std::string& id) {
    auto s = slot(id);
    if (!s) return s.error();
    return probe({*s}).front();
}

Result<std::string> MotionAdapter::snapshot(const std::string& id) {
    auto s = slot(id);
    if (!s) return s.error();
    std::vector<std::string> jpeg(1), error(1);
    takeSnapshots({*s}, jpeg, error);
    if (!error[0].empty()) return makeError(ErrorClass::Unavailable, error[0]);
    if (jpeg[0].size() > kMaxSnapshotBytes)
        return makeError(ErrorClass::Unavailable, "motion's picture of camera " + id + " is " +
                                                      std::to_string(jpeg[0].size() / 1024) + " KiB, more than the " +
                                                      std::to_string(kMaxSnapshotBytes / 1024) +
                                                      " KiB the host takes; record the camera's sub stream");
    return jpeg[0];
}

}  // namespace appliance::agent

// SPDX-License-Identifier: GPL-2.0-or-later
// motion's recordings of a camera, read back: the camera's clock in the first or last frame
// (VmsAdapter::recordedClock). motion writes /var/lib/motion/CAMERA_ID/YYYYMMDDhhmmss-EVENT.mp4,
// the camera's own packets (movie_passthrough), a new file every movie_max_time, the moov box
// only when a file is closed.
#include <algorithm>
#include <filesystem>

#include "adapters/local_files.h"
#include "adapters/motion_adapter.h"
#include "adapters/mp4_annexb.h"
#include "common/plain_text.h"

namespace appliance::agent {

namespace {
/// The guest's clock against the camera's: a file is a candidate if written this long before the
/// time asked for (the frames' own clock then decides).
constexpr double kClockSlackS = 120;
constexpr std::size_t kMaxDecodes = 3;
/// The first frame since a time: the slot's files from before it (its previous camera's, or this
/// camera's before it moved away and back) come first, one every movie_max_time inside the slack.
constexpr std::size_t kMaxFirstDecodes = 8;
}  // namespace

Result<RecordedClock> MotionAdapter::recordedClock(const std::string& id, FrameEnd end, std::int64_t sinceMs) {
    auto slots = motion::readSlots(m_opt.cameraDir);
    if (!slots) return slots.error();
    // Spare slots too: a removed camera's recordings stay in its slot's directory.
    const auto slot = std::find_if(slots->begin(), slots->end(), [&](const motion::Slot& s) { return std::to_string(s.cameraId) == id; });
    const bool known = slot != slots->end();
    if (!known) return makeError(ErrorClass::NotFound, "motion has no camera slot with id " + plainText(id, 40));
    const std::string dir = m_opt.targetDir + "/" + id;
    // A slot is reused by the next camera: only files written since the move began are this one's.
    std::vector<FileFacts> movies;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), stop; !ec && it != stop && movies.size() < 10000; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        // symlink_status: a link planted by motion's user is not one of its recordings.
        if (name.size() < 5 || name.compare(name.size() - 4, 4, ".mp4") != 0 ||
            it->symlink_status(ec).type() != std::filesystem::file_type::regular)
            continue;
        auto f = statFile(it->path().string());
        if (f && f->mtimeS * 1000 >= double(sinceMs) - kClockSlackS * 1000) movies.push_back(*f);
    }
    if (movies.empty())
        return makeError(ErrorClass::Unavailable, "motion has written no recording of camera " + id + " in " + dir +
                                                      " since the time asked for; try again in a few seconds");
    // Names start with the file's start time, so they sort in recording order.
    std::sort(movies.begin(), movies.end(), [](const FileFacts& a, const FileFacts& b) { return a.path < b.path; });
    if (end == FrameEnd::Last) {
        // The mdat comes before the moov: the last keyframe interval on disk is the newest frames.
        // motion's open file holds none until libavformat has 256 KiB to write (or motion closes
        // it: at rotation, every movie_max_time, and at remove); the file before it then does.
        // A camera just removed (its slot spare) is the exception: its last file is the one to
        // read, once motion has closed it; the one before would be up to a file's length older.
        std::vector<std::string> paths;
        for (const auto& m : movies) paths.push_back(m.path);
        auto tail = newestTailOnDisk(paths, slot->spare ? 1 : kMaxDecodes);
        if (!tail) return tail.error();
        auto clock = frameClock(tail->annexB, {"h264", FrameEnd::Last, 0}, 15.0, m_opt.ffmpegPath);
        if (!clock) return clock.error();
        return RecordedClock{*clock, tail->path};
    }
    std::optional<Error> skipped;
    bool older = false;
    for (std::size_t i = 0; i < movies.size() && i < kMaxFirstDecodes; ++i) {
        // The first samples read the same in an open or a closed file. A file of the slot's
        // previous camera (inside the clock slack) may have no clock or be cut: try the next.
        auto stream = annexBFromMdat(movies[i].path);
        auto clock = stream ? frameClock(*stream, {"h264", FrameEnd::First, 0}, 15.0, m_opt.ffmpegPath)
                            : Result<std::int64_t>(stream.error());
        if (clock && *clock >= sinceMs) return RecordedClock{*clock, movies[i].path};
        older = older || clock;
        if (!clock) {
            const ErrorClass c = clock.error().cls;
            if (c != ErrorClass::NotFound && c != ErrorClass::NoVideo && c != ErrorClass::MalformedAnswer) return clock.error();
            skipped = clock.error();
        }
    }
    if (older)  // the files on disk began before that time (or are not readable): the next is not written yet
        return makeError(ErrorClass::Unavailable, "motion has written no frame of camera " + id +
                                                      " since the time asked for yet; try again in a few seconds");
    if (skipped) return *skipped;
    return makeError(ErrorClass::NotFound, "motion recorded no frame of camera " + id + " after the time asked for");
}

}  // namespace appliance::agent

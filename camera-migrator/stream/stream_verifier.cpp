// SPDX-License-Identifier: GPL-2.0-or-later
#include "stream/stream_verifier.h"

#include <mutex>
#include <optional>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "common/frame_clock.h"
#include "common/redact.h"

namespace appliance::camera {

namespace {

using Clock = std::chrono::steady_clock;

void initGstreamerOnce() {
    static std::once_flag once;
    std::call_once(once, [] { gst_init(nullptr, nullptr); });
}

struct GstUnref {
    void operator()(gpointer p) const { gst_object_unref(p); }
};
using ElementPtr = std::unique_ptr<GstElement, GstUnref>;

// The RTSP status of a refusal, when the error is the camera's answer. rtspsrc says it two ways:
// a refused DESCRIBE or PLAY carries it in the message's details ("rtsp-status-code"); a refused
// SETUP (where a camera at its session limit answers) only in the debug text, as
// "Error (453): ...", under a GError that says "Could not write to resource".
struct RtspRefusal {
    unsigned status = 0;
    bool atSetup = false;
};

std::optional<RtspRefusal> rtspRefusalOf(GstMessage* msg) {
    const GstStructure* details = nullptr;
    gst_message_parse_error_details(msg, &details);
    guint code = 0;
    if (details && gst_structure_get_uint(details, "rtsp-status-code", &code)) return RtspRefusal{code, false};
    gchar* debug = nullptr;
    gst_message_parse_error(msg, nullptr, &debug);
    std::optional<RtspRefusal> found;
    if (debug) {
        const std::string text(debug);
        g_free(debug);
        const auto at = text.find("Error (");
        if (at != std::string::npos) {
            unsigned n = 0;
            size_t i = at + 7;
            while (i < text.size() && i < at + 10 && text[i] >= '0' && text[i] <= '9') n = n * 10 + unsigned(text[i++] - '0');
            if (i == at + 10 && i < text.size() && text[i] == ')') found = RtspRefusal{n, true};
        }
    }
    return found;
}

Error fromGstError(GError* err, std::optional<RtspRefusal> refusal, const std::string& uri) {
    const std::string shown = redact::uri(uri);
    const std::string detail = err && err->message ? err->message : "unknown error";
    // A camera at its session limit (most serve a few RTSP clients at once): not broken, busy.
    // Cameras say it with 453 Not Enough Bandwidth, or many with 503 Service Unavailable to the
    // SETUP of one session too many. A 503 to DESCRIBE or PLAY is a stream that cannot start
    // (an encoder restarting, a media that fails): not busy.
    const unsigned status = refusal ? refusal->status : 0;
    if (status == 453u || (status == 503u && refusal->atSetup))
        return makeError(ErrorClass::TooManyRequests,
                         "the camera refused another session at " + shown +
                             (status == 453u ? " (RTSP 453 Not Enough Bandwidth)" : " (RTSP 503 Service Unavailable to SETUP)") +
                             ": it already serves as many RTSP clients as it allows; close a viewer or another recorder of it");
    if (status == 503u)
        return makeError(ErrorClass::NoVideo, "the camera cannot start the stream at " + shown +
                                                  " now (RTSP 503 Service Unavailable); check the camera and try again");
    if (err && err->domain == GST_RESOURCE_ERROR) {
        switch (err->code) {
        case GST_RESOURCE_ERROR_NOT_AUTHORIZED:
            return makeError(ErrorClass::AuthenticationFailed,
                             "the camera refused the credentials for " + shown + " (RTSP 401); check the user name and password");
        case GST_RESOURCE_ERROR_NOT_FOUND:
            return makeError(ErrorClass::NotFound, "the camera has no stream at " + shown +
                                                       " (RTSP 404); take the URI from the camera's GetStreamUri");
        case GST_RESOURCE_ERROR_OPEN_READ:
        case GST_RESOURCE_ERROR_OPEN_READ_WRITE:
        case GST_RESOURCE_ERROR_OPEN_WRITE:
            return makeError(ErrorClass::Unreachable, "cannot open " + shown + ": " + detail +
                                                          "; check the camera's address, RTSP port and power");
        default: break;
        }
    }
    return makeError(ErrorClass::GenericError, "the stream at " + shown + " failed: " + detail);
}

std::string codecOf(GstElement* source) {
    std::string codec;
    GstIterator* pads = gst_element_iterate_src_pads(source);
    GValue item = G_VALUE_INIT;
    while (codec.empty() && gst_iterator_next(pads, &item) == GST_ITERATOR_OK) {
        auto* pad = GST_PAD(g_value_get_object(&item));
        if (GstCaps* caps = gst_pad_get_current_caps(pad)) {
            const GstStructure* s = gst_caps_get_structure(caps, 0);
            const gchar* media = gst_structure_get_string(s, "media");
            const gchar* name = gst_structure_get_string(s, "encoding-name");
            if (name && (!media || std::string(media) == "video")) codec = name;
            gst_caps_unref(caps);
        }
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(pads);
    return codec;
}

/// The clock stamped into a decoded I420 frame, if it carries one.
std::optional<std::int64_t> frameClockOf(GstSample* sample) {
    GstCaps* caps = gst_sample_get_caps(sample);
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    GstVideoInfo info;
    if (!caps || !buffer || !gst_video_info_from_caps(&info, caps)) return std::nullopt;
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &info, buffer, GST_MAP_READ)) return std::nullopt;
    auto clock = frameclock::read({static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)),
                                   GST_VIDEO_FRAME_COMP_WIDTH(&frame, 0), GST_VIDEO_FRAME_COMP_HEIGHT(&frame, 0),
                                   GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0)});
    gst_video_frame_unmap(&frame);
    return clock;
}

}  // namespace

Result<StreamReport> verifyStream(const std::string& rtspUri, const Credentials& credentials, const VerifyOptions& options) {
    initGstreamerOnce();
    if (rtspUri.rfind("rtsp://", 0) != 0 && rtspUri.rfind("rtsps://", 0) != 0)
        return makeError(ErrorClass::InvalidArgument, "'" + redact::uri(rtspUri) + "' is not an rtsp:// URI");
    GError* parseError = nullptr;
    // Only video is decoded; an audio pad stays unlinked and is dropped by decodebin's caps.
    ElementPtr pipeline(gst_parse_launch(
        "rtspsrc name=src latency=0 ! application/x-rtp,media=video ! decodebin ! videoconvert ! "
        "video/x-raw,format=I420 ! appsink name=sink sync=false max-buffers=4 drop=true",
        &parseError));
    if (!pipeline) {
        std::string msg = parseError ? parseError->message : "unknown";
        g_clear_error(&parseError);
        return makeError(ErrorClass::Internal, "cannot build the verification pipeline (" + msg +
                                                   "); are gstreamer1.0-plugins-good and gstreamer1.0-libav installed?");
    }
    ElementPtr source(gst_bin_get_by_name(GST_BIN(pipeline.get()), "src"));
    ElementPtr sink(gst_bin_get_by_name(GST_BIN(pipeline.get()), "sink"));
    g_object_set(source.get(), "location", rtspUri.c_str(), "protocols", options.tcp ? 4 /* TCP */ : 7, "tcp-timeout",
                 guint64(options.firstFrameTimeout.count()) * 1000, "timeout", guint64(options.firstFrameTimeout.count()) * 1000,
                 nullptr);
    if (!credentials.empty())
        g_object_set(source.get(), "user-id", credentials.user.c_str(), "user-pw", credentials.password.c_str(), nullptr);

    StreamReport report;
    report.uri = redact::uri(rtspUri);
    const auto started = Clock::now();
    gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    std::unique_ptr<GstBus, GstUnref> bus(gst_element_get_bus(pipeline.get()));
    auto stop = [&] { gst_element_set_state(pipeline.get(), GST_STATE_NULL); };

    Clock::time_point firstFrame{}, measureEnd{}, lastFrame{};
    const auto firstDeadline = started + options.firstFrameTimeout;
    for (;;) {
        const auto now = Clock::now();
        const bool measuring = firstFrame != Clock::time_point{};
        if (!measuring && now >= firstDeadline) {
            stop();
            return makeError(ErrorClass::Timeout, "no video frame from " + report.uri + " within " +
                                                      std::to_string(options.firstFrameTimeout.count()) + " ms");
        }
        if (measuring && now >= measureEnd) break;
        // A frozen stream sends nothing and does not end: a camera whose encoder hung looks like this.
        if (measuring && now - lastFrame >= options.stallTimeout) {
            stop();
            return makeError(ErrorClass::NoVideo, "the video from " + report.uri + " froze after " +
                                                      std::to_string(report.frames) + " frames: nothing for " +
                                                      std::to_string(options.stallTimeout.count()) + " ms");
        }
        // The bus first: an error or the end of the stream ends the wait at once.
        while (GstMessage* msg = gst_bus_pop_filtered(bus.get(), GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS))) {
            if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
                GError* err = nullptr;
                gst_message_parse_error(msg, &err, nullptr);
                Error e = fromGstError(err, rtspRefusalOf(msg), rtspUri);
                g_clear_error(&err);
                gst_message_unref(msg);
                stop();
                if (measuring)  // frames came, then it broke: say so with what was seen
                    return makeError(e.cls, e.message + " (after " + std::to_string(report.frames) + " frames)");
                return e;
            }
            gst_message_unref(msg);
            stop();
            if (!measuring)
                return makeError(ErrorClass::NoVideo, "the stream at " + report.uri + " ended before any video frame decoded");
            return makeError(ErrorClass::NoVideo, "the stream at " + report.uri + " stopped after " +
                                                      std::to_string(report.frames) + " frames");
        }
        GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink.get()), 20 * GST_MSECOND);
        if (!sample) continue;
        lastFrame = Clock::now();
        if (auto clock = frameClockOf(sample)) {
            report.cameraClockMs = clock;
            report.cameraToHostMs = g_get_real_time() / 1000 - *clock;
            ++report.framesWithClock;
        }
        if (!measuring) {
            firstFrame = Clock::now();
            measureEnd = firstFrame + options.measureFor;
            report.firstFrameS = std::chrono::duration<double>(firstFrame - started).count();
            if (GstCaps* caps = gst_sample_get_caps(sample)) {
                const GstStructure* s = gst_caps_get_structure(caps, 0);
                gst_structure_get_int(s, "width", &report.width);
                gst_structure_get_int(s, "height", &report.height);
            }
            report.codec = codecOf(source.get());
        } else {
            ++report.frames;
        }
        gst_sample_unref(sample);
    }
    stop();
    const double measuredS = std::chrono::duration<double>(options.measureFor).count();
    report.framesPerS = measuredS > 0 ? report.frames / measuredS : 0;
    return report;
}

nlohmann::json toJson(const StreamReport& r) {
    nlohmann::json j = {{"uri", r.uri},       {"first_frame_s", r.firstFrameS}, {"frames_per_s", r.framesPerS},
                        {"frames", r.frames}, {"width", r.width},               {"height", r.height},
                        {"codec", r.codec}};
    if (r.cameraClockMs) j["camera_clock_ms"] = *r.cameraClockMs, j["camera_to_host_ms"] = *r.cameraToHostMs;
    return j;
}

}  // namespace appliance::camera

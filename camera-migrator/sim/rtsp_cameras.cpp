// SPDX-License-Identifier: GPL-2.0-or-later
#include "sim/rtsp_cameras.h"

#include <cstdio>

#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <gst/video/video.h>

#include "common/frame_clock.h"

namespace appliance::camera::sim {

namespace {
/// Text inside a double-quoted launch-line string: no quote or backslash can end it early.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text)
        if (c != '"' && c != '\\') out += c;
    return out + "\"";
}
// Patterns that fill the stream's bitrate once they scroll (streamLaunchLine), as a real camera's
// sensor noise does: "ball", "gradient" and an unscrolled "colors" ran at 8-35 kbit/s of a 256 kbit/s
// sub stream, and a VMS that writes its recording in 256 KiB steps then kept a camera's first frame
// off its disk for over a minute, which no real camera makes it do (docs/benchmarks.md).
constexpr const char* kPatterns[] = {"smpte", "checkers-8", "circular", "colors", "pinwheel", "spokes", "checkers-4", "checkers-2"};
}  // namespace

const char* testPattern(int patternIndex) { return kPatterns[patternIndex % 8]; }

std::string streamLaunchLine(const CameraConfig& c, const StreamSpec& s, int patternIndex) {
    std::string src = std::string("videotestsrc is-live=true horizontal-speed=2 pattern=") + testPattern(patternIndex);
    // "A stream that stops": the source ends after that many frames, as a camera whose encoder dies.
    if (c.streamStopsAfterS > 0) src += " num-buffers=" + std::to_string(c.streamStopsAfterS * s.fps);
    const int fontPx = std::max(8, s.height / 20);
    return "( " + src + " ! video/x-raw,format=I420,width=" + std::to_string(s.width) + ",height=" + std::to_string(s.height) +
           ",framerate=" + std::to_string(s.fps) + "/1" +
           " ! textoverlay text=" + quoted(c.name) + " valignment=top halignment=left shaded-background=true font-desc=" +
           quoted("Sans " + std::to_string(fontPx)) +
           " ! clockoverlay valignment=bottom halignment=right shaded-background=true time-format=" +
           quoted("%Y-%m-%d %H:%M:%S") + " font-desc=" + quoted("Sans " + std::to_string(fontPx)) +
           " ! identity name=clock" +  // the machine-readable clock (common/frame_clock.h), see stampClock
           (c.streamFreezesAfterS > 0 ? " ! identity name=freeze" : "") +
           " ! videoconvert ! openh264enc complexity=low rate-control=bitrate bitrate=" + std::to_string(s.bitrateKbps * 1000) +
           " gop-size=" + std::to_string(s.fps) +  // a key frame every second: a new viewer waits at most that
           " ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )";
}

namespace {
// "A stream that freezes": the media stays up, but every frame past the given time is dropped
// before the encoder (a live source's timestamps start at zero when the media starts playing).
GstPadProbeReturn dropLateFrames(GstPad*, GstPadProbeInfo* info, gpointer seconds) {
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    const GstClockTime limit = GstClockTime(GPOINTER_TO_UINT(seconds)) * GST_SECOND;
    if (buffer && GST_BUFFER_PTS_IS_VALID(buffer) && GST_BUFFER_PTS(buffer) > limit) return GST_PAD_PROBE_DROP;
    return GST_PAD_PROBE_OK;
}

// The wall-clock time the frame leaves the camera's "sensor", drawn into it (frame_clock.h): a VMS's
// recording then carries the camera's own clock, and a recording gap is read, not estimated.
GstPadProbeReturn stampClock(GstPad* pad, GstPadProbeInfo* info, gpointer) {
    GstBuffer* buffer = GST_PAD_PROBE_INFO_BUFFER(info);
    GstCaps* caps = gst_pad_get_current_caps(pad);
    if (!buffer || !caps) {
        if (caps) gst_caps_unref(caps);
        return GST_PAD_PROBE_OK;
    }
    GstVideoInfo vinfo;
    const bool known = gst_video_info_from_caps(&vinfo, caps);
    gst_caps_unref(caps);
    if (!known || GST_VIDEO_INFO_FORMAT(&vinfo) != GST_VIDEO_FORMAT_I420) return GST_PAD_PROBE_OK;
    buffer = gst_buffer_make_writable(buffer);
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
    GstVideoFrame frame;
    if (!gst_video_frame_map(&frame, &vinfo, buffer, GST_MAP_READWRITE)) return GST_PAD_PROBE_OK;
    auto plane = [&frame](int i) {
        return frameclock::Plane{static_cast<std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, i)),
                                 GST_VIDEO_FRAME_COMP_WIDTH(&frame, i), GST_VIDEO_FRAME_COMP_HEIGHT(&frame, i),
                                 GST_VIDEO_FRAME_PLANE_STRIDE(&frame, i)};
    };
    frameclock::stamp(plane(0), g_get_real_time() / 1000, plane(1), plane(2));
    gst_video_frame_unmap(&frame);
    return GST_PAD_PROBE_OK;
}

void addProbe(GstElement* bin, const char* element, GstPadProbeCallback callback, gpointer data) {
    if (GstElement* e = gst_bin_get_by_name(GST_BIN(bin), element)) {
        GstPad* pad = gst_element_get_static_pad(e, "src");
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, callback, data, nullptr);
        gst_object_unref(pad);
        gst_object_unref(e);
    }
}

void onMediaConfigure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer seconds) {
    GstElement* bin = gst_rtsp_media_get_element(media);
    addProbe(bin, "clock", stampClock, nullptr);
    if (GPOINTER_TO_UINT(seconds) > 0) addProbe(bin, "freeze", dropLateFrames, seconds);
    gst_object_unref(bin);
}
}  // namespace

namespace {
// "A camera that serves one session": a client is admitted at its first SETUP while there is room,
// and leaves when its connection closes (the stream's other SETUPs and its PLAY then pass).
using LimitRef = std::shared_ptr<RtspCameras::SessionLimit>;

// Who holds a camera's sessions is what one asks when a client is refused, so each admission,
// refusal and close is logged (to stderr, with the client's address).
std::string peerOf(GstRTSPClient* client) {
    GstRTSPConnection* conn = gst_rtsp_client_get_connection(client);
    const gchar* ip = conn ? gst_rtsp_connection_get_ip(conn) : nullptr;
    char where[64];
    std::snprintf(where, sizeof where, "%s (client %p)", ip ? ip : "?", static_cast<void*>(client));
    return where;
}

GstRTSPStatusCode admitSetup(GstRTSPClient* client, GstRTSPContext*, gpointer data) {
    auto& limit = **static_cast<LimitRef*>(data);
    std::lock_guard lock(limit.mutex);
    if (limit.max <= 0 || limit.admitted.count(client)) return GST_RTSP_STS_OK;
    if (int(limit.admitted.size()) >= limit.max) {
        std::fprintf(stderr, "onvif-camera-sim: %s refused a session to %s (%d): %zu of %d taken\n", limit.camera.c_str(),
                     peerOf(client).c_str(), limit.refusal, limit.admitted.size(), limit.max);
        return limit.refusal == 503 ? GST_RTSP_STS_SERVICE_UNAVAILABLE : GST_RTSP_STS_NOT_ENOUGH_BANDWIDTH;
    }
    limit.admitted.insert(client);
    std::fprintf(stderr, "onvif-camera-sim: %s admitted a session from %s: %zu of %d\n", limit.camera.c_str(),
                 peerOf(client).c_str(), limit.admitted.size(), limit.max);
    return GST_RTSP_STS_OK;
}

void forgetClient(GstRTSPClient* client, gpointer data) {
    auto& limit = **static_cast<LimitRef*>(data);
    std::lock_guard lock(limit.mutex);
    if (limit.admitted.erase(client))
        std::fprintf(stderr, "onvif-camera-sim: %s session of %s closed: %zu of %d\n", limit.camera.c_str(),
                     peerOf(client).c_str(), limit.admitted.size(), limit.max);
}

void dropLimitRef(gpointer data, GClosure*) { delete static_cast<LimitRef*>(data); }

// A live camera has no timeline to seek in: it ignores PLAY's Range. gst-rtsp-server would seek
// the shared pipeline instead (ffmpeg, so motion, sends "Range: npt=0.000-"), which restarts the
// RTP timestamps of every client of the stream; ZoneMinder then refuses each packet as
// "non increasing dts" and records nothing while it still counts frames arriving.
GstRTSPStatusCode ignorePlayRange(GstRTSPClient*, GstRTSPContext* ctx, gpointer) {
    if (ctx && ctx->request) gst_rtsp_message_remove_header(ctx->request, GST_RTSP_HDR_RANGE, -1);
    return GST_RTSP_STS_OK;
}

void onClientConnected(GstRTSPServer*, GstRTSPClient* client, gpointer data) {
    g_signal_connect(client, "pre-play-request", G_CALLBACK(ignorePlayRange), nullptr);
    // Each handler owns a share of the count: a client that outlives the servers (stop()) still
    // finds it when it closes.
    const LimitRef& limit = *static_cast<LimitRef*>(data);
    g_signal_connect_data(client, "pre-setup-request", G_CALLBACK(admitSetup), new LimitRef(limit), dropLimitRef, GConnectFlags(0));
    g_signal_connect_data(client, "closed", G_CALLBACK(forgetClient), new LimitRef(limit), dropLimitRef, GConnectFlags(0));
}
}  // namespace

RtspCameras::RtspCameras() = default;
RtspCameras::~RtspCameras() { stop(); }

Status RtspCameras::start(const std::vector<SimulatedCamera*>& cameras) {
    gst_init(nullptr, nullptr);
    m_context = g_main_context_new();
    m_loop = g_main_loop_new(m_context, FALSE);
    int index = 0;
    for (SimulatedCamera* cam : cameras) {
        const CameraConfig& c = cam->config();
        GstRTSPServer* server = gst_rtsp_server_new();
        gst_rtsp_server_set_address(server, c.host.c_str());
        gst_rtsp_server_set_service(server, std::to_string(c.rtspPort).c_str());

        GstRTSPAuth* auth = gst_rtsp_auth_new();
        GstRTSPToken* token = gst_rtsp_token_new(GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "viewer", nullptr);
        gchar* basic = gst_rtsp_auth_make_basic(c.user.c_str(), c.password.c_str());
        gst_rtsp_auth_add_basic(auth, basic, token);
        g_free(basic);
        gst_rtsp_auth_add_digest(auth, c.user.c_str(), c.password.c_str(), token);
        gst_rtsp_token_unref(token);
        gst_rtsp_auth_set_supported_methods(auth, GstRTSPAuthMethod(GST_RTSP_AUTH_BASIC | GST_RTSP_AUTH_DIGEST));
        gst_rtsp_server_set_auth(server, auth);
        g_object_unref(auth);

        auto limit = std::make_shared<SessionLimit>();
        limit->max = c.maxRtspSessions;
        limit->refusal = c.busyStatus;
        limit->camera = c.id;
        g_signal_connect_data(server, "client-connected", G_CALLBACK(onClientConnected), new LimitRef(limit), dropLimitRef,
                              GConnectFlags(0));
        GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
        for (auto [token, spec] : {std::pair{"main", c.main}, std::pair{"sub", c.sub}}) {
            GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
            gst_rtsp_media_factory_set_launch(factory, streamLaunchLine(c, spec, index).c_str());
            gst_rtsp_media_factory_set_shared(factory, TRUE);  // one encoder per stream, as in a camera
            g_signal_connect(factory, "media-configure", G_CALLBACK(onMediaConfigure),
                             GUINT_TO_POINTER(unsigned(std::max(0, c.streamFreezesAfterS))));
            gst_rtsp_media_factory_add_role(factory, "viewer", GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                            GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE, nullptr);
            gst_rtsp_mount_points_add_factory(mounts, ("/" + c.id + "/" + token).c_str(), factory);
        }
        g_object_unref(mounts);
        if (gst_rtsp_server_attach(server, m_context) == 0) {
            g_object_unref(server);
            return makeError(ErrorClass::Unavailable, "camera " + c.id + ": cannot listen for RTSP on " + c.host + ":" +
                                                          std::to_string(c.rtspPort));
        }
        cam->setRtspPort(gst_rtsp_server_get_bound_port(server));
        m_servers.push_back(server);
        ++index;
    }
    m_thread = std::thread([this] {
        g_main_context_push_thread_default(m_context);
        g_main_loop_run(m_loop);
        g_main_context_pop_thread_default(m_context);
    });
    return okStatus();
}

void RtspCameras::stop() {
    if (!m_loop) return;
    g_main_loop_quit(m_loop);
    if (m_thread.joinable()) m_thread.join();
    for (void* s : m_servers) g_object_unref(s);
    m_servers.clear();
    g_main_loop_unref(m_loop);
    g_main_context_unref(m_context);
    m_loop = nullptr;
    m_context = nullptr;
}

}  // namespace appliance::camera::sim

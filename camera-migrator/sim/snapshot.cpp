// SPDX-License-Identifier: GPL-2.0-or-later
#include "sim/snapshot.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>

#include "sim/rtsp_cameras.h"

namespace appliance::camera::sim {

Result<std::string> renderSnapshot(const CameraConfig& camera, int patternIndex) {
    gst_init(nullptr, nullptr);
    std::string name;
    for (char c : camera.name)
        if (c != '"' && c != '\\') name += c;
    const std::string line = std::string("videotestsrc num-buffers=1 pattern=") + testPattern(patternIndex) +
                             " ! video/x-raw,width=" + std::to_string(camera.main.width) +
                             ",height=" + std::to_string(camera.main.height) + " ! textoverlay text=\"" + name +
                             "\" font-desc=\"Sans 20\" ! videoconvert ! jpegenc ! appsink name=sink";
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch(line.c_str(), &error);
    if (!pipeline) {
        std::string msg = error ? error->message : "unknown";
        g_clear_error(&error);
        return makeError(ErrorClass::Internal, "cannot render the snapshot: " + msg);
    }
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
    std::string jpeg;
    if (sample) {
        GstMapInfo map;
        GstBuffer* buffer = gst_sample_get_buffer(sample);
        if (gst_buffer_map(buffer, &map, GST_MAP_READ)) {
            jpeg.assign(reinterpret_cast<const char*>(map.data), map.size);
            gst_buffer_unmap(buffer, &map);
        }
        gst_sample_unref(sample);
    }
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(sink);
    gst_object_unref(pipeline);
    if (jpeg.empty()) return makeError(ErrorClass::Internal, "the snapshot pipeline produced no image; is gstreamer1.0-plugins-good installed?");
    return jpeg;
}

}  // namespace appliance::camera::sim

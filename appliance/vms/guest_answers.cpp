// SPDX-License-Identifier: GPL-2.0-or-later
#include "vms/guest_answers.h"

#include <cmath>
#include <optional>

#include "common/base64.h"
#include "common/plain_text.h"

namespace appliance::vms {

using Json = protocol::Json;

namespace {

struct Checker {
    const std::string& vm;
    const std::string& verb;
    std::string problem;  ///< the first thing found wrong

    bool fail(const std::string& what) {
        if (problem.empty()) problem = what;
        return false;
    }
    std::optional<std::string> text(const Json& o, const char* key, std::size_t max, bool required = true) {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) {
            if (required) fail(std::string("'") + key + "' is missing");
            return required ? std::nullopt : std::optional<std::string>("");
        }
        if (!it->is_string()) return fail(std::string("'") + key + "' is not a string"), std::nullopt;
        const auto& s = it->get_ref<const std::string&>();
        if (s.size() > max) return fail(std::string("'") + key + "' is longer than " + std::to_string(max) + " bytes"), std::nullopt;
        return plainText(s, max);
    }
    std::optional<bool> flag(const Json& o, const char* key) {
        auto it = o.find(key);
        if (it == o.end() || !it->is_boolean()) return fail(std::string("'") + key + "' is not true or false"), std::nullopt;
        return it->get<bool>();
    }
    std::optional<long long> count(const Json& o, const char* key, long long max) {
        auto it = o.find(key);
        if (it == o.end() || !it->is_number_integer()) return fail(std::string("'") + key + "' is not a whole number"), std::nullopt;
        long long v = it->get<long long>();
        if (v < 0 || v > max) return fail(std::string("'") + key + "' is out of range"), std::nullopt;
        return v;
    }
    /// A time in epoch seconds or null; a guest's clock is its own, so only sanity is checked.
    std::optional<Json> time(const Json& o, const char* key) {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) return Json(nullptr);
        if (!it->is_number()) return fail(std::string("'") + key + "' is not a time"), std::nullopt;
        double t = it->get<double>();
        if (!std::isfinite(t) || t < 0 || t > 32503680000.0) return fail(std::string("'") + key + "' is not a plausible time"), std::nullopt;
        return Json(t);
    }
    std::optional<Json> camera(const Json& c) {
        if (!c.is_object()) return fail("a camera is not an object"), std::nullopt;
        auto id = text(c, "id", 32);
        auto name = text(c, "name", 128);
        auto onvif = text(c, "onvif_id", 128, false);
        auto uri = text(c, "stream_uri", 512, false);
        auto receiving = flag(c, "receiving");
        auto recording = flag(c, "recording");
        auto lastFrame = time(c, "last_frame");
        auto lastRecorded = time(c, "last_recorded");
        auto reason = text(c, "reason", 512, false);
        if (!problem.empty()) return std::nullopt;
        if (id->empty()) return fail("a camera has an empty id"), std::nullopt;
        return Json{{"id", *id},
                    {"name", *name},
                    {"onvif_id", *onvif},
                    {"stream_uri", *uri},
                    {"receiving", *receiving},
                    {"recording", *recording},
                    {"last_frame", *lastFrame},
                    {"last_recorded", *lastRecorded},
                    {"reason", *reason}};
    }
    Result<Json> finish(std::optional<Json> out) {
        if (out && problem.empty()) return *out;
        return makeError(ErrorClass::MalformedAnswer, "the agent of '" + vm + "' answered " + verb +
                                                          " with something that is not a valid answer (" + problem +
                                                          "); the guest may be damaged or compromised");
    }
};

}  // namespace

Result<Json> checkAnswer(const std::string& vm, const std::string& verb, const Json& answer) {
    Checker c{vm, verb, ""};
    if (!answer.is_object()) return c.finish((c.fail("not an object"), std::nullopt));
    if (verb == "vms.info") {
        auto product = c.text(answer, "product", 32);
        auto version = c.text(answer, "version", 64);
        auto cameras = c.count(answer, "cameras", 100000);
        auto limit = c.count(answer, "camera_limit", 100000);
        auto ready = c.flag(answer, "ready");
        auto reason = c.text(answer, "reason", 512, false);
        if (!c.problem.empty()) return c.finish(std::nullopt);
        return c.finish(Json{{"product", *product}, {"version", *version}, {"cameras", *cameras},
                             {"camera_limit", *limit}, {"ready", *ready}, {"reason", *reason}});
    }
    if (verb == "vms.cameras") {
        auto it = answer.find("cameras");
        if (it == answer.end() || !it->is_array()) return c.finish((c.fail("'cameras' is not a list"), std::nullopt));
        if (it->size() > kMaxCameras)
            return c.finish((c.fail("more than " + std::to_string(kMaxCameras) + " cameras"), std::nullopt));
        Json list = Json::array();
        for (const auto& cam : *it) {
            auto checked = c.camera(cam);
            if (!checked) return c.finish(std::nullopt);
            list.push_back(std::move(*checked));
        }
        return c.finish(Json{{"cameras", std::move(list)}});
    }
    if (verb == "vms.camera.status") return c.finish(c.camera(answer));
    if (verb == "vms.camera.snapshot") {
        // The picture stays base64 (the JSON the callers get), but only once it is known to be
        // canonical base64 of one whole JPEG; the console decodes it with bounded dimensions.
        auto it = answer.find("jpeg");
        if (it == answer.end() || !it->is_string()) return c.finish((c.fail("'jpeg' is not a string"), std::nullopt));
        const auto& text = it->get_ref<const std::string&>();
        if (text.size() > kMaxSnapshotBase64)
            return c.finish((c.fail("the picture is larger than " + std::to_string(kMaxSnapshotBase64 / 1024) + " KiB"), std::nullopt));
        auto bytes = fromBase64(text);
        if (!bytes) return c.finish((c.fail("'jpeg' is not base64"), std::nullopt));
        if (!looksLikeJpeg(*bytes)) return c.finish((c.fail("'jpeg' is not a whole JPEG picture"), std::nullopt));
        return c.finish(Json{{"jpeg", text}});
    }
    if (verb == "vms.camera.recorded_clock") {
        // A time the guest read out of a frame: a number in the camera clock's range, nothing more.
        auto clock = c.count(answer, "clock_ms", (1LL << 44) - 1);
        auto file = c.text(answer, "file", 512, false);
        if (!c.problem.empty()) return c.finish(std::nullopt);
        return c.finish(Json{{"clock_ms", *clock}, {"file", *file}});
    }
    if (verb == "vms.camera.add" || verb == "vms.camera.remove") {
        const char* key = verb == "vms.camera.add" ? "id" : "removed";
        auto id = c.text(answer, key, 32);
        if (!c.problem.empty()) return c.finish(std::nullopt);
        return c.finish(Json{{key, *id}});
    }
    return c.finish((c.fail("no answer is expected for this command"), std::nullopt));
}

Error guestError(const std::string& vm, const Error& reported) {
    // Classes a VMS adapter reports; anything else the guest claims becomes a generic error, so a
    // guest cannot pose as, say, a permission decision of the host.
    ErrorClass cls = reported.cls;
    switch (cls) {
    case ErrorClass::InvalidArgument: case ErrorClass::NotFound: case ErrorClass::Conflict:
    case ErrorClass::Unavailable: case ErrorClass::Timeout: case ErrorClass::Unreachable:
    case ErrorClass::AuthenticationFailed: case ErrorClass::NoVideo: case ErrorClass::CommandNotFound:
    case ErrorClass::MalformedAnswer:
        break;
    default:
        cls = ErrorClass::GenericError;
    }
    return makeError(cls, "VM '" + vm + "' reports: " + plainText(reported.message, 512));
}

}  // namespace appliance::vms

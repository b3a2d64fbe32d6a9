// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/vms_json.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <tuple>

#include "common/base64.h"
#include "common/plain_text.h"

namespace appliance::agent {

using protocol::Json;

namespace {

Error invalid(const std::string& message) { return makeError(ErrorClass::InvalidArgument, message); }

/// Valid UTF-8 without control characters (C0, DEL, C1) and within the bound: exactly the text
/// plainText() leaves unchanged.
bool isPlain(std::string_view s, std::size_t maxBytes) { return s.size() <= maxBytes && plainText(s, maxBytes) == s; }

bool isRfc3986(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::strchr("-._~:/?#[]@!$&'()*+,;=%", c) != nullptr;
}

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

Status onlyKeys(const Json& args, std::string_view verb, std::initializer_list<std::string_view> allowed) {
    if (args.is_null()) return okStatus();
    if (!args.is_object()) return invalid(std::string(verb) + " takes a JSON object of arguments");
    for (const auto& [key, value] : args.items())
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            return invalid(std::string(verb) + " does not take the argument '" + plainText(key, 64) + "'");
    return okStatus();
}

/// args[key] as a string: absent is "" (or an error when required), another type an error.
Result<std::string> stringArg(const Json& args, const char* key, bool required) {
    if (!args.is_object() || !args.contains(key) || args.at(key).is_null()) {
        if (required) return invalid(std::string("argument '") + key + "' is required");
        return std::string();
    }
    if (!args.at(key).is_string()) return invalid(std::string("argument '") + key + "' must be a string");
    return args.at(key).get<std::string>();
}

/// args[key] as an integer in [lo, hi]; absent is 0 (the adapter's default).
Result<int> intArg(const Json& args, const char* key, int lo, int hi) {
    if (!args.contains(key) || args.at(key).is_null()) return 0;
    const Json& v = args.at(key);
    const std::string range = " (" + std::to_string(lo) + " to " + std::to_string(hi) + ")";
    if (!v.is_number_integer()) return invalid(std::string("argument '") + key + "' must be an integer" + range);
    if ((v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(hi)) || v.get<std::int64_t>() < lo ||
        v.get<std::int64_t>() > hi)
        return invalid(std::string("argument '") + key + "' is out of range" + range);
    return int(v.get<std::int64_t>());
}

Json optionalTime(const std::optional<double>& t) { return t ? Json(*t) : Json(nullptr); }

Result<std::string> idArg(const Json& args, std::string_view verb, std::initializer_list<std::string_view> allowed = {"id"}) {
    if (auto s = onlyKeys(args, verb, allowed); !s) return s.error();
    auto id = stringArg(args, "id", true);
    if (!id) return id.error();
    if (auto s = checkCameraId(*id); !s) return s.error();
    return id;
}

}  // namespace

Json toJson(const VmsInfo& info) {
    return Json{{"product", plainText(info.product, 64)}, {"version", plainText(info.version, 64)},
                {"cameras", info.cameras},   {"camera_limit", info.cameraLimit},
                {"ready", info.ready},       {"reason", plainText(info.reason, 1024)}};
}

Json toJson(const CameraState& c) {
    // Everything here comes from the VMS's own configuration: made valid, bounded UTF-8.
    return Json{{"id", plainText(c.id, kMaxIdChars)},
                {"name", plainText(c.name, 4 * kMaxNameBytes)},
                {"onvif_id", plainText(c.onvifId, 2 * kMaxOnvifIdBytes)},
                {"stream_uri", plainText(c.streamUri, 2 * kMaxStreamUriBytes)},
                {"receiving", c.receiving},
                {"recording", c.recording},
                {"last_frame", optionalTime(c.lastFrameS)},
                {"last_recorded", optionalTime(c.lastRecordedS)},
                {"reason", plainText(c.reason, 1024)}};
}

Status checkCameraId(std::string_view id) {
    if (id.empty() || id.size() > kMaxIdChars)
        return invalid("a camera id has 1 to " + std::to_string(kMaxIdChars) + " characters");
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-')
            return invalid("a camera id has only the characters A-Z a-z 0-9 _ -; got '" + plainText(id, kMaxIdChars) + "'");
    return okStatus();
}

Status checkStreamUri(std::string_view uri) {
    constexpr std::string_view scheme = "rtsp://";
    if (uri.size() > kMaxStreamUriBytes)
        return invalid("argument 'stream_uri' is over " + std::to_string(kMaxStreamUriBytes) + " bytes");
    if (uri.substr(0, scheme.size()) != scheme) return invalid("argument 'stream_uri' must start with rtsp://");
    for (std::size_t i = 0; i < uri.size(); ++i) {
        if (!isRfc3986(uri[i]))
            return invalid("argument 'stream_uri' has a character a URI may not hold (percent-encode it)");
        if (uri[i] == '%' && (i + 2 >= uri.size() || !isHex(uri[i + 1]) || !isHex(uri[i + 2])))
            return invalid("argument 'stream_uri' has a '%' that is not followed by two hex digits");
    }
    std::string_view authority = uri.substr(scheme.size());
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos)
        return invalid("argument 'stream_uri' must not carry credentials; pass them as 'username' and 'password'");
    std::string_view host = authority, port;
    bool hasPort = false;
    if (!authority.empty() && authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return invalid("argument 'stream_uri' has an unclosed [IPv6 address]");
        host = authority.substr(0, close + 1);
        std::string_view rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return invalid("argument 'stream_uri' has junk after its [IPv6 address]");
        hasPort = !rest.empty();
        if (hasPort) port = rest.substr(1);
    } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        hasPort = true;
    }
    if (host.empty() || host == "[]") return invalid("argument 'stream_uri' has no host");
    if (host.front() != '[' && host.find_first_of("[]") != std::string_view::npos)
        return invalid("argument 'stream_uri' has a bad host");
    if (hasPort) {
        bool digits = !port.empty() && port.size() <= 5 &&
                      std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        int p = digits ? std::stoi(std::string(port)) : 0;
        if (p < 1 || p > 65535) return invalid("argument 'stream_uri' has a bad port (1 to 65535)");
    }
    return okStatus();
}

Result<CameraSpec> cameraSpecFromJson(const Json& args) {
    if (!args.is_object()) return invalid("vms.camera.add takes a JSON object of arguments");
    if (auto s = onlyKeys(args, "vms.camera.add",
                          {"name", "onvif_id", "stream_uri", "username", "password", "width", "height", "fps"});
        !s)
        return s.error();
    CameraSpec spec;
    for (auto [key, out, required] : {std::tuple{"name", &spec.name, true}, std::tuple{"stream_uri", &spec.streamUri, true},
                                      std::tuple{"onvif_id", &spec.onvifId, false},
                                      std::tuple{"username", &spec.username, false},
                                      std::tuple{"password", &spec.password, false}}) {
        auto v = stringArg(args, key, required);
        if (!v) return v.error();
        *out = std::move(*v);
    }
    if (spec.name.empty() || !isPlain(spec.name, kMaxNameBytes))
        return invalid("argument 'name' must be 1 to " + std::to_string(kMaxNameBytes) +
                       " bytes of printable UTF-8 (no control characters)");
    if (spec.name.front() == ' ' || spec.name.back() == ' ')
        return invalid("argument 'name' must not start or end with a space");
    if (auto s = checkStreamUri(spec.streamUri); !s) return s.error();
    if (spec.onvifId.size() > kMaxOnvifIdBytes ||
        !std::all_of(spec.onvifId.begin(), spec.onvifId.end(), [](char c) { return c > ' ' && c < 0x7f; }))
        return invalid("argument 'onvif_id' must be at most " + std::to_string(kMaxOnvifIdBytes) +
                       " printable ASCII characters without spaces (e.g. urn:uuid:...)");
    for (auto [key, value] : {std::pair{"username", &spec.username}, std::pair{"password", &spec.password}})
        if (!isPlain(*value, kMaxCredentialBytes))
            return invalid(std::string("argument '") + key + "' must be at most " + std::to_string(kMaxCredentialBytes) +
                           " bytes without control characters");
    // RTSP's Basic and Digest authentication split "user:password" at the first ':' (RFC 7617).
    if (spec.username.find(':') != std::string::npos) return invalid("argument 'username' must not contain ':'");
    if (spec.username.empty() && !spec.password.empty())
        return invalid("argument 'password' needs a 'username'");
    for (auto [key, out, lo, hi] : {std::tuple{"width", &spec.width, 16, 7680}, std::tuple{"height", &spec.height, 16, 4320},
                                    std::tuple{"fps", &spec.fps, 1, 60}}) {
        auto v = intArg(args, key, lo, hi);
        if (!v) return v.error();
        *out = *v;
    }
    return spec;
}

Result<Json> runVmsCommand(VmsAdapter& adapter, const std::string& verb, const Json& args) {
    if (verb == "vms.info" || verb == "vms.cameras") {
        if (auto s = onlyKeys(args, verb, {}); !s) return s.error();
        if (verb == "vms.info") {
            auto info = adapter.info();
            if (!info) return info.error();
            return toJson(*info);
        }
        auto cams = adapter.cameras();
        if (!cams) return cams.error();
        Json list = Json::array();
        for (const auto& c : *cams) list.push_back(toJson(c));
        return Json{{"cameras", std::move(list)}};
    }
    if (verb == "vms.camera.add") {
        auto spec = cameraSpecFromJson(args);
        if (!spec) return spec.error();
        auto id = adapter.add(*spec);
        if (!id) return id.error();
        return Json{{"id", *id}};
    }
    if (verb == "vms.camera.remove" || verb == "vms.camera.status" || verb == "vms.camera.snapshot") {
        auto id = idArg(args, verb);
        if (!id) return id.error();
        if (verb == "vms.camera.remove") {
            if (auto s = adapter.remove(*id); !s) return s.error();
            return Json{{"removed", *id}};
        }
        if (verb == "vms.camera.snapshot") {
            auto jpeg = adapter.snapshot(*id);
            if (!jpeg) return jpeg.error();
            return Json{{"jpeg", toBase64(*jpeg)}};
        }
        auto cam = adapter.status(*id);
        if (!cam) return cam.error();
        return toJson(*cam);
    }
    if (verb == "vms.camera.recorded_clock") {
        auto id = idArg(args, verb, {"id", "end", "since_ms"});
        if (!id) return id.error();
        auto end = stringArg(args, "end", true);
        if (!end) return end.error();
        if (*end != "first" && *end != "last") return invalid("argument 'end' must be \"first\" or \"last\"");
        // Epoch ms on the camera's clock, 0 to 2^44 (frame_clock.h): what the frames can carry.
        const Json since = args.contains("since_ms") ? args.at("since_ms") : Json(0);
        if (!since.is_number_integer() || since.get<std::int64_t>() < 0 || since.get<std::int64_t>() >= (std::int64_t(1) << 44))
            return invalid("argument 'since_ms' must be an integer of epoch milliseconds");
        auto clock = adapter.recordedClock(*id, *end == "first" ? FrameEnd::First : FrameEnd::Last, since.get<std::int64_t>());
        if (!clock) return clock.error();
        return Json{{"clock_ms", clock->clockMs}, {"file", plainText(clock->file, 512)}};
    }
    return makeError(ErrorClass::CommandNotFound,
                     "unknown command '" + plainText(verb, 64) +
                         "'; the VMS commands are vms.info, vms.cameras, vms.camera.add, vms.camera.remove, vms.camera.status, "
                         "vms.camera.snapshot, vms.camera.recorded_clock");
}

}  // namespace appliance::agent

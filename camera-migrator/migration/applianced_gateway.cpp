// SPDX-License-Identifier: GPL-2.0-or-later
#include <cmath>

#include "common/base64.h"
#include "common/line_client.h"
#include "migration/vms_gateway.h"

namespace appliance::migration {

namespace {

std::optional<int64_t> timeMs(const Json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return int64_t(std::llround(it->get<double>() * 1000.0));
}

GuestCamera readCamera(const Json& c) {
    GuestCamera g;
    g.id = c.value("id", ""), g.name = c.value("name", ""), g.onvifId = c.value("onvif_id", "");
    g.streamUri = c.value("stream_uri", "");
    g.receiving = c.value("receiving", false), g.recording = c.value("recording", false);
    g.lastFrameMs = timeMs(c, "last_frame"), g.lastRecordedMs = timeMs(c, "last_recorded");
    g.reason = c.value("reason", "");
    return g;
}

class AppliancedGateway : public VmsGateway {
public:
    explicit AppliancedGateway(AppliancedGatewaySettings s) : m_settings(std::move(s)) {}

    Result<std::vector<std::string>> runningVms() override {
        auto r = call("vm.list", Json::object(), m_settings.readTimeoutMs);
        if (!r) return r.error();
        std::vector<std::string> out;
        if (r->is_array())
            for (const auto& vm : *r)
                if (vm.value("state", "") == "running") out.push_back(vm.value("name", ""));
        return out;
    }

    Result<VmsInstance> info(const std::string& vm) override {
        auto r = call("vms.info", {{"name", vm}}, m_settings.readTimeoutMs);
        if (!r) return r.error();
        VmsInstance v;
        v.vm = vm, v.product = r->value("product", ""), v.version = r->value("version", "");
        v.cameraLimit = r->value("camera_limit", 0), v.cameras = r->value("cameras", 0);
        v.reachable = r->value("ready", false), v.reason = r->value("reason", "");
        v.seenMs = nowMs();
        return v;
    }

    Result<std::vector<GuestCamera>> cameras(const std::string& vm) override {
        auto r = call("vms.cameras", {{"name", vm}}, m_settings.readTimeoutMs);
        if (!r) return r.error();
        std::vector<GuestCamera> out;
        for (const auto& c : r->value("cameras", Json::array())) out.push_back(readCamera(c));
        return out;
    }

    Result<std::string> add(const std::string& vm, const GuestCameraSpec& c) override {
        Json args{{"name", vm}, {"camera_name", c.name}, {"stream_uri", c.streamUri}};
        if (!c.onvifId.empty()) args["onvif_id"] = c.onvifId;
        if (!c.credentials.username.empty()) {
            args["username"] = c.credentials.username;
            args["password"] = c.credentials.password;
        }
        if (c.width > 0 && c.height > 0) args["width"] = c.width, args["height"] = c.height;
        if (c.fps > 0) args["fps"] = c.fps;
        auto r = call("vms.camera.add", args, m_settings.writeTimeoutMs);
        if (!r) return r.error();
        return r->value("id", "");
    }

    Status remove(const std::string& vm, const std::string& id) override {
        auto r = call("vms.camera.remove", {{"name", vm}, {"id", id}}, m_settings.writeTimeoutMs);
        if (!r) return r.error();
        return okStatus();
    }

    Result<GuestCamera> status(const std::string& vm, const std::string& id) override {
        auto r = call("vms.camera.status", {{"name", vm}, {"id", id}}, m_settings.readTimeoutMs);
        if (!r) return r.error();
        return readCamera(*r);
    }

    Result<std::string> snapshot(const std::string& vm, const std::string& id) override {
        auto r = call("vms.camera.snapshot", {{"name", vm}, {"id", id}}, m_settings.readTimeoutMs);
        if (!r) return r.error();
        auto bytes = fromBase64(r->value("jpeg", ""));
        if (!bytes || !looksLikeJpeg(*bytes))
            return makeError(ErrorClass::MalformedAnswer, "applianced's answer holds no picture");
        return std::move(*bytes);
    }

    Result<std::int64_t> recordedClock(const std::string& vm, const std::string& id, bool first, std::int64_t sinceMs) override {
        auto r = call("vms.camera.recorded_clock", {{"name", vm}, {"id", id}, {"end", first ? "first" : "last"}, {"since_ms", sinceMs}},
                      m_settings.readTimeoutMs);
        if (!r) return r.error();
        const auto it = r->find("clock_ms");
        if (it == r->end() || !it->is_number_integer())
            return makeError(ErrorClass::MalformedAnswer, "applianced's answer holds no clock_ms");
        return it->get<std::int64_t>();
    }

    Status createVm(const std::string& vm, const std::string& image, int memoryMib) override {
        auto r = call("vm.create", {{"name", vm}, {"image", image}, {"memory_mib", memoryMib}}, m_settings.writeTimeoutMs);
        if (!r && r.error().cls != ErrorClass::Conflict) return r.error();  // Conflict: it exists (a retry)
        auto s = call("vm.start", {{"name", vm}}, m_settings.writeTimeoutMs);
        if (!s && s.error().cls != ErrorClass::Conflict) return s.error();  // Conflict: it runs already
        return okStatus();
    }

private:
    Result<Json> call(const std::string& verb, const Json& args, int timeoutMs) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (!m_client) {
                m_client = std::make_unique<LineClient>();
                if (auto g = m_client->connect(m_settings.socketPath); !g) {
                    m_client.reset();
                    return makeError(ErrorClass::Unavailable, "cannot reach applianced at '" + m_settings.socketPath +
                                                                  "' (" + g.error().message +
                                                                  "); check that applianced runs");
                }
            }
            auto r = m_client->call(verb, args, timeoutMs);
            if (r) return r;
            // A broken connection is retried once on a fresh one; an answer that is an error is not.
            if (r.error().cls != ErrorClass::Unavailable || attempt == 1) {
                if (r.error().cls == ErrorClass::Timeout || r.error().cls == ErrorClass::Unavailable) m_client.reset();
                return r;
            }
            m_client.reset();
        }
        return makeError(ErrorClass::Unavailable, "applianced did not answer");
    }

    AppliancedGatewaySettings m_settings;
    std::unique_ptr<LineClient> m_client;
};

}  // namespace

std::unique_ptr<VmsGateway> makeAppliancedGateway(AppliancedGatewaySettings settings) {
    return std::make_unique<AppliancedGateway>(std::move(settings));
}

}  // namespace appliance::migration

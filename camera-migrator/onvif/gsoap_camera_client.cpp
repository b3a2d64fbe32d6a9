// SPDX-License-Identifier: GPL-2.0-or-later
// The gSOAP adapter of CameraClient. Every request: a fresh, bounded exchange; WS-UsernameToken
// digest signed with the camera's clock (ONVIF's pre-auth operations go unsigned); HTTP digest when
// the camera answers 401 with a Digest challenge (never credentials before a challenge, never HTTP
// Basic unless enabled for the camera); addresses a camera answers with must be on its own host;
// every failure classified by soap_errors.cpp.
#include <cstring>
#include <ctime>

#include "common/logging.h"
#include "httpda.h"
#include "onvif/camera_client.h"
#include "onvif/device_url.h"
#include "onvif/soap_support.h"
#include "wsseapi.h"

namespace appliance::camera {

namespace {

using gsoap::SoapPtr;
using Clock = std::chrono::steady_clock;

class GsoapCameraClient final : public CameraClient {
public:
    GsoapCameraClient(std::string deviceUrl, Credentials credentials, ClientLimits limits)
        : m_deviceUrl(std::move(deviceUrl)), m_credentials(std::move(credentials)), m_limits(limits),
          m_soap(gsoap::newBoundedContext(limits)) {
        soap_register_plugin(m_soap.get(), soap_wsse);
        soap_register_plugin(m_soap.get(), http_da);
    }
    ~GsoapCameraClient() override {
        if (m_httpDigest) http_da_release(m_soap.get(), &m_digestInfo);
    }

    Result<double> clockOffset() override {
        _tds__GetSystemDateAndTime req;
        _tds__GetSystemDateAndTimeResponse resp;
        const std::time_t now = std::time(nullptr);
        auto st = call("GetSystemDateAndTime", m_deviceUrl, Auth::None, [&](const char* url) {
            return soap_call___tds__GetSystemDateAndTime(m_soap.get(), url, nullptr, &req, resp);
        });
        if (!st) return st.error();
        auto offset = gsoap::clockOffset(resp, now);
        if (!offset) return makeError(offset.error().cls, offset.error().message + " (" + m_deviceUrl + ")");
        m_offsetS = *offset;
        m_haveOffset = true;
        return *offset;
    }

    Result<DeviceInformation> deviceInformation() override {
        _tds__GetDeviceInformation req;
        _tds__GetDeviceInformationResponse resp;
        auto st = call("GetDeviceInformation", m_deviceUrl, Auth::Signed, [&](const char* url) {
            return soap_call___tds__GetDeviceInformation(m_soap.get(), url, nullptr, &req, resp);
        });
        if (!st) return st.error();
        return gsoap::convert(resp);
    }

    Result<std::string> mediaServiceUrl() override {
        if (!m_mediaUrl.empty()) return m_mediaUrl;
        _tds__GetCapabilities req;
        req.Category.push_back(tt__CapabilityCategory__Media);
        _tds__GetCapabilitiesResponse resp;
        // Pre-auth in ONVIF, but some cameras insist on credentials: signed is accepted either way.
        auto st = call("GetCapabilities", m_deviceUrl, Auth::Signed, [&](const char* url) {
            return soap_call___tds__GetCapabilities(m_soap.get(), url, nullptr, &req, resp);
        });
        if (st) m_mediaUrl = gsoap::mediaUrl(resp);
        if (m_mediaUrl.empty()) {
            _tds__GetServices sreq;
            sreq.IncludeCapability = false;
            _tds__GetServicesResponse sresp;
            auto st2 = call("GetServices", m_deviceUrl, Auth::Signed, [&](const char* url) {
                return soap_call___tds__GetServices(m_soap.get(), url, nullptr, &sreq, sresp);
            });
            if (!st2) return st ? st2.error() : st.error();
            m_mediaUrl = gsoap::mediaUrl(sresp);
        }
        if (m_mediaUrl.empty())
            return makeError(ErrorClass::NotOnvif, "the camera at " + m_deviceUrl +
                                                       " lists no media service; it cannot stream over ONVIF Profile S");
        if (auto s = onCameraHost("media service address", m_mediaUrl, m_deviceUrl, m_credentials.trustedHosts); !s) {
            m_mediaUrl.clear();
            return s.error();
        }
        return m_mediaUrl;
    }

    Result<std::vector<VideoSource>> videoSources() override {
        auto media = mediaServiceUrl();
        if (!media) return media.error();
        _trt__GetVideoSources req;
        _trt__GetVideoSourcesResponse resp;
        auto st = call("GetVideoSources", *media, Auth::Signed, [&](const char* url) {
            return soap_call___trt__GetVideoSources(m_soap.get(), url, nullptr, &req, resp);
        });
        if (!st) return st.error();
        return gsoap::convert(resp);
    }

    Result<std::vector<StreamProfile>> profiles() override {
        auto media = mediaServiceUrl();
        if (!media) return media.error();
        _trt__GetProfiles req;
        _trt__GetProfilesResponse resp;
        auto st = call("GetProfiles", *media, Auth::Signed, [&](const char* url) {
            return soap_call___trt__GetProfiles(m_soap.get(), url, nullptr, &req, resp);
        });
        if (!st) return st.error();
        return gsoap::convert(resp);
    }

    Result<std::string> streamUri(const std::string& profileToken) override {
        auto media = mediaServiceUrl();
        if (!media) return media.error();
        tt__Transport transport;
        transport.Protocol = tt__TransportProtocol__RTSP;
        tt__StreamSetup setup;
        setup.Stream = tt__StreamType__RTP_Unicast;
        setup.Transport = &transport;
        _trt__GetStreamUri req;
        req.StreamSetup = &setup;
        req.ProfileToken = profileToken;
        _trt__GetStreamUriResponse resp;
        auto st = call("GetStreamUri", *media, Auth::Signed, [&](const char* url) {
            return soap_call___trt__GetStreamUri(m_soap.get(), url, nullptr, &req, resp);
        });
        if (!st) return st.error();
        if (!resp.MediaUri || resp.MediaUri->Uri.empty())
            return makeError(ErrorClass::MalformedAnswer, "the camera at " + m_deviceUrl + " gave no stream URI for profile '" + profileToken + "'");
        if (auto s = onCameraHost("stream URI", resp.MediaUri->Uri, m_deviceUrl, m_credentials.trustedHosts); !s) return s.error();
        return resp.MediaUri->Uri;
    }

    Result<std::string> snapshotUri(const std::string& profileToken) override {
        auto media = mediaServiceUrl();
        if (!media) return media.error();
        _trt__GetSnapshotUri req;
        req.ProfileToken = profileToken;
        _trt__GetSnapshotUriResponse resp;
        auto st = call("GetSnapshotUri", *media, Auth::Signed, [&](const char* url) {
            return soap_call___trt__GetSnapshotUri(m_soap.get(), url, nullptr, &req, resp);
        });
        if (!st) return st.error();
        if (!resp.MediaUri || resp.MediaUri->Uri.empty())
            return makeError(ErrorClass::MalformedAnswer, "the camera at " + m_deviceUrl + " gave no snapshot URI for profile '" + profileToken + "'");
        if (auto s = onCameraHost("snapshot URI", resp.MediaUri->Uri, m_deviceUrl, m_credentials.trustedHosts); !s) return s.error();
        return resp.MediaUri->Uri;
    }

    Result<std::string> fetchSnapshot(const std::string& uri) override {
        if (auto s = onCameraHost("snapshot URI", uri, m_deviceUrl, m_credentials.trustedHosts); !s) return s.error();
        // A plain HTTP GET on a context of its own: the SOAP plugins' hooks have no business with a JPEG.
        ClientLimits limits = m_limits;
        limits.maxMessageBytes = m_limits.maxSnapshotBytes;
        gsoap::SoapPtr soap = gsoap::newBoundedContext(limits);
        soap_register_plugin(soap.get(), http_da);
        http_da_info digest{};
        bool challenged = false;
        std::string body;
        const auto started = Clock::now();
        Challenge scheme = Challenge::None;
        for (int attempt = 0; attempt < 2; ++attempt) {
            // The first request carries no credentials: they go only where a challenge asked.
            soap->userid = soap->passwd = nullptr;
            if (scheme == Challenge::Digest) http_da_restore(soap.get(), &digest);
            if (scheme == Challenge::Basic) {
                soap->userid = m_credentials.user.c_str();
                soap->passwd = m_credentials.password.c_str();
            }
            int err = soap_GET(soap.get(), uri.c_str(), nullptr) || soap_begin_recv(soap.get());
            std::size_t length = 0;
            char* data = err ? nullptr : soap_http_get_body(soap.get(), &length);
            if (data && soap_end_recv(soap.get()) == SOAP_OK) body.assign(data, length);
            soap_closesock(soap.get());
            if (!body.empty() || soap->error != 401 || scheme != Challenge::None || !soap->authrealm || m_credentials.empty()) break;
            scheme = challengeOf(soap.get());
            if (scheme == Challenge::Basic && !m_credentials.allowBasic) return basicRefused(uri);
            if (scheme == Challenge::Digest) {
                http_da_save(soap.get(), &digest, soap->authrealm, m_credentials.user.c_str(), m_credentials.password.c_str());
                challenged = true;
            }
        }
        if (challenged) http_da_release(soap.get(), &digest);
        if (body.empty() && soap->error != SOAP_OK)
            return gsoap::classify(soap.get(), "snapshot", uri, Clock::now() - started, limits);
        if (body.size() < 4 || static_cast<unsigned char>(body[0]) != 0xFF || static_cast<unsigned char>(body[1]) != 0xD8)
            return makeError(ErrorClass::MalformedAnswer, "the snapshot at " + uri + " is not a JPEG image (" +
                                                              std::to_string(body.size()) + " bytes)");
        return body;
    }

private:
    enum class Auth { None, Signed };
    enum class Challenge { None, Digest, Basic };

    // What the last 401 asked for: the digest plugin keeps a nonce only for a Digest challenge.
    static Challenge challengeOf(struct soap* soap) {
        auto* data = static_cast<http_da_data*>(soap_lookup_plugin(soap, http_da_id));
        return data && data->nonce ? Challenge::Digest : Challenge::Basic;
    }
    Error basicRefused(const std::string& url) const {
        return makeError(ErrorClass::AuthenticationFailed,
                         "the camera at " + urlHost(url) + " asks for HTTP Basic, which would send the password in "
                         "clear; the appliance does not, unless an administrator enables Basic for this camera");
    }

    template <class Request>
    Status call(const char* what, const std::string& url, Auth auth, Request request) {
        struct soap* soap = m_soap.get();
        if (auth == Auth::Signed && !m_haveOffset && !m_credentials.empty()) {
            // Signing with our own clock fails on a camera whose clock is off: read its clock first.
            if (auto offset = clockOffset(); !offset) return offset.error();
        }
        const auto started = Clock::now();
        int err = attempt(what, url, auth, request);
        if (err == 401 && !m_credentials.empty() && !m_httpDigest && !m_httpBasic && soap->authrealm) {
            if (challengeOf(soap) == Challenge::Basic) {
                if (!m_credentials.allowBasic) return basicRefused(url);
                m_httpBasic = true;
                err = attempt(what, url, auth, request);
                if (err == SOAP_OK) return okStatus();
                return gsoap::classify(soap, what, url, Clock::now() - started, m_limits);
            }
            // The camera wants HTTP digest on top of (or instead of) WS-Security: answer its challenge.
            http_da_save(soap, &m_digestInfo, soap->authrealm, m_credentials.user.c_str(), m_credentials.password.c_str());
            m_httpDigest = true;
            err = attempt(what, url, auth, request);
        }
        if (err == SOAP_OK) return okStatus();
        Error e = gsoap::classify(soap, what, url, Clock::now() - started, m_limits);
        logging::get("migrator.onvif")->debug("{} -> {}: {}", what, errorClassName(e.cls), e.message);
        return e;
    }

    template <class Request>
    int attempt(const char*, const std::string& url, Auth auth, Request& request) {
        struct soap* soap = m_soap.get();
        soap_destroy(soap);
        soap_end(soap);
        gsoap::applyLimits(soap, m_limits);
        soap_wsse_delete_Security(soap);
        soap->userid = soap->passwd = nullptr;
        if (m_httpDigest) http_da_restore(soap, &m_digestInfo);
        if (m_httpBasic) {  // enabled for this camera by an administrator, and asked for by it
            soap->userid = m_credentials.user.c_str();
            soap->passwd = m_credentials.password.c_str();
        }
        if (!m_credentials.empty()) {
            if (auth == Auth::Signed) {
                soap_wsse_add_UsernameTokenDigest_at(soap, "Auth", m_credentials.user.c_str(), m_credentials.password.c_str(),
                                                     std::time(nullptr) + std::time_t(m_offsetS));
            }
        }
        return request(url.c_str());
    }

    std::string m_deviceUrl;
    Credentials m_credentials;
    ClientLimits m_limits;
    SoapPtr m_soap;
    double m_offsetS = 0;
    bool m_haveOffset = false;
    std::string m_mediaUrl;
    bool m_httpDigest = false;
    bool m_httpBasic = false;
    http_da_info m_digestInfo{};
};

}  // namespace

std::unique_ptr<CameraClient> makeOnvifClient(const std::string& deviceUrl, Credentials credentials, ClientLimits limits) {
    return std::make_unique<GsoapCameraClient>(deviceUrl, std::move(credentials), limits);
}

}  // namespace appliance::camera

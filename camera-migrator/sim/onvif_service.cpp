// SPDX-License-Identifier: GPL-2.0-or-later
// The simulated camera's ONVIF device and media services: gSOAP calls these global functions for
// each request, with the camera in soap->user. Answers carry what independent clients need (video
// source configuration with bounds, rate control, multicast and session timeout in each encoder).
#include <cstring>
#include <ctime>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <thread>

#include "httpda.h"
#include "sim/simulated_camera.h"
#include "soapH.h"
#include "wsseapi.h"

namespace appliance::camera::sim {

namespace {

constexpr const char* kRealm = "SimCam";
constexpr long kAllowedSkewS = 300;  // as gSOAP's and most cameras' default

SimulatedCamera& cameraOf(struct soap* soap) { return *static_cast<SimulatedCamera*>(soap->user); }

/// ONVIF's sender fault with a subcode, as a real camera sends it.
int senderFault(struct soap* soap, const char* subcode, const char* text) {
    return soap_sender_fault_subcode(soap, subcode, text, nullptr);
}

std::string base64(const unsigned char* data, int n) {
    std::string out(4 * ((n + 2) / 3), '\0');
    out.resize(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, n));
    return out;
}

bool verifyUsernameToken(struct soap* soap, const SimulatedCamera& cam) {
    _wsse__UsernameToken* token = soap_wsse_UsernameToken(soap, nullptr);
    if (!token || !token->Username || !token->Password || !token->Password->__item || !token->Nonce ||
        !token->Nonce->__item || !token->wsu__Created)
        return false;
    if (cam.config().user != token->Username) return false;
    // Created must be close to the camera's own clock: the reason clients read GetSystemDateAndTime first.
    time_t created = 0;
    if (soap_s2dateTime(soap, token->wsu__Created, &created) != SOAP_OK) return false;
    if (std::labs(long(created) - cam.now()) > kAllowedSkewS) return false;
    int nonceLength = 0;
    const char* nonce = soap_base642s(soap, token->Nonce->__item, nullptr, 0, &nonceLength);
    if (!nonce) return false;
    std::string material(nonce, std::size_t(nonceLength));
    material += token->wsu__Created;
    material += cam.config().password;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
    return base64(digest, SHA_DIGEST_LENGTH) == token->Password->__item;
}

/// A client sent a password in clear (HTTP Basic): say so on stderr, where the tests look.
void cleartextReceived(const SimulatedCamera& cam) {
    std::fprintf(stderr, "onvif-camera-sim: %s received a password in clear (HTTP Basic)%s\n", cam.config().id.c_str(),
                 cam.config().auth == AuthMode::HttpBasic ? "" : " it did not ask for");
}

/// Checks the request's credentials the way this camera is configured to; non-zero: answer with it.
int authenticate(struct soap* soap) {
    SimulatedCamera& cam = cameraOf(soap);
    if (cam.config().slowAnswersMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(cam.config().slowAnswersMs));
    if (soap->passwd) cleartextReceived(cam);
    if (cam.config().auth == AuthMode::HttpBasic) {
        if (soap->userid && soap->passwd && cam.config().user == soap->userid && cam.config().password == soap->passwd)
            return SOAP_OK;
        soap->authrealm = kRealm;
        return 401;
    }
    if (cam.config().auth == AuthMode::HttpDigest) {
        if (soap->authrealm && soap->userid && !std::strcmp(soap->authrealm, kRealm) && !std::strcmp(soap->userid, cam.config().user.c_str()) &&
            http_da_verify_post(soap, cam.config().password.c_str()) == SOAP_OK)
            return SOAP_OK;
        soap->authrealm = kRealm;
        return 401;
    }
    if (verifyUsernameToken(soap, cam)) return SOAP_OK;
    return senderFault(soap, "ter:NotAuthorized", "Sender not Authorized");
}

/// ONVIF's pre-auth operations answer anyone, but still take the configured delay.
void preAuth(struct soap* soap) {
    int ms = cameraOf(soap).config().slowAnswersMs;
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

tt__VideoResolution* resolution(struct soap* soap, int w, int h) {
    auto* r = soap_new_tt__VideoResolution(soap);
    r->Width = w;
    r->Height = h;
    return r;
}

tt__Profile* profile(struct soap* soap, SimulatedCamera& cam, const std::string& token) {
    const StreamSpec& spec = token == "main" ? cam.config().main : cam.config().sub;
    auto* p = soap_new_tt__Profile(soap);
    p->token = token;
    p->fixed = soap_new_bool(soap);
    *p->fixed = true;
    p->Name = token == "main" ? "Main stream" : "Sub stream";
    auto* vsc = soap_new_tt__VideoSourceConfiguration(soap);
    vsc->token = "vsc0";
    vsc->Name = "Video source";
    vsc->UseCount = 2;
    vsc->SourceToken = "video0";
    vsc->Bounds = soap_new_tt__IntRectangle(soap);
    vsc->Bounds->x = vsc->Bounds->y = 0;
    vsc->Bounds->width = cam.config().main.width;
    vsc->Bounds->height = cam.config().main.height;
    p->VideoSourceConfiguration = vsc;
    auto* vec = soap_new_tt__VideoEncoderConfiguration(soap);
    vec->token = "vec-" + token;
    vec->Name = p->Name;
    vec->UseCount = 1;
    vec->Encoding = tt__VideoEncoding__H264;
    vec->Resolution = resolution(soap, spec.width, spec.height);
    vec->Quality = 5;
    vec->RateControl = soap_new_tt__VideoRateControl(soap);
    vec->RateControl->FrameRateLimit = spec.fps;
    vec->RateControl->EncodingInterval = 1;
    vec->RateControl->BitrateLimit = spec.bitrateKbps;
    vec->H264 = soap_new_tt__H264Configuration(soap);
    vec->H264->GovLength = spec.fps * 2;
    vec->H264->H264Profile = tt__H264Profile__Baseline;
    vec->Multicast = soap_new_tt__MulticastConfiguration(soap);
    vec->Multicast->Address = soap_new_tt__IPAddress(soap);
    vec->Multicast->Address->Type = tt__IPType__IPv4;
    vec->Multicast->Address->IPv4Address = soap_new_std__string(soap);
    *vec->Multicast->Address->IPv4Address = "0.0.0.0";
    vec->Multicast->Port = 0;
    vec->Multicast->TTL = 1;
    vec->Multicast->AutoStart = false;
    vec->SessionTimeout = "PT60S";
    p->VideoEncoderConfiguration = vec;
    return p;
}

bool knownProfile(const std::string& token) { return token == "main" || token == "sub"; }

tt__MediaUri* mediaUri(struct soap* soap, const std::string& uri) {
    auto* m = soap_new_tt__MediaUri(soap);
    m->Uri = uri;
    m->InvalidAfterConnect = false;
    m->InvalidAfterReboot = false;
    m->Timeout = "PT60S";
    return m;
}

/// HTTP GET: the snapshot JPEG (HTTP digest; Basic only on a Basic camera).
int serveGet(struct soap* soap) {
    SimulatedCamera& cam = cameraOf(soap);
    const std::string path = soap->path;
    if (path != "/snapshot/main.jpg" && path != "/snapshot/sub.jpg") return 404;
    const bool basicCamera = cam.config().auth == AuthMode::HttpBasic;
    if (soap->passwd) cleartextReceived(cam);
    bool allowed = basicCamera && soap->userid && soap->passwd && cam.config().user == soap->userid &&
                   cam.config().password == soap->passwd;
    if (!allowed && !basicCamera && soap->authrealm && soap->userid && cam.config().user == soap->userid)
        allowed = http_da_verify_get(soap, cam.config().password.c_str()) == SOAP_OK;
    if (!allowed) {
        soap->authrealm = kRealm;
        return 401;
    }
    const std::string& jpeg = cam.snapshot();
    soap->http_content = "image/jpeg";
    soap->length = jpeg.size();
    if (soap_response(soap, SOAP_FILE) || soap_send_raw(soap, jpeg.data(), jpeg.size()) || soap_end_send(soap))
        return soap_closesock(soap);
    return SOAP_OK;
}

}  // namespace

void prepareServiceContext(struct soap* soap, SimulatedCamera* camera) {
    soap->user = camera;
    soap_register_plugin(soap, soap_wsse);
    // Without the digest plugin, a 401 challenges for Basic: what an old camera does.
    if (camera->config().auth != AuthMode::HttpBasic) soap_register_plugin(soap, http_da);
    soap->fget = serveGet;
}

}  // namespace appliance::camera::sim

using appliance::camera::sim::SimulatedCamera;
using namespace appliance::camera::sim;

SOAP_FMAC5 int SOAP_FMAC6 SOAP_ENV__Fault(struct soap*, char*, char*, char*, struct SOAP_ENV__Detail*, struct SOAP_ENV__Code*,
                                          struct SOAP_ENV__Reason*, char*, char*, struct SOAP_ENV__Detail*) {
    return SOAP_OK;  // a one-way fault sent to us: nothing to answer
}

SOAP_FMAC5 int SOAP_FMAC6 __tds__GetSystemDateAndTime(struct soap* soap, _tds__GetSystemDateAndTime*,
                                                      _tds__GetSystemDateAndTimeResponse& out) {
    preAuth(soap);
    SimulatedCamera& cam = cameraOf(soap);
    time_t now = time_t(cam.now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    auto* t = soap_new_tt__SystemDateAndTime(soap);
    t->DateTimeType = tt__SetDateTimeType__Manual;
    t->DaylightSavings = false;
    t->TimeZone = soap_new_tt__TimeZone(soap);
    t->TimeZone->TZ = "UTC0";
    t->UTCDateTime = soap_new_tt__DateTime(soap);
    t->UTCDateTime->Date = soap_new_tt__Date(soap);
    t->UTCDateTime->Date->Year = tm.tm_year + 1900;
    t->UTCDateTime->Date->Month = tm.tm_mon + 1;
    t->UTCDateTime->Date->Day = tm.tm_mday;
    t->UTCDateTime->Time = soap_new_tt__Time(soap);
    t->UTCDateTime->Time->Hour = tm.tm_hour;
    t->UTCDateTime->Time->Minute = tm.tm_min;
    t->UTCDateTime->Time->Second = tm.tm_sec;
    t->LocalDateTime = t->UTCDateTime;
    out.SystemDateAndTime = t;
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __tds__GetDeviceInformation(struct soap* soap, _tds__GetDeviceInformation*,
                                                      _tds__GetDeviceInformationResponse& out) {
    if (int err = authenticate(soap)) return err;
    const auto& c = cameraOf(soap).config();
    out.Manufacturer = c.manufacturer;
    out.Model = c.hardware;
    out.FirmwareVersion = c.firmware;
    out.SerialNumber = c.serial;
    out.HardwareId = c.hardware;
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __tds__GetCapabilities(struct soap* soap, _tds__GetCapabilities*, _tds__GetCapabilitiesResponse& out) {
    preAuth(soap);
    SimulatedCamera& cam = cameraOf(soap);
    out.Capabilities = soap_new_tt__Capabilities(soap);
    out.Capabilities->Device = soap_new_tt__DeviceCapabilities(soap);
    out.Capabilities->Device->XAddr = cam.deviceUrl();
    out.Capabilities->Media = soap_new_tt__MediaCapabilities(soap);
    out.Capabilities->Media->XAddr = cam.mediaUrl();
    out.Capabilities->Media->StreamingCapabilities = soap_new_tt__RealTimeStreamingCapabilities(soap);
    auto* yes = soap_new_bool(soap);
    *yes = true;
    out.Capabilities->Media->StreamingCapabilities->RTP_USCORERTSP_USCORETCP = yes;
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __tds__GetServices(struct soap* soap, _tds__GetServices*, _tds__GetServicesResponse& out) {
    preAuth(soap);
    SimulatedCamera& cam = cameraOf(soap);
    for (auto [ns, url] : {std::pair{"http://www.onvif.org/ver10/device/wsdl", cam.deviceUrl()},
                           std::pair{"http://www.onvif.org/ver10/media/wsdl", cam.mediaUrl()}}) {
        auto* s = soap_new_tds__Service(soap);
        s->Namespace = ns;
        s->XAddr = url;
        s->Version = soap_new_tt__OnvifVersion(soap);
        s->Version->Major = 2;
        s->Version->Minor = 60;
        out.Service.push_back(s);
    }
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __trt__GetProfiles(struct soap* soap, _trt__GetProfiles*, _trt__GetProfilesResponse& out) {
    if (int err = authenticate(soap)) return err;
    for (const char* token : {"main", "sub"}) out.Profiles.push_back(profile(soap, cameraOf(soap), token));
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __trt__GetProfile(struct soap* soap, _trt__GetProfile* in, _trt__GetProfileResponse& out) {
    if (int err = authenticate(soap)) return err;
    if (!in || !knownProfile(in->ProfileToken)) return senderFault(soap, "ter:NoProfile", "No such profile");
    out.Profile = profile(soap, cameraOf(soap), in->ProfileToken);
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __trt__GetVideoSources(struct soap* soap, _trt__GetVideoSources*, _trt__GetVideoSourcesResponse& out) {
    if (int err = authenticate(soap)) return err;
    const auto& c = cameraOf(soap).config();
    auto* v = soap_new_tt__VideoSource(soap);
    v->token = "video0";
    v->Framerate = float(c.main.fps);
    v->Resolution = soap_new_tt__VideoResolution(soap);
    v->Resolution->Width = c.main.width;
    v->Resolution->Height = c.main.height;
    out.VideoSources.push_back(v);
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __trt__GetStreamUri(struct soap* soap, _trt__GetStreamUri* in, _trt__GetStreamUriResponse& out) {
    if (int err = authenticate(soap)) return err;
    if (!in || !knownProfile(in->ProfileToken)) return senderFault(soap, "ter:NoProfile", "No such profile");
    if (in->StreamSetup && in->StreamSetup->Stream == tt__StreamType__RTP_Multicast)
        return senderFault(soap, "ter:InvalidStreamSetup", "Multicast streaming is not supported");
    out.MediaUri = mediaUri(soap, cameraOf(soap).streamUri(in->ProfileToken));
    return SOAP_OK;
}

SOAP_FMAC5 int SOAP_FMAC6 __trt__GetSnapshotUri(struct soap* soap, _trt__GetSnapshotUri* in, _trt__GetSnapshotUriResponse& out) {
    if (int err = authenticate(soap)) return err;
    if (!in || !knownProfile(in->ProfileToken)) return senderFault(soap, "ter:NoProfile", "No such profile");
    out.MediaUri = mediaUri(soap, cameraOf(soap).snapshotUri(in->ProfileToken));
    return SOAP_OK;
}

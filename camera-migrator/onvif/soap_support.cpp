// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/soap_support.h"

#include <ctime>

namespace appliance::camera::gsoap {

void SoapDeleter::operator()(struct soap* s) const {
    soap_destroy(s);
    soap_end(s);
    soap_free(s);
}

namespace {
// gSOAP timeouts: positive values are seconds, negative ones microseconds.
int toSoapTimeout(std::chrono::milliseconds ms) { return -int(std::min<long long>(ms.count(), 2'000'000) * 1000); }
}  // namespace

void applyLimits(struct soap* soap, const ClientLimits& limits) {
    soap->connect_timeout = toSoapTimeout(limits.connectTimeout);
    soap->send_timeout = toSoapTimeout(limits.ioTimeout);
    soap->recv_timeout = toSoapTimeout(limits.ioTimeout);
    soap->transfer_timeout = toSoapTimeout(limits.transferTimeout);
    // gSOAP leaves these unlimited by default (the 2017 "Devil's Ivy" overflow was an oversized message).
    soap->recv_maxlength = limits.maxMessageBytes;
    soap->maxlength = long(limits.maxMessageBytes);
    soap->maxlevel = unsigned(limits.maxDepth);
    soap->maxoccurs = limits.maxOccurs;
}

SoapPtr newBoundedContext(const ClientLimits& limits, int extraFlags) {
    SoapPtr soap(soap_new1(SOAP_C_UTFSTRING | extraFlags));
    if (!soap) std::abort();  // out of memory
    applyLimits(soap.get(), limits);
    return soap;
}

DeviceInformation convert(const _tds__GetDeviceInformationResponse& r) {
    return {r.Manufacturer, r.Model, r.FirmwareVersion, r.SerialNumber, r.HardwareId};
}

namespace {
std::string encodingName(tt__VideoEncoding e) {
    switch (e) {
    case tt__VideoEncoding__JPEG: return "JPEG";
    case tt__VideoEncoding__MPEG4: return "MPEG4";
    case tt__VideoEncoding__H264: return "H264";
    }
    return "unknown";
}
}  // namespace

std::vector<StreamProfile> convert(const _trt__GetProfilesResponse& r) {
    std::vector<StreamProfile> out;
    for (const tt__Profile* p : r.Profiles) {
        if (!p) continue;
        StreamProfile s;
        s.token = p->token;
        s.name = p->Name;
        if (const auto* vec = p->VideoEncoderConfiguration) {
            s.encoding = encodingName(vec->Encoding);
            if (vec->Resolution) {
                s.width = vec->Resolution->Width;
                s.height = vec->Resolution->Height;
            }
            if (vec->RateControl) {
                s.frameRateLimit = vec->RateControl->FrameRateLimit;
                s.bitrateLimitKbps = vec->RateControl->BitrateLimit;
            }
        }
        if (p->VideoSourceConfiguration) s.videoSourceToken = p->VideoSourceConfiguration->SourceToken;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<VideoSource> convert(const _trt__GetVideoSourcesResponse& r) {
    std::vector<VideoSource> out;
    for (const tt__VideoSource* v : r.VideoSources) {
        if (!v) continue;
        VideoSource s{v->token, 0, 0, v->Framerate};
        if (v->Resolution) {
            s.width = v->Resolution->Width;
            s.height = v->Resolution->Height;
        }
        out.push_back(std::move(s));
    }
    return out;
}

Result<double> clockOffset(const _tds__GetSystemDateAndTimeResponse& r, std::time_t now) {
    const tt__SystemDateAndTime* t = r.SystemDateAndTime;
    if (!t || !t->UTCDateTime || !t->UTCDateTime->Date || !t->UTCDateTime->Time)
        return makeError(ErrorClass::MalformedAnswer, "the camera's GetSystemDateAndTime answer has no UTC time");
    const auto* d = t->UTCDateTime->Date;
    const auto* h = t->UTCDateTime->Time;
    if (d->Year < 1970 || d->Year > 3000 || d->Month < 1 || d->Month > 12 || d->Day < 1 || d->Day > 31 || h->Hour < 0 ||
        h->Hour > 23 || h->Minute < 0 || h->Minute > 59 || h->Second < 0 || h->Second > 60)
        return makeError(ErrorClass::MalformedAnswer, "the camera's clock reads an impossible date or time");
    std::tm tm{};
    tm.tm_year = d->Year - 1900;
    tm.tm_mon = d->Month - 1;
    tm.tm_mday = d->Day;
    tm.tm_hour = h->Hour;
    tm.tm_min = h->Minute;
    tm.tm_sec = h->Second;
    return double(timegm(&tm) - now);
}

std::string mediaUrl(const _tds__GetCapabilitiesResponse& r) {
    if (r.Capabilities && r.Capabilities->Media) return r.Capabilities->Media->XAddr;
    return {};
}

std::string mediaUrl(const _tds__GetServicesResponse& r) {
    for (const tds__Service* s : r.Service)
        if (s && s->Namespace == "http://www.onvif.org/ver10/media/wsdl") return s->XAddr;
    return {};
}

}  // namespace appliance::camera::gsoap

// SPDX-License-Identifier: GPL-2.0-or-later
#include "onvif/answer_parser.h"

#include <ctime>
#include <sstream>

#include "onvif/soap_support.h"

namespace appliance::camera {

namespace {

template <class Response, class Receive, class Use>
Status parse(const std::string& bytes, Receive receive, Use use) {
    ClientLimits limits;
    // The HTTP head is split here: a gSOAP context that did not send the request itself takes an
    // HTTP 200 as an error. The envelope then goes through the client's deserializer and bounds.
    const auto headEnd = bytes.find("\r\n\r\n");
    if (bytes.rfind("HTTP/1.", 0) != 0 || headEnd == std::string::npos)
        return makeError(ErrorClass::NotOnvif, "the answer is not an HTTP response (parse at memory)");
    const int status = std::atoi(bytes.c_str() + 9);
    const std::string body = bytes.substr(headEnd + 4);
    if (body.size() > limits.maxMessageBytes)
        return makeError(ErrorClass::MalformedAnswer, "the answer breaks a safety bound (parse at memory)");
    gsoap::SoapPtr soap = gsoap::newBoundedContext(limits);
    std::istringstream in(body);
    soap->is = &in;
    // What soap_send_* does before a client receives: without the namespace table no element matches.
    soap_begin(soap.get());
    soap_set_version(soap.get(), 2);
    soap_set_local_namespaces(soap.get());
    Response resp;
    const auto started = std::chrono::steady_clock::now();
    if (receive(soap.get(), resp) != SOAP_OK || (status != 200 && (soap->error = status)))
        return gsoap::classify(soap.get(), "parse", "memory", std::chrono::steady_clock::now() - started, limits);
    use(resp);
    return okStatus();
}

}  // namespace

Status parseCameraAnswer(AnswerKind kind, const std::string& bytes) {
    switch (kind) {
    case AnswerKind::SystemDateAndTime:
        return parse<_tds__GetSystemDateAndTimeResponse>(bytes, soap_recv___tds__GetSystemDateAndTime, [](auto& r) {
            (void)gsoap::clockOffset(r, std::time(nullptr));
        });
    case AnswerKind::DeviceInformation:
        return parse<_tds__GetDeviceInformationResponse>(bytes, soap_recv___tds__GetDeviceInformation,
                                                         [](auto& r) { (void)gsoap::convert(r); });
    case AnswerKind::Capabilities:
        return parse<_tds__GetCapabilitiesResponse>(bytes, soap_recv___tds__GetCapabilities,
                                                    [](auto& r) { (void)gsoap::mediaUrl(r); });
    case AnswerKind::Services:
        return parse<_tds__GetServicesResponse>(bytes, soap_recv___tds__GetServices, [](auto& r) { (void)gsoap::mediaUrl(r); });
    case AnswerKind::Profiles:
        return parse<_trt__GetProfilesResponse>(bytes, soap_recv___trt__GetProfiles, [](auto& r) { (void)gsoap::convert(r); });
    case AnswerKind::VideoSources:
        return parse<_trt__GetVideoSourcesResponse>(bytes, soap_recv___trt__GetVideoSources,
                                                    [](auto& r) { (void)gsoap::convert(r); });
    case AnswerKind::StreamUri:
        return parse<_trt__GetStreamUriResponse>(bytes, soap_recv___trt__GetStreamUri, [](auto& r) {
            if (r.MediaUri) (void)r.MediaUri->Uri.size();
        });
    case AnswerKind::Invalid: break;
    }
    return makeError(ErrorClass::InvalidArgument, "unknown answer kind");
}

}  // namespace appliance::camera

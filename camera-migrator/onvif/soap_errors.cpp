// SPDX-License-Identifier: GPL-2.0-or-later
// gSOAP's error codes -> the camera layer's error classes, with a sentence for a person.
#include <cerrno>
#include <cstring>

#include "onvif/soap_support.h"

namespace appliance::camera::gsoap {

namespace {

std::string faultText(struct soap* soap) {
    const char* s = *soap_faultstring(soap);
    const char* d = *soap_faultdetail(soap);
    std::string text = s ? s : "";
    if (d && *d) text += std::string(text.empty() ? "" : ": ") + d;
    // A camera's text goes into our message: keep it short and printable.
    if (text.size() > 200) text = text.substr(0, 200) + "...";
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    return text;
}

std::string faultSubcode(struct soap* soap) {
    const char* sub = soap_fault_subcode(soap);
    return sub ? sub : "";
}

bool looksLikeAuthFault(const std::string& subcode, const std::string& text) {
    for (const char* key : {"NotAuthorized", "FailedAuthentication", "InvalidSecurity", "not authorized", "Unauthorized",
                            "authentication"})
        if (subcode.find(key) != std::string::npos || text.find(key) != std::string::npos) return true;
    return false;
}

}  // namespace

Error classify(struct soap* soap, const std::string& what, const std::string& url,
               std::chrono::steady_clock::duration elapsed, const ClientLimits& limits) {
    const int err = soap->error;
    const int errnum = soap->errnum;
    const std::string at = " (" + what + " at " + url + ")";
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();

    if (err == 401 || err == 403)
        return makeError(ErrorClass::AuthenticationFailed,
                         "the camera refused the user name or password" + at + "; check the credentials set on the camera");
    // gSOAP stops reading at recv_maxlength and reports it as an end of file: say it was the bound.
    const bool overBound = soap->recv_maxlength && (soap->count > soap->recv_maxlength || soap->length > soap->recv_maxlength);
    if (overBound || err == SOAP_LENGTH || err == SOAP_OCCURS || err == SOAP_LEVEL || err == SOAP_EOM)
        return makeError(ErrorClass::MalformedAnswer,
                         "the camera's answer breaks a safety bound (at most " + std::to_string(limits.maxMessageBytes) +
                             " bytes, depth " + std::to_string(limits.maxDepth) + ", " + std::to_string(limits.maxOccurs) +
                             " items per list)" + at + "; it was not read further");
    if (err == SOAP_TCP_ERROR || err == SOAP_EOF || err == SOAP_UDP_ERROR) {
        if (errnum == ECONNREFUSED || errnum == EHOSTUNREACH || errnum == ENETUNREACH || errnum == EADDRNOTAVAIL)
            return makeError(ErrorClass::Unreachable, "nothing answers" + at + ": " + std::strerror(errnum) +
                                                          "; check the camera's address, port and power");
        if (err == SOAP_TCP_ERROR && errnum == 0 && soap->errmode == 0 && ms >= limits.connectTimeout.count() * 9 / 10)
            return makeError(ErrorClass::Timeout, "the camera did not accept a connection within " +
                                                      std::to_string(limits.connectTimeout.count()) + " ms" + at);
        // gSOAP reports a timeout as an error with errno 0; a quick EOF is a peer that hung up.
        if (errnum == 0 && ms >= std::min(limits.ioTimeout, limits.transferTimeout).count() * 9 / 10)
            return makeError(ErrorClass::Timeout, "the camera did not answer within " + std::to_string(ms) + " ms" + at +
                                                      "; it may be overloaded or hung: power-cycle it or try again");
        if (err == SOAP_TCP_ERROR && errnum == 0)
            return makeError(ErrorClass::Unreachable, "cannot connect" + at + ": " + faultText(soap));
        if (soap->count > 0)
            return makeError(ErrorClass::MalformedAnswer, "the camera's answer broke off after " + std::to_string(soap->count) +
                                                              " bytes" + at + "; try again, and power-cycle the camera if it persists");
        return makeError(ErrorClass::NotOnvif, "the camera closed the connection without a SOAP answer" + at +
                                                   "; is this port its ONVIF service?");
    }
    if (err == SOAP_FAULT || err == SOAP_CLI_FAULT || err == SOAP_SVR_FAULT) {
        std::string text = faultText(soap), sub = faultSubcode(soap);
        if (looksLikeAuthFault(sub, text))
            return makeError(ErrorClass::AuthenticationFailed,
                             "the camera refused the user name or password" + at + ": " + text +
                                 "; check the credentials, and that the camera's clock is sane");
        if (sub.find("ActionNotSupported") != std::string::npos || text.find("not supported") != std::string::npos)
            return makeError(ErrorClass::NotOnvif, "the camera does not support " + what + at + ": " + text);
        return makeError(ErrorClass::GenericError, "the camera answered with a fault" + at + ": " + text);
    }
    if (err == SOAP_NO_DATA || err == SOAP_REQUIRED)
        return makeError(ErrorClass::MalformedAnswer, "the camera's answer to " + what + " lacks an element ONVIF requires" + at);
    if (err == SOAP_NO_METHOD)
        return makeError(ErrorClass::MalformedAnswer, "the camera's answer to " + what + " holds no " + what + "Response" + at);
    // Any other HTTP status: a web server, but not an ONVIF service (404 from a router's page, ...).
    if (err >= 300 && err < 600)
        return makeError(ErrorClass::NotOnvif, "HTTP " + std::to_string(err) + " instead of an ONVIF answer" + at +
                                                   "; is this the camera's ONVIF device service URL?");
    if (err == SOAP_VERSIONMISMATCH || err == SOAP_NO_TAG || err == SOAP_TAG_MISMATCH || err == SOAP_MOE)
        return makeError(ErrorClass::NotOnvif, "the answer is not a SOAP envelope" + at + "; is this an ONVIF device?");
    if (err == SOAP_SYNTAX_ERROR || err == SOAP_TYPE || err == SOAP_NAMESPACE || err == SOAP_DUPLICATE_ID ||
        err == SOAP_MISSING_ID || err == SOAP_HREF || err == SOAP_UTF_ERROR || err == SOAP_NULL ||
        err == SOAP_ZLIB_ERROR || err == SOAP_HTTP_ERROR)
        return makeError(ErrorClass::MalformedAnswer, "the camera's answer cannot be parsed (gSOAP error " +
                                                          std::to_string(err) + ")" + at);
    // Something answered, but nothing gSOAP could use: a malformed answer, whatever the detail.
    return makeError(ErrorClass::MalformedAnswer, "the camera's answer to " + what + " cannot be used (gSOAP error " +
                                                      std::to_string(err) + ": " + faultText(soap) + ")" + at);
}

}  // namespace appliance::camera::gsoap

// SPDX-License-Identifier: GPL-2.0-or-later
// Internal to the camera layer: one gSOAP context set up with the bounds every camera answer gets,
// the classification of gSOAP's errors into the errors a person can act on, and the conversion of
// generated types into the camera layer's own. Includes gSOAP's generated headers: never include it
// from a public header.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "onvif/onvif_types.h"
#include "soapH.h"

namespace appliance::camera::gsoap {

struct SoapDeleter {
    void operator()(struct soap* s) const;
};
using SoapPtr = std::unique_ptr<struct soap, SoapDeleter>;

/// A context for talking to one camera: UTF-8 strings, SOAP 1.2, every bound from `limits`.
SoapPtr newBoundedContext(const ClientLimits& limits, int extraFlags = 0);
/// Re-applies the bounds (gSOAP resets some of them, e.g. soap_wsdd_listen sets its own timeouts).
void applyLimits(struct soap* soap, const ClientLimits& limits);

/// What went wrong in the last gSOAP call, as a sentence that names the camera and the fix.
/// `what` names the request ("GetProfiles"), `url` where it went, `elapsed` how long it took.
Error classify(struct soap* soap, const std::string& what, const std::string& url,
               std::chrono::steady_clock::duration elapsed, const ClientLimits& limits);

// Generated types -> the camera layer's. Missing optional elements become empty values.
DeviceInformation convert(const _tds__GetDeviceInformationResponse& r);
std::vector<StreamProfile> convert(const _trt__GetProfilesResponse& r);
std::vector<VideoSource> convert(const _trt__GetVideoSourcesResponse& r);
/// Camera clock (UTC) minus `now`, in seconds; an error if the answer carries no UTC time.
Result<double> clockOffset(const _tds__GetSystemDateAndTimeResponse& r, std::time_t now);
/// The media service URL in a GetCapabilities answer, if it names one.
std::string mediaUrl(const _tds__GetCapabilitiesResponse& r);
std::string mediaUrl(const _tds__GetServicesResponse& r);

}  // namespace appliance::camera::gsoap

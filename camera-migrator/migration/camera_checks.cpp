// SPDX-License-Identifier: GPL-2.0-or-later
#include "migration/camera_checks.h"

#include "onvif/camera_client.h"
#include "stream/stream_verifier.h"

namespace appliance::migration {

namespace {

class RealCameraChecks : public CameraChecks {
public:
    Result<Json> onvifDevice(const std::string& deviceUrl, const CameraCredentials& k) override {
        camera::Credentials credentials;
        credentials.user = k.username, credentials.password = k.password;
        auto client = camera::makeOnvifClient(deviceUrl, credentials);
        (void)client->clockOffset();  // sign with the camera's own time when it has one
        auto info = client->deviceInformation();
        if (!info) return info.error();
        return camera::toJson(*info);
    }

    Result<DecodeReport> decodes(const std::string& streamUri, const CameraCredentials& k) override {
        camera::VerifyOptions options;
        options.firstFrameTimeout = std::chrono::milliseconds(15000);
        options.measureFor = std::chrono::milliseconds(1500);
        camera::Credentials credentials;
        credentials.user = k.username, credentials.password = k.password;
        auto r = camera::verifyStream(streamUri, credentials, options);
        if (!r) return r.error();
        return DecodeReport{r->frames, r->framesPerS, r->width, r->height, r->codec};
    }
};

}  // namespace

std::unique_ptr<CameraChecks> makeCameraChecks() { return std::make_unique<RealCameraChecks>(); }

}  // namespace appliance::migration

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
    Result<std::string> snapshot(const std::string& deviceUrl, const CameraCredentials& k) override {
        camera::Credentials credentials;
        credentials.user = k.username, credentials.password = k.password;
        camera::ClientLimits limits;  // a thumbnail: short waits, a small picture
        limits.ioTimeout = std::chrono::milliseconds(3000), limits.transferTimeout = std::chrono::milliseconds(5000);
        limits.maxSnapshotBytes = 512 << 10;  // a thumbnail; the console refuses more
        auto client = camera::makeOnvifClient(deviceUrl, credentials, limits);
        (void)client->clockOffset();
        auto profiles = client->profiles();
        if (!profiles) return profiles.error();
        if (profiles->empty()) return makeError(ErrorClass::NotFound, "the camera has no media profile to take a snapshot from");
        auto uri = client->snapshotUri(profiles->front().token);
        if (!uri) return uri.error();
        auto jpeg = client->fetchSnapshot(*uri);
        if (!jpeg) return jpeg.error();
        // The console decodes it as a picture: only a JPEG goes on (what a camera sends is untrusted).
        if (jpeg->size() < 4 || uint8_t((*jpeg)[0]) != 0xFF || uint8_t((*jpeg)[1]) != 0xD8)
            return makeError(ErrorClass::MalformedAnswer, "the camera's snapshot is not a JPEG picture");
        return jpeg;
    }
};

}  // namespace

std::unique_ptr<CameraChecks> makeCameraChecks() { return std::make_unique<RealCameraChecks>(); }

}  // namespace appliance::migration

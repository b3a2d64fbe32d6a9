// SPDX-License-Identifier: GPL-2.0-or-later
// motion's camera files, one per slot: /etc/motion/cameras/cam-ID.conf. The image ships a fixed
// number of spare slots (images/vms-guest/motion/setup.sh); the agent turns a spare into a camera
// and back by rewriting its file (and, for the running motion, through the web control: see
// motion_adapter.h). A slot is spare when its netcam_url is kSpareUrl.
//
// The file is the only place the camera's password is stored. It is root:motion 0640: motion
// runs as user motion and must read it; no other user of the guest can.
// Context: the adapter's thread.
#pragma once

#include <string>
#include <vector>

#include "adapters/vms_adapter.h"
#include "common/result.h"

namespace appliance::agent::motion {

/// A closed port inside the guest: a spare slot idles in "lost connection", records nothing and
/// sends nothing anywhere.
inline constexpr const char* kSpareUrl = "rtsp://127.0.0.1:1/spare";
/// Comment lines that carry what motion has no key for.
inline constexpr const char* kOnvifIdTag = "# appliance-onvif-id ";

struct Slot {
    std::string path;
    int cameraId = 0;
    bool spare = true;
    std::string name;
    std::string netcamUrl;  ///< never holds credentials (they are in netcam_userpass)
    std::string onvifId;
};

/// What a camera in a slot is told (the values motion is given, both in the file and on the web).
struct SlotConfig {
    std::string name;
    std::string netcamUrl;
    std::string userpass;  ///< "user:pass", each part percent-encoded (motion puts it verbatim into the URL)
    std::string onvifId;
    int width = 0, height = 0, fps = 0;
};

/// The slots in `dir` (files named cam-*.conf with a camera_id), ordered by camera id.
Result<std::vector<Slot>> readSlots(const std::string& dir);
/// The file of a slot with a camera in it, and of a spare slot.
std::string renderCamera(int cameraId, const SlotConfig& c);
std::string renderSpare(int cameraId);
/// Writes a slot's file as root:motion 0640 (motion's group looked up by name).
Status writeSlot(const std::string& path, const std::string& text);
/// The camera's values as motion takes them: size in multiples of 8 (motion's requirement), the
/// defaults for a sub stream, credentials percent-encoded.
SlotConfig slotConfigFor(const CameraSpec& spec);

}  // namespace appliance::agent::motion

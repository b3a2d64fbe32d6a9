// SPDX-License-Identifier: GPL-2.0-or-later
// `appliancectl vms ...`: the words and flags of a vms command turned into an admin API request,
// and its answer printed for people. The camera password never comes from the command line
// (where `ps` shows it): from a file, or standard input with --password-file -.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/protocol.h"
#include "common/result.h"

namespace appliance::ctl {

struct VmsRequest {
    std::string verb;
    protocol::Json args = protocol::Json::object();
    std::set<std::string> allowedFlags;
    int timeoutMs = 30000;
    std::string outFile;  ///< vms camera snapshot: where the picture goes
};

/// `words` starts with "vms". A usage error is InvalidArgument with the message to show.
Result<VmsRequest> parseVmsCommand(const std::vector<std::string>& words, const std::map<std::string, std::string>& flags);

/// Prints a successful answer to `verb` as people read it.
void printVmsAnswer(const std::string& verb, const protocol::Json& answer);

/// Writes the picture of a vms.camera.snapshot answer to `path` (created 0600: a camera's picture
/// is not for every local user).
Status saveVmsSnapshot(const std::string& path, const protocol::Json& answer);

inline constexpr const char* kVmsUsage = R"(VMS inside a VM (administrators; the guest's agent answers):
  vms info VM                      the VMS product, version, cameras and camera limit
  vms cameras VM                   its cameras: new frames arriving, recording, last recorded
  vms camera add VM --name NAME --uri rtsp://HOST:PORT/PATH [--onvif-id ID] [--user USER]
                 [--password-file FILE|-] [--width W --height H] [--fps N]
                                   add a camera and start recording it (prints its id)
  vms camera remove VM ID          stop recording a camera and remove it (recordings stay)
  vms camera status VM ID          one camera, checked now
  vms camera snapshot VM ID --out FILE.jpg
                                   the VMS's own current picture of the camera
)";

}  // namespace appliance::ctl

// SPDX-License-Identifier: GPL-2.0-or-later
// The wire shapes of the vms.* commands and their strict argument checks. The host checks the
// answers again; here the arguments are checked before anything reaches the VMS, because they end
// up in its configuration (a motion camera file, a ZoneMinder monitor's Path).
//
//   vms.info                 {}                         → {"product","version","cameras","camera_limit","ready","reason"}
//   vms.cameras              {}                         → {"cameras":[camera...]}
//   vms.camera.add           {"name","stream_uri",      → {"id"}
//                             "onvif_id","username","password","width","height","fps"}
//   vms.camera.remove        {"id"}                     → {"removed": id}
//   vms.camera.status        {"id"}                     → camera
//   vms.camera.snapshot      {"id"}                     → {"jpeg": base64 of the VMS's own picture}
//   vms.camera.recorded_clock {"id","end":"first"|"last", → {"clock_ms", "file"}: the camera's clock
//                             "since_ms"}                  in that frame of the VMS's recordings
//   camera = {"id","name","onvif_id","stream_uri","receiving","recording",
//             "last_frame","last_recorded","reason"}    (times: epoch seconds or null)
//
// Context: vms-agentd's command thread (the adapter's calls block).
#pragma once

#include <string>
#include <string_view>

#include "adapters/vms_adapter.h"
#include "common/protocol.h"

namespace appliance::agent {

inline constexpr std::size_t kMaxNameBytes = 64;
inline constexpr std::size_t kMaxStreamUriBytes = 512;
inline constexpr std::size_t kMaxCredentialBytes = 128;
inline constexpr std::size_t kMaxOnvifIdBytes = 128;
inline constexpr std::size_t kMaxIdChars = 32;

protocol::Json toJson(const VmsInfo& info);
protocol::Json toJson(const CameraState& camera);

/// The arguments of vms.camera.add, checked (unknown keys, types, lengths, characters, ranges).
Result<CameraSpec> cameraSpecFromJson(const protocol::Json& args);
/// A camera id as the commands take it: 1-32 characters of [A-Za-z0-9_-].
Status checkCameraId(std::string_view id);
/// rtsp://host[:port][/path] within the bounds, without credentials.
Status checkStreamUri(std::string_view uri);

/// Runs one vms.* command against the adapter: checks the arguments, calls it, shapes the answer.
/// An unknown verb is CommandNotFound.
Result<protocol::Json> runVmsCommand(VmsAdapter& adapter, const std::string& verb, const protocol::Json& args);

}  // namespace appliance::agent

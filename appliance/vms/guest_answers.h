// SPDX-License-Identifier: GPL-2.0-or-later
// What a guest's agent answers to the host's vms.* commands is untrusted: a compromised guest may
// answer anything. Each answer is checked against the shape its verb has and rebuilt from the
// fields that shape names, every string bounded and made plain text; anything else is a
// MalformedAnswer that names the guest, never passed on.
#pragma once

#include <string>

#include "common/protocol.h"
#include "common/result.h"

namespace appliance::vms {

/// The largest camera list taken from one guest (a VMS instance's cameras).
inline constexpr std::size_t kMaxCameras = 256;
/// The largest picture taken from one guest, in base64 characters (160 KiB of JPEG; the agent
/// session takes answers of up to 256 KiB).
inline constexpr std::size_t kMaxSnapshotBase64 = 220 * 1024;

/// `answer` as the agent of `vm` returned it for `verb`; the rebuilt answer or an error.
Result<protocol::Json> checkAnswer(const std::string& vm, const std::string& verb, const protocol::Json& answer);

/// An error a guest's agent reported (to any command of the host), passed on with its class (if it is one a VMS adapter may
/// report) and its text bounded and made plain.
Error guestError(const std::string& vm, const Error& reported);

}  // namespace appliance::vms

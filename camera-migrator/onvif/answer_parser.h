// SPDX-License-Identifier: GPL-2.0-or-later
// Parses one camera answer (an HTTP response carrying a SOAP envelope, as it arrives on the wire)
// through exactly the path the client uses: the same bounded gSOAP context, the same generated
// deserializers and the same conversions. For the fuzz target and for tests of odd answers.
#pragma once

#include <string>

#include "common/result.h"

namespace appliance::camera {

enum class AnswerKind { Invalid = 0, SystemDateAndTime, DeviceInformation, Capabilities, Services, Profiles, VideoSources, StreamUri };

/// Ok if `bytes` is a well-formed answer of that kind; otherwise the error the client would report.
Status parseCameraAnswer(AnswerKind kind, const std::string& bytes);

}  // namespace appliance::camera

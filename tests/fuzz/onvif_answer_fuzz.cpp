// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for the path that parses camera answers: the first byte picks which answer the
// client expects, the rest arrives as the camera's HTTP response. Invariant: no crash, no hang,
// no unbounded allocation (the limits of ClientLimits hold); a bad answer is an error value.
#include <cstddef>
#include <cstdint>
#include <string>

#include "onvif/answer_parser.h"

using appliance::camera::AnswerKind;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const auto kind = AnswerKind(1 + data[0] % 7);
    std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    (void)appliance::camera::parseCameraAnswer(kind, bytes);
    return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
// Text from a peer (a guest, a camera, a local user) made safe to store, log, print to a terminal
// or put in JSON: valid UTF-8 is kept, control characters (terminal escapes among them) and
// invalid bytes become \xNN, and it is cut to a bound with a note of how much was cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace appliance {

std::string plainText(std::string_view text, std::size_t maxBytes);

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Plain text tables for appliancectl's human output.
#pragma once

#include <string>
#include <vector>

namespace appliance {

std::string formatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
std::string formatDuration(long long seconds);

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Plain text tables for appliancectl's human output.
#pragma once

#include <string>
#include <vector>

#include "common/protocol.h"

namespace appliance {

std::string formatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
std::string formatDuration(long long seconds);
/// A JSON field as a table cell: "-" when absent or null, yes/no, numbers with one decimal.
std::string jsonCell(const protocol::Json& object, const char* key);

}  // namespace appliance

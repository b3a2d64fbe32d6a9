// SPDX-License-Identifier: GPL-2.0-or-later
// `key = value` configuration files ('#' starts a comment). Unknown keys are errors, so a typo in
// an administrator's file is reported instead of silently ignored.
#pragma once

#include <map>
#include <string>

#include "common/result.h"

namespace appliance::config {

using Values = std::map<std::string, std::string>;

Result<Values> parseText(const std::string& text, const std::string& origin);
Result<Values> readFile(const std::string& path);
/// "key=value" from a command line.
Result<std::pair<std::string, std::string>> parseOverride(const std::string& arg);
Result<long long> toInteger(const std::string& key, const std::string& value, long long min, long long max);
Result<bool> toBool(const std::string& key, const std::string& value);

}  // namespace appliance::config

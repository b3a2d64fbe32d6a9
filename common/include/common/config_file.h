// SPDX-License-Identifier: GPL-2.0-or-later
// `key = value` configuration files ('#' starts a comment). Unknown keys are errors, so a typo in
// an administrator's file is reported instead of silently ignored.
#pragma once

#include <functional>
#include <map>
#include <vector>
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
/// Stores `value` in `field` if it is a whole number from `min` to `max`.
Status setInteger(int& field, const std::string& key, const std::string& value, long long min, long long max);
/// Stores `value` in `field` if it is not empty.
Status setText(std::string& field, const std::string& key, const std::string& value);
/// The file at `path` (skipped if it does not exist, unless `fileMustExist`), then the --set
/// KEY=VALUE overrides, each setting through `apply`; the first error, naming the file.
Status applySettings(const std::string& path, bool fileMustExist, const std::vector<std::string>& overrides,
                     const std::function<Status(const std::string& key, const std::string& value)>& apply);

}  // namespace appliance::config

// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/config_file.h"

#include <filesystem>

#include <charconv>
#include <fstream>
#include <sstream>

namespace appliance::config {

namespace {
std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}
}  // namespace

Result<Values> parseText(const std::string& text, const std::string& origin) {
    Values values;
    std::istringstream in(text);
    std::string raw;
    int lineNo = 0;
    while (std::getline(in, raw)) {
        ++lineNo;
        std::string line = trim(raw.substr(0, raw.find('#')));
        if (line.empty()) continue;
        auto eq = line.find('=');
        if (eq == std::string::npos)
            return makeError(ErrorClass::InvalidArgument,
                             origin + ":" + std::to_string(lineNo) + ": expected 'key = value', got '" + line + "'");
        values[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    return values;
}

Result<Values> readFile(const std::string& path) {
    std::ifstream f(path);
    if (!f)
        return makeError(ErrorClass::NotFound, "cannot read configuration file '" + path + "'");
    std::stringstream ss;
    ss << f.rdbuf();
    return parseText(ss.str(), path);
}

Result<std::pair<std::string, std::string>> parseOverride(const std::string& arg) {
    auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
        return makeError(ErrorClass::InvalidArgument, "expected --set key=value, got '" + arg + "'");
    return std::make_pair(trim(arg.substr(0, eq)), trim(arg.substr(eq + 1)));
}

Result<long long> toInteger(const std::string& key, const std::string& value, long long min, long long max) {
    long long v = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size() || v < min || v > max)
        return makeError(ErrorClass::InvalidArgument, "'" + key + "' must be a whole number from " +
                                                          std::to_string(min) + " to " + std::to_string(max) +
                                                          ", got '" + value + "'");
    return v;
}

Result<bool> toBool(const std::string& key, const std::string& value) {
    if (value == "true" || value == "yes" || value == "1" || value == "on") return true;
    if (value == "false" || value == "no" || value == "0" || value == "off") return false;
    return makeError(ErrorClass::InvalidArgument, "'" + key + "' must be true or false, got '" + value + "'");
}

Status setInteger(int& field, const std::string& key, const std::string& value, long long min, long long max) {
    auto v = toInteger(key, value, min, max);
    if (!v) return v.error();
    field = int(*v);
    return okStatus();
}

Status setText(std::string& field, const std::string& key, const std::string& value) {
    if (value.empty()) return makeError(ErrorClass::InvalidArgument, "'" + key + "' must not be empty");
    field = value;
    return okStatus();
}

Status applySettings(const std::string& path, bool fileMustExist, const std::vector<std::string>& overrides,
                     const std::function<Status(const std::string&, const std::string&)>& apply) {
    if (!path.empty() && (fileMustExist || std::filesystem::exists(path))) {
        auto values = readFile(path);
        if (!values) return values.error();
        for (const auto& [k, v] : *values)
            if (auto s = apply(k, v); !s) return makeError(ErrorClass::InvalidArgument, path + ": " + s.error().message);
    }
    for (const auto& o : overrides) {
        auto kv = parseOverride(o);
        if (!kv) return kv.error();
        if (auto s = apply(kv->first, kv->second); !s) return s;
    }
    return okStatus();
}

}  // namespace appliance::config

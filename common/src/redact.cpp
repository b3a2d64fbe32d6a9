// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/redact.h"

#include <array>
#include <cctype>

namespace appliance::redact {

namespace {
constexpr std::array<std::string_view, 6> kSecretWords = {"password", "secret", "token", "passphrase", "proof", "userpass"};

bool endsWithNoCase(std::string_view s, std::string_view suffix) {
    if (s.size() < suffix.size()) return false;
    s = s.substr(s.size() - suffix.size());
    for (std::size_t i = 0; i < s.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) != suffix[i]) return false;
    return true;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// End of the JSON string whose opening quote is at `open`: the index of the closing quote, or
// input.size() when the text ends first.
std::size_t stringEnd(std::string_view input, std::size_t open) {
    std::size_t i = open + 1;
    while (i < input.size()) {
        if (input[i] == '\\') i += 2;
        else if (input[i] == '"') return i;
        else ++i;
    }
    return input.size();
}
}  // namespace

bool isSecretKey(std::string_view key) {
    for (auto word : kSecretWords)
        if (endsWithNoCase(key, word)) return true;
    return false;
}

nlohmann::json json(const nlohmann::json& value) {
    if (value.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (auto it = value.begin(); it != value.end(); ++it)
            out[it.key()] = isSecretKey(it.key()) && !it.value().is_null() ? nlohmann::json(kMask) : json(it.value());
        return out;
    }
    if (value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : value) out.push_back(json(v));
        return out;
    }
    return value;
}

std::string text(std::string_view input) {
    std::string out;
    out.reserve(input.size());
    std::size_t i = 0;
    while (i < input.size()) {
        if (input[i] != '"') {
            out += input[i++];
            continue;
        }
        // A string: copy it; if it is a secret key followed by ':' and a string, mask that string.
        std::size_t close = stringEnd(input, i);
        std::string_view str = input.substr(i + 1, close == input.size() ? std::string_view::npos : close - i - 1);
        out.append(input.substr(i, close == input.size() ? std::string_view::npos : close - i + 1));
        i = close == input.size() ? close : close + 1;
        if (!isSecretKey(str)) continue;
        std::size_t j = i;
        while (j < input.size() && isSpace(input[j])) ++j;
        if (j >= input.size() || input[j] != ':') continue;
        ++j;
        while (j < input.size() && isSpace(input[j])) ++j;
        if (j >= input.size() || input[j] != '"') continue;
        out.append(input.substr(i, j - i));
        out += '"';
        out += kMask;
        out += '"';
        std::size_t valueClose = stringEnd(input, j);
        i = valueClose == input.size() ? valueClose : valueClose + 1;
    }
    return out;
}

std::string uri(std::string_view input) {
    auto scheme = input.find("://");
    if (scheme == std::string_view::npos) return std::string(input);
    std::size_t authorityStart = scheme + 3;
    std::size_t authorityEnd = input.find_first_of("/?#", authorityStart);
    std::string_view authority = input.substr(authorityStart, authorityEnd == std::string_view::npos ? std::string_view::npos
                                                                                                       : authorityEnd - authorityStart);
    auto at = authority.rfind('@');
    if (at == std::string_view::npos) return std::string(input);
    return std::string(input.substr(0, authorityStart)) + kMask + "@" + std::string(input.substr(authorityStart + at + 1));
}

}  // namespace appliance::redact

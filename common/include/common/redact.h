// SPDX-License-Identifier: GPL-2.0-or-later
// The one place secrets are stripped from anything that may be logged, audited or shown: JSON
// values under secret-looking keys, the same in JSON text, and credentials inside URIs. Every
// function is a single linear pass (a peer controls the input; no backtracking regex).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace appliance::redact {

inline constexpr const char* kMask = "***";

/// True for keys whose values are secrets: password, secret, token, passphrase, proof, userpass
/// (case-insensitive, also as the end of a longer key such as "camera_password").
bool isSecretKey(std::string_view key);
/// A copy of `value` with every secret value (at any depth) replaced by "***".
nlohmann::json json(const nlohmann::json& value);
/// JSON (or JSON-like) text with the string values of secret keys replaced by "***". Tolerates
/// malformed and truncated text; output is never longer than the input plus a few bytes per secret.
std::string text(std::string_view input);
/// `scheme://user:password@host/...` → `scheme://***@host/...`; other text is returned as it is.
std::string uri(std::string_view input);

}  // namespace appliance::redact

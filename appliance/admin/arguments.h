// SPDX-License-Identifier: GPL-2.0-or-later
// Validation of a command's arguments before anything happens: unknown keys, wrong types and
// out-of-range values are refused with a message that names the argument and what it accepts.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/protocol.h"
#include "common/result.h"

namespace appliance {

class Arguments {
public:
    using Json = protocol::Json;
    Arguments(std::string verb, const Json& args) : m_verb(std::move(verb)), m_args(args) {}

    /// Fails if `args` has a key not in `allowed`.
    Status onlyKeys(const std::set<std::string>& allowed) const;
    Result<std::string> vmName(const std::string& key = "name") const;
    Result<std::optional<long long>> integer(const std::string& key, long long min, long long max) const;
    Result<std::optional<bool>> boolean(const std::string& key) const;
    Result<std::optional<std::string>> string(const std::string& key, std::size_t maxLen) const;

private:
    Error bad(const std::string& key, const std::string& what) const;
    std::string m_verb;
    const Json& m_args;
};

bool validVmName(const std::string& name);

// For verbs that answer through `reply`: stop at the first failed validation. `TRY(x, expr)`
// declares x from a Result or replies its error; `CHECK(expr)` replies a failed Status.
#define TRY(var, expr)                              \
    auto var##_r = (expr);                          \
    if (!var##_r) return reply(var##_r.error());    \
    auto var = std::move(*var##_r)
#define CHECK(expr)                                 \
    if (auto s_ = (expr); !s_) return reply(s_.error())

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "admin/arguments.h"

#include <regex>

namespace appliance {

bool validVmName(const std::string& name) {
    static const std::regex re("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$");
    return std::regex_match(name, re);
}

Error Arguments::bad(const std::string& key, const std::string& what) const {
    return makeError(ErrorClass::InvalidArgument, m_verb + ": argument '" + key + "' " + what);
}

Status Arguments::onlyKeys(const std::set<std::string>& allowed) const {
    for (const auto& [k, _] : m_args.items()) {
        if (allowed.count(k)) continue;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        return makeError(ErrorClass::InvalidArgument,
                         m_verb + ": unknown argument '" + k + "'" +
                             (list.empty() ? "; it takes no arguments" : "; it takes: " + list));
    }
    return okStatus();
}

Result<std::string> Arguments::vmName(const std::string& key) const {
    auto it = m_args.find(key);
    if (it == m_args.end()) return bad(key, "is required (the VM's name)");
    if (!it->is_string()) return bad(key, "must be a string");
    std::string name = it->get<std::string>();
    if (!validVmName(name))
        return bad(key, "must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    return name;
}

Result<std::optional<long long>> Arguments::integer(const std::string& key, long long min, long long max) const {
    auto it = m_args.find(key);
    if (it == m_args.end() || it->is_null()) return std::optional<long long>{};
    if (!it->is_number_integer())
        return bad(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    long long v = it->is_number_unsigned() ? (it->get<unsigned long long>() > (unsigned long long)max ? max + 1
                                                                                                      : (long long)it->get<unsigned long long>())
                                           : it->get<long long>();
    if (v < min || v > max)
        return bad(key, "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + it->dump());
    return std::optional<long long>(v);
}

Result<std::optional<bool>> Arguments::boolean(const std::string& key) const {
    auto it = m_args.find(key);
    if (it == m_args.end() || it->is_null()) return std::optional<bool>{};
    if (!it->is_boolean()) return bad(key, "must be true or false");
    return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::string>> Arguments::string(const std::string& key, std::size_t maxLen) const {
    auto it = m_args.find(key);
    if (it == m_args.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string()) return bad(key, "must be a string");
    std::string s = it->get<std::string>();
    if (s.size() > maxLen) return bad(key, "is longer than " + std::to_string(maxLen) + " characters");
    return std::optional<std::string>(std::move(s));
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/policy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace appliance {

std::string_view policyActionName(PolicyAction a) {
    switch (a) {
    case PolicyAction::Allow: return "allow";
    case PolicyAction::Deny: return "deny";
    case PolicyAction::Ask: return "ask";
    case PolicyAction::Invalid: break;
    }
    return "invalid";
}

Result<Policy> Policy::parse(const std::string& text, const std::string& origin) {
    Policy p;
    std::istringstream in(text);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        line = line.substr(0, line.find('#'));
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string word; words >> word;) w.push_back(word);
        if (w.empty()) continue;
        std::string where = origin + ":" + std::to_string(n);
        if (w.size() != 4)
            return makeError(ErrorClass::InvalidArgument,
                             where + ": expected 'SOURCE VERB TARGET ACTION', got " + std::to_string(w.size()) + " words");
        PolicyAction action = w[3] == "allow" ? PolicyAction::Allow
                              : w[3] == "deny" ? PolicyAction::Deny
                              : w[3] == "ask"  ? PolicyAction::Ask
                                               : PolicyAction::Invalid;
        if (action == PolicyAction::Invalid)
            return makeError(ErrorClass::InvalidArgument, where + ": action must be allow, deny or ask, got '" + w[3] + "'");
        if (w[0] == "*" || (w[0][0] == '@' && w[0] != "@any" && w[0] != "@focused"))
            return makeError(ErrorClass::InvalidArgument,
                             where + ": source must be a VM name, @any or @focused, got '" + w[0] + "'");
        if (w[2][0] == '@' && w[2] != "@self")
            return makeError(ErrorClass::InvalidArgument, where + ": the only target tag is @self, got '" + w[2] + "'");
        p.m_rules.push_back({w[0], w[1], w[2], action, where});
    }
    return p;
}

Result<Policy> Policy::loadDirectory(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return makeError(ErrorClass::NotFound, "policy directory '" + dir + "' does not exist");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".policy") files.push_back(e.path());
    if (ec) return makeError(ErrorClass::Unavailable, "cannot read policy directory '" + dir + "': " + ec.message());
    std::sort(files.begin(), files.end());
    Policy all;
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) return makeError(ErrorClass::Unavailable, "cannot read policy file '" + f.string() + "'");
        std::stringstream ss;
        ss << in.rdbuf();
        auto p = parse(ss.str(), f.string());
        if (!p) return p.error();
        all.m_rules.insert(all.m_rules.end(), p->m_rules.begin(), p->m_rules.end());
    }
    return all;
}

Policy Policy::denyAll(std::string why) {
    Policy p;
    p.m_denyAllReason = std::move(why);
    return p;
}

PolicyDecision Policy::decide(const std::string& source, const std::string& verb, const std::string& target,
                              bool sourceHasFocus) const {
    if (!m_denyAllReason.empty()) return {PolicyAction::Deny, "the policy is broken, so everything is denied: " + m_denyAllReason};
    for (const auto& r : m_rules) {
        if (r.source == "@focused" ? !sourceHasFocus : (r.source != "@any" && r.source != source)) continue;
        if (r.verb != "*" && r.verb != verb) continue;
        if (r.target != "*" && !(r.target == "@self" ? target == source : r.target == target)) continue;
        return {r.action, "rule at " + r.origin};
    }
    return {PolicyAction::Deny, "no policy rule allows it (default deny)"};
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// The policy for what a guest may ask of the appliance: rules read from policy.d-style files,
// first match wins, and anything no rule allows is denied. A file that cannot be read or parsed
// makes the whole policy deny everything (and says why), never allow more than written.
//
// Rule lines (files `*.policy` in one directory, read in name order; '#' starts a comment):
//     SOURCE  VERB  TARGET  ACTION
//   SOURCE: a VM name, `@any` for any of the appliance's guests, or `@focused` for the guest that
//           holds the display at the moment it asks (the operator is working in it)
//   VERB:   an agent verb (`targets.list`, `focus.request`, ...) or `*`
//   TARGET: a VM name, `admin-console`, `@self` (the source itself), or `*`
//   ACTION: allow | deny | ask (the operator decides)
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace appliance {

enum class PolicyAction { Invalid = 0, Allow, Deny, Ask };

struct PolicyRule {
    std::string source, verb, target;
    PolicyAction action = PolicyAction::Invalid;
    std::string origin;  ///< "file:line", for explanations
};

struct PolicyDecision {
    PolicyAction action = PolicyAction::Deny;
    std::string why;  ///< the rule that matched, or why nothing did
};

class Policy {
public:
    /// An empty policy: denies everything.
    Policy() = default;
    static Result<Policy> parse(const std::string& text, const std::string& origin);
    /// Reads every `*.policy` file of `dir`. On any error the result is an error; callers then
    /// use denyAll() so that a broken policy never grants anything.
    static Result<Policy> loadDirectory(const std::string& dir);
    static Policy denyAll(std::string why);

    /// `sourceHasFocus`: the source VM holds the display now (matches `@focused`).
    PolicyDecision decide(const std::string& source, const std::string& verb, const std::string& target,
                          bool sourceHasFocus = false) const;
    const std::vector<PolicyRule>& rules() const { return m_rules; }

private:
    std::vector<PolicyRule> m_rules;
    std::string m_denyAllReason;
};

std::string_view policyActionName(PolicyAction a);

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for the secret stripper, which sees every argument a peer sends to a write verb.
// Invariants: no crash; the output never grows by more than the mask per secret; a value that
// followed a secret key in well-formed JSON never survives.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "common/redact.h"

using namespace appliance;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string out = redact::text(input);
    if (out.size() > input.size() + 8 * (input.size() / 4 + 1)) std::abort();
    (void)redact::uri(input);
    auto parsed = nlohmann::json::parse(input, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object()) {
        auto masked = redact::json(parsed);
        for (auto it = masked.begin(); it != masked.end(); ++it)
            if (redact::isSecretKey(it.key()) && !it.value().is_null() && it.value() != redact::kMask) std::abort();
        // The text scanner agrees with the structured one on compact JSON.
        auto again = nlohmann::json::parse(redact::text(parsed.dump()), nullptr, false);
        if (!again.is_discarded() && again.is_object())
            for (auto it = again.begin(); it != again.end(); ++it)
                if (redact::isSecretKey(it.key()) && it.value().is_string() && it.value() != redact::kMask) std::abort();
    }
    return 0;
}

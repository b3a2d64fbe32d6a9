// SPDX-License-Identifier: GPL-2.0-or-later
// A token bucket: `burst` requests at once, then `perSecond` on average.
#pragma once

#include <algorithm>
#include <chrono>

namespace appliance {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(double perSecond, double burst) : m_rate(perSecond), m_burst(burst), m_tokens(burst), m_last(Clock::now()) {}
    bool take() {
        auto now = Clock::now();
        m_tokens = std::min(m_burst, m_tokens + std::chrono::duration<double>(now - m_last).count() * m_rate);
        m_last = now;
        if (m_tokens < 1.0) return false;
        m_tokens -= 1.0;
        return true;
    }

private:
    double m_rate, m_burst, m_tokens;
    Clock::time_point m_last;
};

}  // namespace appliance

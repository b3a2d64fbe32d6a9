// SPDX-License-Identifier: GPL-2.0-or-later
// Results for failures caused by the outside world: a value or an Error with a stable class and a
// message a person can act on. g++ 12 has no std::expected, so this is the project's small one.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace appliance {

/// Stable error classes; their names are part of the wire protocol. Zero is never a valid class.
enum class ErrorClass {
    Invalid = 0,
    GenericError,
    CommandNotFound,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Conflict,      ///< the thing is in the wrong state for the request (e.g. already running)
    Unavailable,   ///< a needed service (libvirt, the daemon) is not reachable right now
    Timeout,
    TooLarge,
    TooManyRequests,  ///< a rate limit; slow down
    Internal,
    // What a camera (or anything across the network) can do wrong; the migrator reports these.
    Unreachable,          ///< nothing answers at that address and port (refused, no route)
    AuthenticationFailed, ///< it answered, and refused the credentials
    NotOnvif,             ///< something answered, but it does not speak ONVIF
    MalformedAnswer,      ///< an ONVIF answer that cannot be parsed or breaks a bound
    NoVideo,              ///< the stream opened but no video frame decoded
};

std::string_view errorClassName(ErrorClass c);
/// The sysexits.h code a program exits with for an error of this class: one map for every program.
int exitCodeFor(ErrorClass c);
ErrorClass errorClassFromName(std::string_view name);

struct Error {
    ErrorClass cls = ErrorClass::Invalid;
    std::string message;
};

inline Error makeError(ErrorClass cls, std::string message) { return Error{cls, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { check(); return std::get<0>(m_v); }
    const T& value() const& { check(); return std::get<0>(m_v); }
    T&& value() && { check(); return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const Error& error() const {
        if (ok()) std::abort();  // asking a success for its error is a programming error
        return std::get<1>(m_v);
    }

private:
    void check() const {
        if (!ok()) std::abort();  // reading the value of a failed result is a programming error
    }
    std::variant<T, Error> m_v;
};

struct Ok {};

/// Result<void>: success or an Error.
using Status = Result<Ok>;
inline Status okStatus() { return Ok{}; }

}  // namespace appliance

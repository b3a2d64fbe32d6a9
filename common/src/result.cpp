// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/result.h"

#include <array>

#include <sysexits.h>

namespace appliance {

namespace {
constexpr std::array<std::pair<ErrorClass, std::string_view>, 16> kNames{{
    {ErrorClass::GenericError, "GenericError"},
    {ErrorClass::CommandNotFound, "CommandNotFound"},
    {ErrorClass::InvalidArgument, "InvalidArgument"},
    {ErrorClass::NotFound, "NotFound"},
    {ErrorClass::PermissionDenied, "PermissionDenied"},
    {ErrorClass::Conflict, "Conflict"},
    {ErrorClass::Unavailable, "Unavailable"},
    {ErrorClass::Timeout, "Timeout"},
    {ErrorClass::TooLarge, "TooLarge"},
    {ErrorClass::TooManyRequests, "TooManyRequests"},
    {ErrorClass::Internal, "Internal"},
    {ErrorClass::Unreachable, "Unreachable"},
    {ErrorClass::AuthenticationFailed, "AuthenticationFailed"},
    {ErrorClass::NotOnvif, "NotOnvif"},
    {ErrorClass::MalformedAnswer, "MalformedAnswer"},
    {ErrorClass::NoVideo, "NoVideo"},
}};
}  // namespace

std::string_view errorClassName(ErrorClass c) {
    for (const auto& [cls, name] : kNames)
        if (cls == c) return name;
    return "GenericError";
}

ErrorClass errorClassFromName(std::string_view name) {
    for (const auto& [cls, n] : kNames)
        if (n == name) return cls;
    return ErrorClass::GenericError;
}

int exitCodeFor(ErrorClass c) {
    switch (c) {
    case ErrorClass::InvalidArgument:
    case ErrorClass::TooLarge: return EX_DATAERR;
    case ErrorClass::CommandNotFound: return EX_USAGE;
    case ErrorClass::NotFound: return EX_NOINPUT;
    case ErrorClass::PermissionDenied:
    case ErrorClass::AuthenticationFailed: return EX_NOPERM;
    case ErrorClass::Conflict:
    case ErrorClass::Timeout:
    case ErrorClass::TooManyRequests: return EX_TEMPFAIL;
    case ErrorClass::Unavailable:
    case ErrorClass::Unreachable: return EX_UNAVAILABLE;
    case ErrorClass::NotOnvif:
    case ErrorClass::MalformedAnswer:
    case ErrorClass::NoVideo: return EX_PROTOCOL;
    case ErrorClass::Invalid:
    case ErrorClass::GenericError:
    case ErrorClass::Internal: break;
    }
    return EX_SOFTWARE;
}

}  // namespace appliance

// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/result.h"

#include <array>

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

}  // namespace appliance

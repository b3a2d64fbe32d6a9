// SPDX-License-Identifier: GPL-2.0-or-later
// ZoneMinder 1.36's REST API (http://127.0.0.1/zm/api) with token login: the admin password is
// read from the guest's file when a token is needed; the access token is refreshed with the
// refresh token before it expires, and a 401 leads to one fresh login and one retry. Tokens only
// ever travel in the query string (?token=), which http_client keeps out of error messages.
// Context: the adapter's thread.
#pragma once

#include <chrono>
#include <string>

#include "adapters/http_client.h"
#include "common/protocol.h"

namespace appliance::agent::zm {

struct ApiOptions {
    std::string host = "127.0.0.1";
    int port = 80;
    std::string base = "/zm/api";
    std::string user = "admin";
    std::string passwordFile = "/etc/appliance-vms/zm-admin.pass";
    /// PHP under TCG is slow, and adding a monitor starts its capture daemon before answering (4 s;
    /// the first add after boot, which starts ZoneMinder's daemon control, took over 30 s twice).
    /// One request stays below applianced's vms_write_timeout_ms (120 s); an add's three together
    /// may not, and then the caller's Timeout is settled by looking again (camera-migratord's
    /// attach finds the saved monitor and takes it).
    int totalTimeoutMs = 45000;
};

class Api {
public:
    using Json = protocol::Json;
    explicit Api(ApiOptions options);
    /// `path` below the API's base, e.g. "/monitors.json". A JSON answer, or an error whose class
    /// follows the HTTP status (401 AuthenticationFailed, 404 NotFound, 5xx Unavailable).
    Result<Json> get(const std::string& path);
    Result<Json> post(const std::string& path, const http::Form& form);
    Result<Json> del(const std::string& path);

private:
    Result<Json> call(const char* method, const std::string& path, const http::Form* form);
    Status ensureToken();
    Status login(bool useRefreshToken);

    ApiOptions m_opt;
    http::HttpClient m_http;
    std::string m_access;
    std::string m_refresh;
    std::chrono::steady_clock::time_point m_accessExpires{};
    std::chrono::steady_clock::time_point m_refreshExpires{};
};

/// A JSON value ZoneMinder may send as a string or a number, as text ("" for null).
std::string text(const protocol::Json& object, const char* key);

}  // namespace appliance::agent::zm

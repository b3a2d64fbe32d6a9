// SPDX-License-Identifier: GPL-2.0-or-later
#include "adapters/zm_api.h"

#include "adapters/local_files.h"
#include "common/plain_text.h"
#include "common/redact.h"

namespace appliance::agent::zm {

namespace {
using Clock = std::chrono::steady_clock;
// Refresh this long before the access token runs out, so that a call never races its expiry.
constexpr auto kTokenMargin = std::chrono::seconds(300);

/// ZoneMinder's own words about a failure, never its "url" (it repeats our query string, token
/// included), without credentials, bounded. 1.36 answers {"success":false,"data":{"name",
/// "message","url","exception":{"message"}}} (the exception's message without HTML entities), or
/// CakePHP's {"name","message","url"}.
std::string zmMessage(const protocol::Json& doc, const std::string& body) {
    using Json = protocol::Json;
    const Json data = doc.is_object() ? doc.value("data", Json::object()) : Json::object();
    const Json exception = data.is_object() ? data.value("exception", Json::object()) : Json::object();
    std::string m;
    for (const Json* o : {&exception, &data, &doc})
        for (const char* key : {"message", "name"})
            if (m.empty() && o->is_object() && o->contains(key) && (*o)[key].is_string()) m = (*o)[key].get<std::string>();
    if (m.empty() && !doc.is_object()) m = body.substr(0, 200);
    return plainText(redact::uri(m), 300);
}
}  // namespace

std::string text(const protocol::Json& o, const char* key) {
    if (!o.is_object() || !o.contains(key)) return "";
    const auto& v = o[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return std::to_string(v.get<double>());
    return "";
}

Api::Api(ApiOptions options)
    : m_opt(std::move(options)),
      m_http(http::Options{m_opt.host, m_opt.port, 3000, m_opt.totalTimeoutMs, 64 * 1024, 2 * 1024 * 1024}) {}

Status Api::login(bool useRefreshToken) {
    http::Form form;
    if (useRefreshToken) {
        form = {{"token", m_refresh}};
    } else {
        auto pass = readSmallFile(m_opt.passwordFile, 4096);
        if (!pass)
            return makeError(ErrorClass::Unavailable, "cannot log in to ZoneMinder: " + pass.error().message +
                                                          " (the image's setup writes the admin password there)");
        std::string p = *pass;
        while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
        form = {{"user", m_opt.user}, {"pass", p}};
    }
    auto r = m_http.postForm(m_opt.base + "/host/login.json", form);
    if (!r) {
        Error e = r.error();
        e.message = "ZoneMinder's API does not answer (" + e.message + "); are apache2 and mariadb running?";
        return e;
    }
    auto doc = protocol::Json::parse(r->body, nullptr, false);
    if (r->status == 401 || r->status == 403)
        return makeError(ErrorClass::AuthenticationFailed,
                         "ZoneMinder refused the login of '" + m_opt.user + "' (" + zmMessage(doc, r->body) + "); check " +
                             m_opt.passwordFile + " and that the user has API access (Users.APIEnabled)");
    if (r->status != 200 || !doc.is_object() || !doc.contains("access_token") || !doc["access_token"].is_string())
        return makeError(ErrorClass::MalformedAnswer, "ZoneMinder's login answered HTTP " + std::to_string(r->status) +
                                                          " without an access token: " + zmMessage(doc, r->body));
    const auto now = Clock::now();
    m_access = doc["access_token"].get<std::string>();
    long long accessS = std::atoll(text(doc, "access_token_expires").c_str());
    m_accessExpires = now + std::chrono::seconds(accessS > 0 ? accessS : 3600);
    if (doc.contains("refresh_token") && doc["refresh_token"].is_string()) {
        m_refresh = doc["refresh_token"].get<std::string>();
        long long refreshS = std::atoll(text(doc, "refresh_token_expires").c_str());
        m_refreshExpires = now + std::chrono::seconds(refreshS > 0 ? refreshS : 3600);
    }
    return okStatus();
}

Status Api::ensureToken() {
    const auto now = Clock::now();
    if (!m_access.empty() && now + kTokenMargin < m_accessExpires) return okStatus();
    if (!m_refresh.empty() && now + kTokenMargin < m_refreshExpires)
        if (login(true)) return okStatus();
    return login(false);
}

Result<protocol::Json> Api::call(const char* method, const std::string& path, const http::Form* form) {
    for (int attempt = 0;; ++attempt) {
        if (auto s = ensureToken(); !s) return s.error();
        const std::string target = m_opt.base + path + (path.find('?') == std::string::npos ? "?" : "&") +
                                   "token=" + http::urlEncode(m_access);
        auto r = form ? m_http.postForm(target, *form) : m_http.request(method, target, {}, {});
        if (!r) {
            Error e = r.error();
            e.message = "ZoneMinder's API did not answer " + std::string(method) + " " + path + " (" + e.message + ")";
            return e;
        }
        auto doc = protocol::Json::parse(r->body, nullptr, false);
        if (r->status == 401 && attempt == 0) {  // expired or revoked: one fresh login, one retry
            m_access.clear();
            m_refresh.clear();
            continue;
        }
        const std::string what = "ZoneMinder: " + std::string(method) + " " + path.substr(0, path.find('?')) + " → HTTP " +
                                 std::to_string(r->status) + ": " + zmMessage(doc, r->body);
        if (r->status == 401 || r->status == 403) return makeError(ErrorClass::AuthenticationFailed, what);
        if (r->status == 404) return makeError(ErrorClass::NotFound, what);
        if (r->status >= 500) return makeError(ErrorClass::Unavailable, what);
        if (r->status != 200 && r->status != 201) return makeError(ErrorClass::MalformedAnswer, what);
        if (doc.is_discarded()) return makeError(ErrorClass::MalformedAnswer, what + " (not JSON)");
        return doc;
    }
}

Result<protocol::Json> Api::get(const std::string& path) { return call("GET", path, nullptr); }
Result<protocol::Json> Api::post(const std::string& path, const http::Form& form) { return call("POST", path, &form); }
Result<protocol::Json> Api::del(const std::string& path) { return call("DELETE", path, nullptr); }

}  // namespace appliance::agent::zm

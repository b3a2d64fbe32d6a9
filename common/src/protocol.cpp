// SPDX-License-Identifier: GPL-2.0-or-later
#include "common/protocol.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace appliance::protocol {

namespace {

// Rejects nesting deeper than the limit before the JSON parser (which recurses) sees the frame.
bool depthWithin(std::string_view s, int maxDepth) {
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : s) {
        if (inString) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') inString = false;
            continue;
        }
        if (c == '"') inString = true;
        else if (c == '{' || c == '[') {
            if (++depth > maxDepth) return false;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return true;
}

Result<Message> invalid(std::string what) {
    return makeError(ErrorClass::InvalidArgument, std::move(what));
}

bool validId(const Json& id) { return id.is_null() || id.is_number_integer() || id.is_string(); }

}  // namespace

Result<Message> decode(std::string_view frame, const Limits& limits) {
    if (frame.size() > limits.maxFrameBytes)
        return makeError(ErrorClass::TooLarge, "message of " + std::to_string(frame.size()) +
                                                   " bytes is over the limit of " +
                                                   std::to_string(limits.maxFrameBytes) + " bytes");
    if (!depthWithin(frame, limits.maxDepth))
        return invalid("message nests deeper than " + std::to_string(limits.maxDepth) + " levels");
    Json j = Json::parse(frame.begin(), frame.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return invalid("message is not valid JSON; send one JSON object per line");
    if (!j.is_object()) return invalid("message must be a JSON object");

    Message m;
    auto idIt = j.find("id");
    if (idIt != j.end()) {
        if (!validId(*idIt)) return invalid("\"id\" must be an integer or a string");
        m.id = *idIt;
    }
    if (auto it = j.find("execute"); it != j.end()) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty())
            return invalid("\"execute\" must be a non-empty string naming a command");
        m.kind = Kind::Command;
        m.name = it->get<std::string>();
        auto args = j.find("arguments");
        if (args == j.end() || args->is_null()) m.body = Json::object();
        else if (args->is_object()) m.body = *args;
        else return invalid("\"arguments\" must be a JSON object");
        return m;
    }
    if (auto it = j.find("return"); it != j.end()) {
        m.kind = Kind::Return;
        m.body = *it;
        return m;
    }
    if (auto it = j.find("error"); it != j.end()) {
        if (!it->is_object()) return invalid("\"error\" must be an object");
        auto cls = it->find("class");
        auto desc = it->find("desc");
        if (cls == it->end() || !cls->is_string() || desc == it->end() || !desc->is_string())
            return invalid("\"error\" needs string members \"class\" and \"desc\"");
        m.kind = Kind::Error;
        m.error = Error{errorClassFromName(cls->get<std::string>()), desc->get<std::string>()};
        return m;
    }
    if (auto it = j.find("event"); it != j.end()) {
        if (!it->is_string()) return invalid("\"event\" must be a string");
        m.kind = Kind::Event;
        m.name = it->get<std::string>();
        auto data = j.find("data");
        m.body = (data == j.end()) ? Json::object() : *data;
        auto ts = j.find("timestamp");
        if (ts != j.end() && ts->is_object()) {
            auto s = ts->value("seconds", Json(0));
            auto us = ts->value("microseconds", Json(0));
            if (s.is_number_integer() && us.is_number_integer())
                m.timestampS = double(s.get<int64_t>()) + double(us.get<int64_t>()) / 1e6;
        }
        return m;
    }
    if (auto it = j.find("greeting"); it != j.end()) {
        if (!it->is_object()) return invalid("\"greeting\" must be an object");
        m.kind = Kind::Greeting;
        m.body = *it;
        return m;
    }
    return invalid("message has none of \"execute\", \"return\", \"error\", \"event\", \"greeting\"");
}

namespace {
std::string line(const Json& j) {
    // Replace invalid UTF-8 rather than throw: a message we send must never abort the daemon.
    std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    s.push_back('\n');
    return s;
}
Json idOrNull(const Json& id) { return validId(id) ? id : Json(nullptr); }
}  // namespace

std::string encodeGreeting(const Json& body) { return line(Json{{"greeting", body}}); }

std::string encodeCommand(std::string_view verb, const Json& arguments, const Json& id) {
    Json j{{"execute", verb}, {"arguments", arguments.is_null() ? Json::object() : arguments}};
    if (!id.is_null()) j["id"] = idOrNull(id);
    return line(j);
}

std::string encodeReturn(const Json& value, const Json& id) {
    return line(Json{{"return", value}, {"id", idOrNull(id)}});
}

std::string encodeError(ErrorClass cls, std::string_view desc, const Json& id) {
    return line(Json{{"error", {{"class", errorClassName(cls)}, {"desc", desc}}}, {"id", idOrNull(id)}});
}

std::string encodeEvent(std::string_view name, const Json& data, double timestampS) {
    double whole = std::floor(timestampS);
    Json ts{{"seconds", int64_t(whole)}, {"microseconds", int64_t(std::llround((timestampS - whole) * 1e6))}};
    return line(Json{{"event", name}, {"data", data}, {"timestamp", ts}});
}

double nowTimestampS() {
    using namespace std::chrono;
    auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
    return double(us) / 1e6;
}

void LineFramer::feed(std::string_view bytes) {
    if (m_pos > 0 && m_pos == m_buf.size()) {
        m_buf.clear();
        m_pos = m_scan = 0;
    }
    m_buf.append(bytes);
}

std::optional<Result<std::string>> LineFramer::next() {
    for (;;) {
        std::size_t from = std::max(m_scan, m_pos);
        auto nl = m_buf.find('\n', from);
        m_scanned += (nl == std::string::npos ? m_buf.size() : nl + 1) - from;
        m_scan = nl == std::string::npos ? m_buf.size() : nl + 1;
        if (m_discarding) {
            if (nl == std::string::npos) {
                m_buf.clear();
                m_pos = m_scan = 0;
                return std::nullopt;
            }
            m_pos = nl + 1;
            m_discarding = false;
            continue;
        }
        if (nl == std::string::npos) {
            if (m_buf.size() - m_pos > m_max) {
                m_discarding = true;
                m_buf.clear();
                m_pos = m_scan = 0;
                return Result<std::string>(makeError(
                    ErrorClass::TooLarge, "message is over the limit of " + std::to_string(m_max) +
                                              " bytes; it was discarded"));
            }
            if (m_pos > 0) {  // compact so the buffer never grows past one frame
                m_buf.erase(0, m_pos);
                m_scan -= m_pos;
                m_pos = 0;
            }
            return std::nullopt;
        }
        std::string frame = m_buf.substr(m_pos, nl - m_pos);
        m_pos = nl + 1;
        if (!frame.empty() && frame.back() == '\r') frame.pop_back();
        if (frame.size() > m_max)
            return Result<std::string>(makeError(
                ErrorClass::TooLarge, "message is over the limit of " + std::to_string(m_max) +
                                          " bytes; it was discarded"));
        if (frame.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
        return Result<std::string>(std::move(frame));
    }
}

}  // namespace appliance::protocol

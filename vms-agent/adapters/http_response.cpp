// SPDX-License-Identifier: GPL-2.0-or-later
// The response half of http_client.h: an incremental parser with bounds on the head, each line
// and the body, so that a misbehaving peer can make us neither allocate nor wait without limit.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

#include "adapters/http_client.h"

namespace appliance::agent::http {

namespace {
constexpr std::size_t kMaxChunkLine = 1024;

Error malformed(const std::string& what) {
    return makeError(ErrorClass::MalformedAnswer, "the HTTP answer is malformed: " + what);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}
}  // namespace

std::string urlEncode(std::string_view text, std::string_view alsoKeep) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || alsoKeep.find(char(c)) != std::string_view::npos) {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string formEncode(const Form& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        if (!out.empty()) out += '&';
        out += urlEncode(k) + "=" + urlEncode(v);
    }
    return out;
}

ResponseParser::ResponseParser(std::size_t maxHeaderBytes, std::size_t maxBodyBytes, bool headRequest)
    : m_maxHeader(maxHeaderBytes), m_maxBody(maxBodyBytes), m_head(headRequest) {}

Status ResponseParser::feed(std::string_view bytes) {
    if (m_state == State::Done) return okStatus();  // anything after a complete answer is ignored
    m_buf.append(bytes);
    return step();
}

Status ResponseParser::finish() {
    if (m_state == State::UntilClose) m_state = State::Done;
    if (m_state == State::Done) return okStatus();
    return malformed(m_state == State::Head && m_buf.empty() ? "the server closed the connection without answering"
                                                             : "the connection closed before the answer was complete");
}

Status ResponseParser::appendBody(std::string_view bytes) {
    if (m_response.body.size() + bytes.size() > m_maxBody)
        return makeError(ErrorClass::TooLarge,
                         "the HTTP answer's body is over " + std::to_string(m_maxBody) + " bytes; refusing it");
    m_response.body.append(bytes);
    return okStatus();
}

Status ResponseParser::parseHead(std::string_view head) {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason]
    auto eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return malformed("bad status line");
    int code = 0;
    auto [p, ec] = std::from_chars(line.data() + 9, line.data() + 12, code);
    if (ec != std::errc() || p != line.data() + 12 || code < 100 || code > 599 || (line.size() > 12 && line[12] != ' '))
        return malformed("bad status code");
    bool chunked = false;
    std::optional<std::size_t> length;
    std::size_t pos = eol == std::string_view::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
        auto e = head.find("\r\n", pos);
        std::string_view h = head.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos);
        pos = e == std::string_view::npos ? head.size() : e + 2;
        if (h.empty()) continue;
        auto colon = h.find(':');
        if (colon == std::string_view::npos || colon == 0) return malformed("a header line without a name");
        std::string_view name = h.substr(0, colon), value = trim(h.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            std::size_t n = 0;
            auto [q, ec2] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec2 == std::errc::result_out_of_range) n = SIZE_MAX;
            else if (ec2 != std::errc() || q != value.data() + value.size() || value.empty())
                return malformed("bad Content-Length");
            if (length && *length != n) return malformed("two different Content-Length headers");
            length = n;
        } else if (iequals(name, "Transfer-Encoding")) {
            std::string_view last = trim(value.substr(value.rfind(',') == std::string_view::npos ? 0 : value.rfind(',') + 1));
            if (!iequals(last, "chunked")) return malformed("unsupported Transfer-Encoding");
            chunked = true;
        } else if (iequals(name, "Content-Type")) {
            m_response.contentType = std::string(value);
        }
    }
    m_response.status = code;
    if (code < 200) {  // 100 Continue and friends: the real answer follows
        m_response = {};
        m_state = State::Head;
        return okStatus();
    }
    if (m_head || code == 204 || code == 304) {
        m_state = State::Done;
    } else if (chunked) {
        m_state = State::ChunkSize;  // Transfer-Encoding wins over Content-Length (RFC 9112 6.3)
    } else if (length) {
        if (*length > m_maxBody)
            return makeError(ErrorClass::TooLarge, "the HTTP answer announces " + std::to_string(*length) +
                                                       " bytes, over the bound of " + std::to_string(m_maxBody));
        m_remaining = *length;
        m_state = m_remaining ? State::Body : State::Done;
    } else {
        m_state = State::UntilClose;
    }
    return okStatus();
}

Status ResponseParser::step() {
    while (m_state != State::Done) {
        switch (m_state) {
        case State::Head: {
            auto end = m_buf.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (m_buf.size() > m_maxHeader)
                    return makeError(ErrorClass::TooLarge, "the HTTP answer's head is over " +
                                                               std::to_string(m_maxHeader) + " bytes");
                return okStatus();
            }
            if (end + 4 > m_maxHeader)
                return makeError(ErrorClass::TooLarge,
                                 "the HTTP answer's head is over " + std::to_string(m_maxHeader) + " bytes");
            std::string head = m_buf.substr(0, end + 2);
            m_buf.erase(0, end + 4);
            if (auto s = parseHead(head); !s) return s;
            break;
        }
        case State::Body:
        case State::ChunkData: {
            if (m_buf.empty()) return okStatus();
            std::size_t n = std::min(m_remaining, m_buf.size());
            if (auto s = appendBody(std::string_view(m_buf).substr(0, n)); !s) return s;
            m_buf.erase(0, n);
            m_remaining -= n;
            if (m_remaining == 0) m_state = m_state == State::Body ? State::Done : State::ChunkDataEnd;
            break;
        }
        case State::ChunkDataEnd:
            if (m_buf.size() < 2) return okStatus();
            if (m_buf.compare(0, 2, "\r\n") != 0) return malformed("a chunk does not end with CRLF");
            m_buf.erase(0, 2);
            m_state = State::ChunkSize;
            break;
        case State::ChunkSize: {
            auto eol = m_buf.find("\r\n");
            if (eol == std::string::npos) {
                if (m_buf.size() > kMaxChunkLine) return malformed("a chunk-size line is too long");
                return okStatus();
            }
            std::string_view line = trim(std::string_view(m_buf).substr(0, std::min(eol, m_buf.find(';'))));
            std::size_t size = 0;
            auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
            if (ec == std::errc::result_out_of_range || (ec == std::errc() && size > m_maxBody))
                return makeError(ErrorClass::TooLarge, "an HTTP chunk is over the bound of " + std::to_string(m_maxBody) + " bytes");
            if (ec != std::errc() || p != line.data() + line.size() || line.empty()) return malformed("bad chunk size");
            m_buf.erase(0, eol + 2);
            m_remaining = size;
            m_state = size ? State::ChunkData : State::Trailer;
            break;
        }
        case State::Trailer: {
            auto eol = m_buf.find("\r\n");
            if (eol == std::string::npos) {
                if (m_buf.size() > m_maxHeader) return makeError(ErrorClass::TooLarge, "the HTTP trailer is too long");
                return okStatus();
            }
            m_buf.erase(0, eol + 2);
            if (eol == 0) m_state = State::Done;
            break;
        }
        case State::UntilClose: {
            auto s = appendBody(m_buf);
            m_buf.clear();
            return s;
        }
        case State::Done:
        case State::Invalid: return okStatus();
        }
    }
    return okStatus();
}

}  // namespace appliance::agent::http

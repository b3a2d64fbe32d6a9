// SPDX-License-Identifier: GPL-2.0-or-later
// The wire protocol shared by every stream (admin API, agents): one JSON object per line, in the
// style of QMP. This codec does no I/O; it bounds every frame's size and nesting depth so that a
// peer's message can never make us allocate or recurse without limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace appliance::protocol {

using Json = nlohmann::json;

inline constexpr std::string_view kVersion = "1.0";

struct Limits {
    std::size_t maxFrameBytes = 64 * 1024;
    int maxDepth = 16;
};

enum class Kind { Invalid = 0, Greeting, Command, Return, Error, Event };

struct Message {
    Kind kind = Kind::Invalid;
    std::string name;    ///< Command: the verb; Event: the event name
    Json body;           ///< Greeting body, Command arguments, Return value or Event data
    Json id;             ///< Command/Return/Error: the request id (null if none)
    Error error;         ///< Kind::Error only
    double timestampS = 0;  ///< Event only: seconds since the epoch, microsecond precision
};

/// Decodes one frame (one line, without its newline).
Result<Message> decode(std::string_view frame, const Limits& limits = {});

std::string encodeGreeting(const Json& body);
std::string encodeCommand(std::string_view verb, const Json& arguments, const Json& id);
std::string encodeReturn(const Json& value, const Json& id);
std::string encodeError(ErrorClass cls, std::string_view desc, const Json& id);
std::string encodeEvent(std::string_view name, const Json& data, double timestampS);

/// Seconds since the epoch with microsecond precision, as events carry it.
double nowTimestampS();

/// Splits a byte stream into frames. A line over the size limit is reported once as TooLarge and
/// then skipped up to its newline, so one bad frame never desynchronises the stream.
class LineFramer {
public:
    explicit LineFramer(std::size_t maxFrameBytes) : m_max(maxFrameBytes) {}
    void feed(std::string_view bytes);
    /// The next complete frame, an error for an oversized one, or nullopt when more bytes are needed.
    std::optional<Result<std::string>> next();
    std::size_t buffered() const { return m_buf.size() - m_pos; }
    /// Changes the limit from the next frame on (the agent server raises it while it waits for a
    /// guest's answer, which may be larger than any request a guest may send).
    void setMaxFrameBytes(std::size_t maxFrameBytes) { m_max = maxFrameBytes; }
    /// Bytes looked at while searching for line ends, over the framer's life: each byte once, so a
    /// peer sending one byte at a time costs linear, not quadratic, work.
    std::size_t bytesScanned() const { return m_scanned; }

private:
    std::size_t m_max;
    std::string m_buf;
    std::size_t m_pos = 0;   ///< start of the frame being assembled
    std::size_t m_scan = 0;  ///< [m_pos, m_scan) is known to hold no line end
    std::size_t m_scanned = 0;
    bool m_discarding = false;
};

}  // namespace appliance::protocol

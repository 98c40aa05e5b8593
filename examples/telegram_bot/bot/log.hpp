//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_LOG_HPP
#define MLCLOUD_BOT_LOG_HPP

// The bot's log: one line per event on stderr (journald adds the time). Every line goes
// through the redaction of mlcloud::net before it is written, so a token in a URL or an error
// text never reaches the log. Message contents of users are never logged.

#include <functional>
#include <string>
#include <string_view>

namespace mlcloud_bot {

enum class log_level
{
    info,
    warning,
    error,
};

/// Writes one redacted line.
void log(log_level level, std::string_view message);

/// Replaces where lines go (tests capture them); an empty function restores stderr.
/// Returns the previous sink.
std::function<void(std::string_view)> set_log_sink(std::function<void(std::string_view)> sink);

/// The text as it would be logged: secrets redacted, one line.
std::string redact_for_log(std::string_view text);

} // namespace mlcloud_bot

#endif

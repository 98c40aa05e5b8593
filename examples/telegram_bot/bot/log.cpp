//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/log.hpp"

#include <mlcloud/messages/templates.hpp>
#include <mlcloud/net/redact.hpp>

#include <cstdio>
#include <mutex>

namespace mlcloud_bot {
namespace {

std::mutex& sink_mutex()
{
    static std::mutex m;
    return m;
}

std::function<void(std::string_view)>& sink()
{
    static std::function<void(std::string_view)> s;
    return s;
}

} // namespace

std::string redact_for_log(std::string_view text)
{
    // The transport's redaction (tokens in URLs, keys, signatures, passwords), then the
    // messages module's, which also catches a bare "<digits>:<secret>" bot token.
    auto out = mlcloud::messages::redact_secrets(mlcloud::net::redact_text(text));
    for (auto& c : out)
        if (c == '\n' || c == '\r')
            c = ' ';
    return out;
}

void log(log_level level, std::string_view message)
{
    std::string line = level == log_level::error ? "error: " : level == log_level::warning ? "warning: " : "";
    line += redact_for_log(message);
    std::lock_guard lock(sink_mutex());
    if (sink())
        return sink()(line);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

std::function<void(std::string_view)> set_log_sink(std::function<void(std::string_view)> s)
{
    std::lock_guard lock(sink_mutex());
    return std::exchange(sink(), std::move(s));
}

} // namespace mlcloud_bot

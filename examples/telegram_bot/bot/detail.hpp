//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_DETAIL_HPP
#define MLCLOUD_BOT_DETAIL_HPP

// Small helpers the bot's sources share: reading members of untrusted JSON, times as Unix
// milliseconds, and visiting variants with a set of lambdas.

#include <mlcloud/error.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlcloud_bot {
namespace detail {

/// The string member `key`, or "" when it is missing or not a string.
inline std::string json_string(boost::json::object const& o, std::string_view key)
{
    if (auto const* v = o.if_contains(key); v && v->is_string())
        return std::string(v->get_string());
    return {};
}

/// The integer member `key`, or 0 when it is missing or not a whole number that fits.
inline std::int64_t json_int64(boost::json::object const& o, std::string_view key)
{
    if (auto const* v = o.if_contains(key); v && v->is_number())
    {
        boost::system::error_code ec;
        auto const n = v->to_number<std::int64_t>(ec);
        return ec ? 0 : n;
    }
    return 0;
}

inline std::int64_t unix_ms(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

inline std::chrono::system_clock::time_point from_unix_ms(std::int64_t ms)
{
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

/// std::visit(overloaded{[](a const&) {...}, [](b const&) {...}}, v)
/// Errors after which sending the same message (or edit) again cannot succeed; anything else
/// (a 5xx, a dropped connection, a timeout) is worth another try.
inline bool permanent_send_error(mlcloud::error const& e)
{
    using mlcloud::errc;
    return e.is(errc::invalid_argument) || e.is(errc::forbidden) || e.is(errc::not_found) ||
           e.is(errc::payload_too_large) || e.is(errc::unauthorized) || e.is(errc::conflict);
}

/// Fetching a file the user sent changes nothing, so a failure that may pass on its own (a
/// dropped connection, a timeout, Telegram's 5xx or flood control after the transport's own
/// retries) is worth another try; a file that is too big, gone or refused is not.
inline bool transient_fetch_error(mlcloud::error const& e)
{
    using mlcloud::errc;
    return e.is(errc::network_error) || e.is(errc::timeout) || e.is(errc::throttled) || e.is(errc::outcome_unknown) ||
           (e.is(errc::provider_error) && e.http_status >= 500);
}

template <class... F>
struct overloaded : F...
{
    using F::operator()...;
};

} // namespace detail
} // namespace mlcloud_bot

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_RETRY_IPP
#define MLCLOUD_NET_IMPL_RETRY_IPP

#include <mlcloud/net/retry.hpp>

#include <algorithm>
#include <array>
#include <random>
#include <vector>

namespace mlcloud::net {
namespace detail {

inline double default_random() noexcept
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

inline std::string seconds_text(std::chrono::milliseconds d)
{
    auto tenths = d.count() / 100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

inline std::optional<unsigned> parse_number(std::string_view s, std::size_t max_digits)
{
    if (s.empty() || s.size() > max_digits)
        return std::nullopt;
    unsigned v = 0;
    for (char c : s)
    {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

inline std::optional<unsigned> parse_month(std::string_view s)
{
    static constexpr std::array<std::string_view, 12> names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
    if (s.size() != 3)
        return std::nullopt;
    for (unsigned i = 0; i < names.size(); ++i)
        if (iequals(names[i], s))
            return i + 1;
    return std::nullopt;
}

// "08:49:37" -> seconds since midnight
inline std::optional<std::chrono::seconds> parse_clock(std::string_view s)
{
    if (s.size() != 8 || s[2] != ':' || s[5] != ':')
        return std::nullopt;
    auto h = parse_number(s.substr(0, 2), 2);
    auto m = parse_number(s.substr(3, 2), 2);
    auto sec = parse_number(s.substr(6, 2), 2);
    if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60)
        return std::nullopt;
    return std::chrono::seconds(*h * 3600 + *m * 60 + *sec);
}

// The three HTTP-date forms of RFC 9110 §5.6.7.
inline std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text)
{
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    auto is_sep = [](char c) { return c == ' ' || c == ',' || c == '-' || c == '\t'; };
    while (i < text.size())
    {
        while (i < text.size() && is_sep(text[i]))
            ++i;
        std::size_t start = i;
        while (i < text.size() && !is_sep(text[i]))
            ++i;
        if (i > start)
            tokens.push_back(text.substr(start, i - start));
    }
    std::optional<unsigned> day, month, year;
    std::optional<std::chrono::seconds> clock;
    if (tokens.size() == 6 && parse_number(tokens[1], 2))
    {
        // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT"
        if (!iequals(tokens[5], "GMT"))
            return std::nullopt;
        day = parse_number(tokens[1], 2);
        month = parse_month(tokens[2]);
        year = parse_number(tokens[3], 4);
        clock = parse_clock(tokens[4]);
        if (year && tokens[3].size() == 2)
            *year += *year < 70 ? 2000 : 1900;
        else if (tokens[3].size() != 4)
            return std::nullopt;
    }
    else if (tokens.size() == 5)
    {
        // asctime "Sun Nov  6 08:49:37 1994"
        month = parse_month(tokens[1]);
        day = parse_number(tokens[2], 2);
        clock = parse_clock(tokens[3]);
        year = tokens[4].size() == 4 ? parse_number(tokens[4], 4) : std::nullopt;
    }
    // system_clock counts nanoseconds in 64 bits (about 1678-2262): other years would overflow.
    if (!day || !month || !year || !clock || *year < 1900 || *year > 2200)
        return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(*year)), std::chrono::month(*month),
                                    std::chrono::day(*day)};
    if (!ymd.ok())
        return std::nullopt;
    return std::chrono::sys_days(ymd) + *clock;
}

} // namespace detail

MLCLOUD_DECL std::string_view to_string(retry_class c) noexcept
{
    switch (c)
    {
    case retry_class::none:       return "not retryable";
    case retry_class::transient:  return "transient";
    case retry_class::throttling: return "throttling";
    case retry_class::timeout:    return "timeout";
    }
    return "not retryable";
}

MLCLOUD_DECL bool retry_quota::try_acquire(unsigned cost)
{
    std::lock_guard lock(mutex_);
    if (available_ < cost)
        return false;
    available_ -= cost;
    return true;
}

MLCLOUD_DECL void retry_quota::release(unsigned amount)
{
    std::lock_guard lock(mutex_);
    available_ = std::min(capacity_, available_ + amount);
}

MLCLOUD_DECL unsigned retry_quota::available() const
{
    std::lock_guard lock(mutex_);
    return available_;
}

MLCLOUD_DECL retry_class retry_policy::classify(response const& r) const
{
    if (options_.classify)
        if (auto c = options_.classify(r))
            return *c;
    switch (r.status)
    {
    case 500:
    case 502:
    case 503:
    case 504:
        return retry_class::transient;
    case 429:
        return retry_class::throttling;
    default:
        return retry_class::none;
    }
}

MLCLOUD_DECL std::chrono::milliseconds retry_policy::backoff(unsigned retry) const
{
    // min(base * 2^(retry-1), max), computed without overflow for any retry number.
    auto ceiling = options_.base_delay;
    for (unsigned i = 1; i < retry && ceiling < options_.max_delay; ++i)
        ceiling *= 2;
    ceiling = std::min(ceiling, options_.max_delay);
    double r = options_.random ? options_.random() : detail::default_random();
    r = std::clamp(r, 0.0, 1.0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(r * static_cast<double>(ceiling.count())));
}

MLCLOUD_DECL retry_decision retry_policy::on_failure(retry_class cls, unsigned attempts_made,
                                                     std::optional<std::chrono::milliseconds> retry_after,
                                                     std::optional<unsigned> max_attempts)
{
    retry_decision d;
    if (cls == retry_class::none)
    {
        d.reason = "not retryable";
        return d;
    }
    if (attempts_made >= max_attempts.value_or(options_.max_attempts))
    {
        d.reason = std::to_string(attempts_made) + (attempts_made == 1 ? " attempt" : " attempts") + " made";
        return d;
    }
    if (retry_after)
    {
        if (*retry_after > options_.max_retry_after)
        {
            d.reason = "the server asked to wait " + detail::seconds_text(*retry_after) +
                       ", longer than max_retry_after";
            return d;
        }
        d.delay = *retry_after;
    }
    else
        d.delay = backoff(attempts_made);
    unsigned cost = cls == retry_class::timeout ? options_.timeout_retry_cost : options_.retry_cost;
    if (!quota_->try_acquire(cost))
    {
        d.delay = std::chrono::milliseconds(0);
        d.reason = "the client's retry quota is exhausted";
        return d;
    }
    d.retry = true;
    d.cost = cost;
    return d;
}

MLCLOUD_DECL void retry_policy::on_success(unsigned last_retry_cost)
{
    quota_->release(last_retry_cost == 0 ? options_.success_refund : last_retry_cost);
}

MLCLOUD_DECL std::optional<std::chrono::milliseconds> retry_policy::retry_after(response const& r) const
{
    if (options_.asked_wait)
        return options_.asked_wait(r);
    auto v = r.headers.get("retry-after");
    if (!v)
        return std::nullopt;
    return parse_retry_after(*v, options_.now ? options_.now() : std::chrono::system_clock::now());
}

MLCLOUD_DECL std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                                       std::chrono::system_clock::time_point now)
{
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    if (value.empty())
        return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9')
    {
        // delay-seconds; more than 9 digits (over 30 years) is not a real answer.
        auto seconds = detail::parse_number(value, 9);
        if (!seconds)
            return std::nullopt;
        return std::chrono::milliseconds(std::chrono::seconds(*seconds));
    }
    auto when = detail::parse_http_date(value);
    if (!when)
        return std::nullopt;
    if (*when <= now)
        return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
}

} // namespace mlcloud::net

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_IMPL_COST_IPP
#define MLCLOUD_MESSAGES_IMPL_COST_IPP

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/detail/words.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace mlcloud {
namespace messages {
namespace detail {

/// "1 minute", "5 minutes", "90 seconds".
inline std::string spelled_duration(std::chrono::seconds d)
{
    auto const s = d.count();
    if (s % 3600 == 0)
        return std::to_string(s / 3600) + (s == 3600 ? " hour" : " hours");
    if (s % 60 == 0)
        return std::to_string(s / 60) + (s == 60 ? " minute" : " minutes");
    return std::to_string(s) + (s == 1 ? " second" : " seconds");
}

inline std::chrono::milliseconds non_negative(std::chrono::milliseconds d) noexcept
{
    return std::max(d, std::chrono::milliseconds(0));
}

} // namespace detail

MLCLOUD_DECL std::chrono::seconds billed_time(billing_rule const& rule, std::chrono::milliseconds runtime) noexcept
{
    auto const increment_ms = std::max<std::int64_t>(1, std::chrono::milliseconds(rule.increment).count());
    auto const ms = detail::non_negative(runtime).count();
    auto const increments = (ms + increment_ms - 1) / increment_ms; // round up
    auto const billed = std::chrono::seconds(increments * std::max<std::int64_t>(1, rule.increment.count()));
    return std::max(billed, rule.minimum);
}

MLCLOUD_DECL cost compute_cost(gpu_offer const& offer, std::chrono::milliseconds runtime, market m, int count)
{
    count = std::max(count, 1);
    auto const billed = billed_time(offer.billing, runtime);
    double const rate = offer.usd_per_hour(m);

    cost c;
    c.billed = billed * count;
    c.usd = static_cast<double>(billed.count()) / 3600.0 * rate * count;
    c.basis = (count > 1 ? std::to_string(count) + " x " : std::string()) + std::to_string(billed.count()) +
              " s at " + format_usd_per_hour(rate) + " ";
    if (m == market::spot && !offer.spot_usd_per_hour)
        c.basis += "(the on-demand price: no " + std::string(detail::market_words(offer.provider, m)) + " price is tabled, the real one is lower)";
    else
        c.basis += std::string(detail::market_words(offer.provider, m));
    c.basis += ", " + describe(offer.billing);
    return c;
}

MLCLOUD_DECL cost lambda_cost(lambda_usage const& usage, lambda_rates const& rates)
{
    auto const ms = detail::non_negative(usage.duration).count();
    double const gb = std::max(usage.memory_mb, 0) / 1024.0;
    double const requests = static_cast<double>(usage.requests);
    double const gb_seconds = gb * (static_cast<double>(ms) / 1000.0) * requests;

    cost c;
    c.usd = gb_seconds * rates.usd_per_gb_second + requests * rates.usd_per_request;
    auto const total_ms = static_cast<std::int64_t>(ms) * static_cast<std::int64_t>(usage.requests);
    c.billed = std::chrono::seconds((total_ms + 999) / 1000);
    char gbs[32];
    std::snprintf(gbs, sizeof gbs, "%.4g", gb_seconds);
    c.basis = std::to_string(usage.requests) + (usage.requests == 1 ? " request" : " requests") + " x " +
              std::to_string(ms) + " ms at " + std::to_string(usage.memory_mb) + " MB = " + gbs + " GB-s x $" +
              detail::fixed(rates.usd_per_gb_second, 10) + " + $" +
              detail::fixed(rates.usd_per_request, 7) + " per request (" + std::string(rates.source) +
              ")";
    return c;
}

MLCLOUD_DECL cost serverless_cost(serverless_rate const& rate, std::chrono::milliseconds worker_time, bool active)
{
    bool const use_active = active && rate.active_usd_per_second.has_value();
    double const per_second = use_active ? *rate.active_usd_per_second : rate.flex_usd_per_second;

    cost c;
    c.billed = billed_time(per_second_billing, worker_time);
    c.usd = static_cast<double>(c.billed.count()) * per_second;
    c.basis = std::to_string(c.billed.count()) + " s at $" + detail::fixed(per_second, 5) + "/s (" +
              rate.pool + (use_active ? " active" : " flex") + " workers), rounded up to the second";
    return c;
}

MLCLOUD_DECL std::string format_usd(double usd)
{
    if (!std::isfinite(usd))
        return "$?";
    std::string sign = usd < 0 ? "-" : "";
    usd = std::abs(usd);
    if (usd >= 0.01 || usd < 1e-8)
        return sign + "$" + detail::fixed(usd, 2);
    // Two significant digits: 0.0042 -> 4 decimals, 0.000017 -> 6.
    int const decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(usd))), 2, 8);
    return sign + "$" + detail::fixed(usd, decimals);
}

MLCLOUD_DECL std::string format_cost(cost const& c)
{
    if (c.known)
        return format_usd(c.usd);
    return c.usd > 0 ? "at least " + format_usd(c.usd) : "unknown";
}

MLCLOUD_DECL std::string format_usd_per_hour(double usd_per_hour)
{
    auto text = detail::fixed(usd_per_hour, 4);
    auto const dot = text.find('.');
    while (text.size() > dot + 3 && text.back() == '0')
        text.pop_back();
    return "$" + text + "/h";
}

MLCLOUD_DECL std::string format_duration(std::chrono::seconds d)
{
    auto const s = std::max<std::int64_t>(d.count(), 0);
    char buffer[48];
    if (s < 60)
        std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(s));
    else if (s < 3600)
        std::snprintf(buffer, sizeof buffer, "%lldm %02llds", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    else
        std::snprintf(buffer, sizeof buffer, "%lldh %02lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>(s % 3600 / 60));
    return buffer;
}

MLCLOUD_DECL std::string format_launch_time(std::chrono::system_clock::time_point t)
{
    if (t == std::chrono::system_clock::time_point{})
        return "at an unknown time";
    std::time_t const seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    if (gmtime_r(&seconds, &utc) == nullptr) // a year past what struct tm holds
        return "(time out of range)";
    char buffer[64];
    auto const n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &utc);
    return n ? std::string(buffer, n) : std::string("(time out of range)");
}

MLCLOUD_DECL std::string describe(billing_rule const& rule)
{
    auto const inc = rule.increment.count();
    std::string out = "billed per ";
    if (inc <= 1)
        out += "second";
    else if (inc == 60)
        out += "minute";
    else if (inc == 3600)
        out += "hour";
    else
        out += detail::spelled_duration(rule.increment);
    if (rule.minimum > rule.increment)
        out += ", " + detail::spelled_duration(rule.minimum) + " minimum";
    return out;
}

} // namespace messages
} // namespace mlcloud

#endif

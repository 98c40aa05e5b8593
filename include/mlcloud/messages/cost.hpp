//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_COST_HPP
#define MLCLOUD_MESSAGES_COST_HPP

// Cost estimates by each provider's billing rule. Every function returns mlcloud::cost with a
// `basis` that says how the figure was reached, so a person can check it.

#include <mlcloud/config.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mlcloud {
namespace messages {

/// Billed time for one launch that ran `runtime`: rounded up to a whole number of
/// `rule.increment`s, and never less than `rule.minimum`.
MLCLOUD_DECL std::chrono::seconds billed_time(billing_rule const& rule, std::chrono::milliseconds runtime) noexcept;

/// A GPU pod or instance: `count` launches of `offer` (RunPod: `count` GPUs in one pod), each
/// billed by the offer's rule at its hourly price in market `m` (RunPod spot = community
/// cloud). When no spot price is tabled the on-demand price is used and the basis says so.
MLCLOUD_DECL cost compute_cost(gpu_offer const& offer, std::chrono::milliseconds runtime,
                               market m = market::on_demand, int count = 1);

/// AWS Lambda rates. The defaults are the public x86 prices in us-east-1 (docs/pricing.md);
/// the free tier is ignored.
struct lambda_rates
{
    double usd_per_gb_second = 0.0000166667;
    double usd_per_request = 0.0000002; ///< $0.20 per million requests
    std::string_view source = "AWS Lambda pricing, x86, us-east-1";
};

/// What a Lambda prediction used.
struct lambda_usage
{
    int memory_mb = 128;                    ///< the function's configured memory
    std::chrono::milliseconds duration{0};  ///< billed duration of one invocation (1 ms granularity)
    std::uint64_t requests = 1;             ///< invocations of that duration
};

/// Lambda: memory (GB) x billed seconds x rate per GB-second, plus the per-request charge.
MLCLOUD_DECL cost lambda_cost(lambda_usage const& usage, lambda_rates const& rates = {});

/// RunPod serverless: per worker-second, from worker start to full stop, rounded up to the next
/// second; `active` selects the always-on worker rate (the flex rate when none is tabled).
MLCLOUD_DECL cost serverless_cost(serverless_rate const& rate, std::chrono::milliseconds worker_time,
                                  bool active = false);

/// "$0.27", "$12.50", "$0.0042", "$0.000017"; small amounts keep two significant digits so a
/// prediction that costs a fraction of a cent does not show as $0.00.
MLCLOUD_DECL std::string format_usd(double usd);

/// A cost as users should read it: format_usd of `c.usd` when `c.known`; otherwise "unknown",
/// or "at least $1.20" for a sum where some parts could not be priced. Never "$0.00" for a
/// machine nobody could price.
MLCLOUD_DECL std::string format_cost(cost const& c);

/// An hourly price: "$0.27/h", "$0.526/h", "$32.7726/h" (as many decimals as the price has, at
/// least two, at most four).
MLCLOUD_DECL std::string format_usd_per_hour(double usd_per_hour);

/// "45s", "4m 12s", "2h 05m".
MLCLOUD_DECL std::string format_duration(std::chrono::seconds d);

/// A launch time to the minute in UTC, "2026-11-29 02:31 UTC", or "at an unknown time" for a
/// default-constructed time point (a record or machine that did not say when it started).
MLCLOUD_DECL std::string format_launch_time(std::chrono::system_clock::time_point t);

/// "billed per second", "billed per second, 1 minute minimum".
MLCLOUD_DECL std::string describe(billing_rule const& rule);

} // namespace messages
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/messages/impl/cost.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_RETRY_HPP
#define MLCLOUD_NET_RETRY_HPP

// The retry policy of the transport: the AWS SDKs' "standard" retry mode (attempt limit,
// full-jitter exponential backoff, a per-client retry quota), plus Retry-After and the
// idempotency rules of docs/transport.md. Pure logic: every decision can be tested with a
// fake random source and clock.

#include <mlcloud/config.hpp>
#include <mlcloud/net/response.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::net {

/// How a failed attempt counts for the retry policy.
enum class retry_class
{
    none,       ///< not retryable (a 4xx, a TLS verification failure, a protocol error ...)
    transient,  ///< 500/502/503/504, a reset or refused connection, a truncated body
    throttling, ///< 429 or a throttling error code: the server asks us to slow down
    timeout,    ///< an attempt ran out of time (costs the quota more, as in the AWS SDKs)
};

MLCLOUD_DECL std::string_view to_string(retry_class c) noexcept;

/// The retry knobs of a client; the defaults are the AWS SDK standard mode.
struct retry_options
{
    unsigned max_attempts = 3;                                 ///< first attempt included; 1 disables retries
    std::chrono::milliseconds base_delay{1000};                ///< backoff = random[0,1) * min(base * 2^(n-1), max)
    std::chrono::milliseconds max_delay{std::chrono::seconds(20)};
    /// A Retry-After longer than this is not waited for: the response is returned to the
    /// caller, who knows whether waiting that long is worth it.
    std::chrono::milliseconds max_retry_after{std::chrono::seconds(20)};

    unsigned quota_capacity = 500;  ///< tokens in the client's retry quota
    unsigned retry_cost = 5;        ///< tokens a retry takes
    unsigned timeout_retry_cost = 10; ///< tokens a retry after a timeout takes
    unsigned success_refund = 1;    ///< tokens a success on the first attempt gives back

    /// Extra classification of a complete response, consulted before the default rules;
    /// return nullopt to keep the default. The AWS backend adds error-code-in-body rules
    /// here (e.g. a 400 whose body says ThrottlingException).
    std::function<std::optional<retry_class>(response const&)> classify{};

    /// How long a response asks the client to wait before the next attempt, for services that
    /// say it in headers of their own; replaces the reading of Retry-After. Return nullopt when
    /// the response names no wait (the backoff applies). The RunPod backend reads its RateLimit
    /// windows here: a 429 may name the minute in Retry-After while the hour is exhausted too.
    std::function<std::optional<std::chrono::milliseconds>(response const&)> asked_wait{};

    /// A uniform random number in [0, 1) for the jitter; unset: a thread-local generator.
    std::function<double()> random{};

    /// The wall clock, for Retry-After given as an HTTP-date; unset: system_clock::now.
    std::function<std::chrono::system_clock::time_point()> now{};
};

/// The retry quota of one client: a token bucket shared by all its requests, so a failing
/// service gets fewer and fewer retries instead of a retry storm. Thread-safe.
class retry_quota
{
public:
    explicit retry_quota(unsigned capacity = 500) : capacity_(capacity), available_(capacity) {}

    /// Takes `cost` tokens if there are that many; false (and nothing taken) otherwise.
    MLCLOUD_DECL bool try_acquire(unsigned cost);

    /// Gives `amount` tokens back, never above the capacity.
    MLCLOUD_DECL void release(unsigned amount);

    MLCLOUD_DECL unsigned available() const;
    unsigned capacity() const noexcept { return capacity_; }

private:
    mutable std::mutex mutex_;
    unsigned capacity_;
    unsigned available_;
};

/// What to do after a failed attempt.
struct retry_decision
{
    bool retry = false;
    std::chrono::milliseconds delay{0}; ///< wait this long before the next attempt
    unsigned cost = 0;                  ///< tokens taken from the quota for this retry
    std::string reason{};                 ///< why not, when `retry` is false ("3 attempts made", ...)
};

/// The policy of one client. Thread-safe (the quota is the only shared state).
class retry_policy
{
public:
    explicit retry_policy(retry_options options = {})
        : options_(std::move(options)), quota_(std::make_shared<retry_quota>(options_.quota_capacity))
    {
    }

    retry_policy(retry_options options, std::shared_ptr<retry_quota> quota)
        : options_(std::move(options)), quota_(std::move(quota))
    {
    }

    /// The class of a complete response: the `classify` hook first, then 500/502/503/504
    /// transient, 429 throttling, anything else none.
    MLCLOUD_DECL retry_class classify(response const& r) const;

    /// The full-jitter backoff before retry number `retry` (1 for the first retry).
    MLCLOUD_DECL std::chrono::milliseconds backoff(unsigned retry) const;

    /// Decides about the next attempt after `attempts_made` attempts, the last of which
    /// failed with `cls`. `retry_after` is the server's Retry-After, when it sent one;
    /// `max_attempts` replaces options().max_attempts for this request. Takes the retry's
    /// cost from the quota when the answer is yes.
    MLCLOUD_DECL retry_decision on_failure(retry_class cls, unsigned attempts_made,
                                           std::optional<std::chrono::milliseconds> retry_after = std::nullopt,
                                           std::optional<unsigned> max_attempts = std::nullopt);

    /// Records a successful (2xx) request: refunds `success_refund` when it needed no retry,
    /// else the cost of its last retry (as the AWS SDKs do).
    MLCLOUD_DECL void on_success(unsigned last_retry_cost);

    /// The wait `r` asks for: the `asked_wait` hook when set, else its Retry-After (seconds or
    /// HTTP-date, relative to options().now) when it has a usable one.
    MLCLOUD_DECL std::optional<std::chrono::milliseconds> retry_after(response const& r) const;

    retry_options const& options() const noexcept { return options_; }
    retry_quota& quota() const noexcept { return *quota_; }

private:
    retry_options options_;
    std::shared_ptr<retry_quota> quota_;
};

/// Parses a Retry-After value: delay-seconds ("120") or an HTTP-date (IMF-fixdate
/// "Sun, 06 Nov 1994 08:49:37 GMT", and the obsolete RFC 850 and asctime forms), relative to
/// `now`. A date in the past gives 0; anything unparsable gives nullopt.
MLCLOUD_DECL std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                                       std::chrono::system_clock::time_point now);

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/retry.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_DETAIL_API_HPP
#define MLCLOUD_RUNPOD_DETAIL_API_HPP

// The plumbing the three RunPod providers share: the configuration (loaded once), one HTTP
// client, URL building for the REST and serverless bases, and the mapping of RunPod's error
// answers to mlcloud::error.

#include <mlcloud/auth/runpod_credentials.hpp>
#include <mlcloud/concepts.hpp>
#include <mlcloud/net/client.hpp>
#include <mlcloud/net/url.hpp>
#include <mlcloud/runpod/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud {
namespace runpod {
namespace detail {

/// The provider name in handles and errors.
inline constexpr std::string_view provider_name = "runpod";

class api
{
public:
    MLCLOUD_DECL api(boost::asio::any_io_executor ex, options const& opts);

    /// The configuration, or why it could not be loaded (a bad base URL).
    result<auth::runpod_config> const& config() const noexcept { return config_; }

    /// The Authorization header value, or the error to return (no API key).
    MLCLOUD_DECL result<std::string> authorization() const;

    /// "<rest_url>/a/b?q=v" with each segment and parameter percent-encoded.
    MLCLOUD_DECL result<std::string> rest_url(std::initializer_list<std::string_view> segments,
                                              net::query_params const& query = {}) const;
    /// "<serverless_url>/<endpoint>/a/b?q=v".
    MLCLOUD_DECL result<std::string> serverless_url(std::string_view endpoint,
                                                    std::initializer_list<std::string_view> segments,
                                                    net::query_params const& query = {}) const;

    /// Sends a request with the API key and, for a body, Content-Type: application/json.
    /// `operation` names it in errors ("POST /v2/pods").
    ///
    /// From a coroutine, pass a named request moved in, not a braced temporary: GCC 12
    /// mis-copies a class prvalue handed to a coroutine inside co_await (a string member's
    /// small buffer ends up pointing into the caller's frame; AddressSanitizer reports a bad
    /// free).
    MLCLOUD_DECL task<net::response> send(net::request req, std::string operation);

    /// The error of a non-2xx answer: the code from the status, RunPod's own words
    /// (problem+json detail, validation errors), the HTTP status and request id.
    MLCLOUD_DECL static error error_from(net::response const& r, std::string_view operation);

    /// Decorates an error that came from the transport or a parser.
    MLCLOUD_DECL static error decorate(error e, std::string_view operation);

    /// The wait a response asks for: its Retry-After (an HTTP-date counted from `now`), and for
    /// a 429 the longer of that and its longest exhausted RateLimit window (throttle_wait);
    /// nullopt when it names none. The transport's retries read it too
    /// (net::retry_options::asked_wait).
    MLCLOUD_DECL static std::optional<std::chrono::milliseconds>
    asked_wait(net::response const& r, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

    /// asked_wait, else `fallback`.
    MLCLOUD_DECL std::chrono::milliseconds retry_after(net::response const& r, std::chrono::milliseconds fallback) const;

    /// The pause before a create (not idempotent, so not retried by the transport) is sent again
    /// after the 429 `r`: what it asks (else launch_options::default_retry_after), at least
    /// 100 ms so that "Retry-After: 0" is no request storm. nullopt when the throttling since
    /// the first 429, `since`, would pass launch_options::max_throttle_wait.
    MLCLOUD_DECL std::optional<std::chrono::milliseconds> throttle_pause(net::response const& r,
                                                                         std::chrono::steady_clock::time_point since) const;

    net::http_client& http() noexcept { return http_; }
    options const& opts() const noexcept { return opts_; }

private:
    options opts_;
    result<auth::runpod_config> config_;
    net::http_client http_;
};

/// The runpod:// location `uri` stands for: itself, or for a relative path (a storage_uri of
/// kind local not starting with '/') the key on the default volume (options::network_volume_id
/// in options::datacenter). Anything else is errc::not_supported, `what` naming it.
MLCLOUD_DECL result<storage_uri> resolve_location(options const& o, storage_uri const& uri, std::string_view what);

/// Waits on the current executor.
MLCLOUD_DECL boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d);

/// Full-jitter exponential backoff: random[0,1) * min(base * 2^(n-1), cap), at least 1 ms.
MLCLOUD_DECL std::chrono::milliseconds backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                               unsigned attempt);

/// A random lower-case hex string of `n` digits.
MLCLOUD_DECL std::string random_hex(std::size_t n);

} // namespace detail
} // namespace runpod
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/runpod/impl/api.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_IMPL_API_IPP
#define MLCLOUD_RUNPOD_IMPL_API_IPP

#include <mlcloud/runpod/detail/api.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/retry.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <random>

namespace mlcloud {
namespace runpod {
namespace detail {

/// The options of the REST and serverless client: its retries of a 429 wait what RunPod's
/// RateLimit asks too.
inline net::client_options api_http_options(options const& o)
{
    net::client_options h = o.http;
    if (!h.retry.asked_wait)
        h.retry.asked_wait = [now = h.retry.now](net::response const& r) {
            return api::asked_wait(r, now ? now() : std::chrono::system_clock::now());
        };
    return h;
}

MLCLOUD_DECL api::api(boost::asio::any_io_executor ex, options const& opts)
    : opts_(opts), config_(auth::runpod_config::load(opts.credentials)), http_(ex, api_http_options(opts))
{
}

MLCLOUD_DECL result<std::string> api::authorization() const
{
    if (!config_)
        return config_.error();
    auto a = config_->authorization();
    if (!a)
    {
        error e = a.error();
        e.with_provider(provider_name);
        return e;
    }
    return a;
}

MLCLOUD_DECL result<std::string> api::rest_url(std::initializer_list<std::string_view> segments,
                                               net::query_params const& query) const
{
    if (!config_)
        return config_.error();
    return net::make_url(config_->rest_url(), segments, query);
}

MLCLOUD_DECL result<std::string> api::serverless_url(std::string_view endpoint,
                                                     std::initializer_list<std::string_view> segments,
                                                     net::query_params const& query) const
{
    if (!config_)
        return config_.error();
    if (endpoint.empty())
        return error(errc::invalid_argument,
                     "no serverless endpoint: set runpod::options::endpoint_id (RUNPOD_ENDPOINT_ID) to the endpoint "
                     "that runs examples/runpod_worker")
            .with_provider(provider_name);
    auto base = net::make_url(config_->serverless_url(), {endpoint});
    if (!base)
        return base.error();
    return net::make_url(*base, segments, query);
}

MLCLOUD_DECL task<net::response> api::send(net::request req, std::string operation)
{
    auto auth = authorization();
    if (!auth)
        co_return auth.error();
    req.headers.set("Authorization", *auth);
    req.headers.set("Accept", "application/json");
    if (auto const* text = req.body.text(); text && !text->empty())
        req.headers.set("Content-Type", "application/json");
    auto r = co_await http_.send(std::move(req));
    if (!r)
        co_return decorate(r.error(), operation);
    co_return std::move(*r);
}

MLCLOUD_DECL error api::error_from(net::response const& r, std::string_view operation)
{
    auto p = parse_problem(r.body, r.status);
    error e(net::errc_from_status(r.status), describe(p));
    e.with_provider(provider_name).with_operation(operation).with_http(r.status, r.request_id());
    return e;
}

MLCLOUD_DECL error api::decorate(error e, std::string_view operation)
{
    if (e.provider.empty())
        e.with_provider(provider_name);
    if (e.operation.empty())
        e.with_operation(operation);
    return e;
}

MLCLOUD_DECL std::optional<std::chrono::milliseconds> api::asked_wait(net::response const& r,
                                                                      std::chrono::system_clock::time_point now)
{
    std::optional<std::chrono::milliseconds> retry_after;
    if (auto v = r.headers.get("retry-after"))
        retry_after = net::parse_retry_after(*v, now);
    if (r.status != 429) // an exhausted window is what a 429 is about; a 5xx keeps its backoff
        return retry_after;
    return throttle_wait(retry_after, r.headers.get("ratelimit"));
}

MLCLOUD_DECL std::chrono::milliseconds api::retry_after(net::response const& r, std::chrono::milliseconds fallback) const
{
    return asked_wait(r).value_or(fallback);
}

MLCLOUD_DECL std::optional<std::chrono::milliseconds> api::throttle_pause(net::response const& r,
                                                                         std::chrono::steady_clock::time_point since) const
{
    auto const wait = std::max(retry_after(r, opts_.launch.default_retry_after), std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() - since + wait > opts_.launch.max_throttle_wait)
        return std::nullopt;
    return wait;
}

MLCLOUD_DECL result<storage_uri> resolve_location(options const& o, storage_uri const& uri, std::string_view what)
{
    if (uri.is_runpod_volume())
    {
        if (uri.bucket.empty() || uri.datacenter.empty())
            return error(errc::invalid_argument, std::string(what) + " " + uri.str() + " names no datacenter or volume")
                .with_provider(provider_name);
        return uri;
    }
    if (uri.is_local() && !uri.key.starts_with("/") && !o.network_volume_id.empty() && !o.datacenter.empty())
    {
        std::string key = uri.key;
        while (key.starts_with("./"))
            key.erase(0, 2);
        return storage_uri::runpod_volume(o.datacenter, o.network_volume_id, key);
    }
    return error(errc::not_supported,
                 std::string(what) + " " + uri.str() + " is not on a RunPod network volume: use runpod://DATACENTER/VOLUME/key" +
                     (o.network_volume_id.empty() ? std::string() : ", or a path relative to the default volume") +
                     " (copy local files there first, e.g. `mlcloud cp`)")
        .with_provider(provider_name);
}

MLCLOUD_DECL boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    if (d.count() <= 0)
        co_return;
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

MLCLOUD_DECL std::chrono::milliseconds backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                               unsigned attempt)
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    double const limit = std::min<double>(static_cast<double>(cap.count()),
                                          static_cast<double>(base.count()) * std::pow(2.0, std::max(1u, attempt) - 1));
    double const r = std::uniform_real_distribution<double>(0.0, 1.0)(engine);
    return std::chrono::milliseconds(std::max<long long>(1, static_cast<long long>(r * limit)));
}

MLCLOUD_DECL std::string random_hex(std::size_t n)
{
    thread_local std::mt19937_64 engine{std::random_device{}()};
    std::string s(n, '0');
    for (auto& c : s)
        c = "0123456789abcdef"[engine() % 16];
    return s;
}

} // namespace detail
} // namespace runpod
} // namespace mlcloud

#endif

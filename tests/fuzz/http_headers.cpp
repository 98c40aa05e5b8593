//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The small parsers of header values and configured URLs: Retry-After (seconds and the three
// HTTP-date forms), RunPod's RateLimit, S3's Content-Range and ETag, RFC 3339 times, URLs
// (parse_url, percent_decode, make_url, is_http_url) and NO_PROXY matching.
//
// Input: one byte choosing the parser, then the value.

#include "fuzz.hpp"

#include <mlcloud/auth/detail/settings.hpp>
#include <mlcloud/aws/detail/s3.hpp>
#include <mlcloud/net/proxy.hpp>
#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/retry.hpp>
#include <mlcloud/net/url.hpp>
#include <mlcloud/runpod/detail/wire.hpp>

#include <chrono>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace std::chrono;
    mlcloud_fuzz::input in(data, size);
    auto const which = in.byte() % 7;
    auto const value = in.rest();
    auto const now = system_clock::time_point(seconds(1'790'000'000));
    switch (which)
    {
    case 0:
        if (auto d = mlcloud::net::parse_retry_after(value, now))
            mlcloud_fuzz::check(d->count() >= 0, "a Retry-After is never negative");
        break;
    case 1:
        if (auto d = mlcloud::runpod::detail::rate_limit_reset(value))
            mlcloud_fuzz::check(d->count() >= 0, "a RateLimit reset is never negative");
        break;
    case 2:
        if (auto r = mlcloud::aws::detail::parse_content_range(value); r && r->first && r->last)
            mlcloud_fuzz::check(*r->first <= *r->last, "a range starts before it ends");
        (void)mlcloud::aws::detail::unquote_etag(value);
        break;
    case 3:
        if (auto t = mlcloud::runpod::detail::parse_rfc3339(value))
            (void)mlcloud::runpod::detail::format_rfc3339(*t);
        break;
    case 4:
        if (auto u = mlcloud::net::parse_url(value))
        {
            mlcloud_fuzz::check(u->scheme == "http" || u->scheme == "https", "a parsed URL is http(s)");
            mlcloud_fuzz::check(!u->target.empty() && u->target.front() == '/', "a target starts with '/'");
            (void)u->authority(true);
        }
        else
            mlcloud_fuzz::check(mlcloud::net::redact_text(u.error().message) == u.error().message,
                                "a refused URL is redacted in the message");
        (void)mlcloud::auth::detail::is_http_url(value);
        (void)mlcloud::net::make_url(value, {"pods", value, "logs"}, {{"tail", std::string(value)}});
        break;
    case 5:
        if (auto decoded = mlcloud::net::percent_decode(value))
            (void)mlcloud::net::encode_path(*decoded);
        (void)mlcloud::net::encode_query_value(value);
        (void)mlcloud::net::encode_path_segment(value);
        break;
    default:
    {
        auto const host = in.until(' ');
        (void)mlcloud::net::no_proxy_matches(in.rest(), host, 443);
        (void)mlcloud::net::no_proxy_matches(in.rest(), host, 8080);
        break;
    }
    }
    return 0;
}

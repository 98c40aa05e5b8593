//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_CONTEXT_IPP
#define MLCLOUD_AWS_IMPL_CONTEXT_IPP

#include <mlcloud/aws/detail/context.hpp>

namespace mlcloud::aws::detail {

MLCLOUD_DECL std::optional<error> backend_context::unusable(std::string_view operation) const
{
    if (!failure)
        return std::nullopt;
    error e = *failure;
    e.with_provider("aws").with_operation(operation);
    return e;
}

MLCLOUD_DECL messages::pricing_table const& backend_context::prices() const
{
    std::call_once(pricing_once_, [this] {
        pricing_ = opts.pricing ? opts.pricing
                                : std::make_shared<messages::pricing_table const>(messages::pricing_table::builtin());
    });
    return *pricing_;
}

MLCLOUD_DECL result<session> resolve_session(aws::options const& opts)
{
    auto config = auth::aws_config::load(opts.config);
    session s;
    if (!opts.region.empty())
        s.region = opts.region;
    else
    {
        auto r = config.region();
        if (!r)
            return error(errc::invalid_argument, r.error().message + " (or set aws::options::region)");
        s.region = std::move(*r);
    }
    if (opts.credentials)
        s.credentials = static_credentials(*opts.credentials);
    else
    {
        auto c = config.credentials();
        if (!c)
            return c.error();
        s.credentials = static_credentials(std::move(*c));
    }
    for (service const* svc : {&s3_service, &ec2_service, &lambda_service, &logs_service, &sts_service})
    {
        auto url = config.endpoint_url(svc->id);
        if (!url)
            return url.error();
        if (*url)
            s.endpoints[std::string(svc->id)] = std::move(**url);
    }
    for (auto const& [id, url] : opts.endpoints)
        s.endpoints[id] = url;
    return s;
}

MLCLOUD_DECL std::shared_ptr<backend_context> make_context(boost::asio::any_io_executor ex, aws::options const& opts)
{
    auto ctx = std::make_shared<backend_context>();
    ctx->opts = opts;
    auto s = resolve_session(opts);
    if (!s)
    {
        ctx->failure = s.error();
        return ctx;
    }
    auto http = std::make_shared<net::http_client>(std::move(ex), opts.http);
    s3_client_options so;
    so.region = s->region;
    if (auto it = s->endpoints.find(s3_service.id); it != s->endpoints.end())
        so.endpoint = it->second;
    so.credentials = s->credentials;
    so.provider = "aws";
    so.multipart_threshold = opts.multipart_threshold;
    so.part_size = opts.part_size;
    so.concurrency = opts.transfer_concurrency;
    so.download_concurrency = opts.download_concurrency;
    so.download_chunk_size = opts.download_chunk_size;
    ctx->s3.emplace(http, std::move(so));
    ctx->api.emplace(std::move(http), std::move(*s));
    return ctx;
}

} // namespace mlcloud::aws::detail

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_CLIENT_IPP
#define MLCLOUD_AWS_IMPL_CLIENT_IPP

#include <mlcloud/aws/client.hpp>
#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/files.hpp>
#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/auth/sigv4.hpp>
#include <mlcloud/net/redact.hpp>

#include <array>

namespace mlcloud::aws {
namespace client_impl {

inline bool is_signed_header(std::string_view name)
{
    static constexpr std::array<std::string_view, 4> plain{"host", "content-type", "content-md5", "range"};
    for (auto p : plain)
        if (net::iequals(name, p))
            return true;
    return name.size() > 6 && net::iequals(name.substr(0, 6), "x-amz-");
}

// Describes one attempt of `req` for the signer: the URL as the transport will send it, the
// query split back into raw parameters (our URLs are encoded strictly, so decoding and the
// signer's re-encoding give the same bytes), and the headers worth signing.
inline result<auth::sigv4::request> describe_for_signing(net::request const& req, std::string const& payload_hash)
{
    auto url = net::parse_url(req.url);
    if (!url)
        return url.error();
    auth::sigv4::request s;
    s.method = std::string(net::to_string(req.method));
    s.scheme = url->scheme;
    s.host = url->authority();
    std::string_view target = url->target;
    auto q = target.find('?');
    s.path = std::string(target.substr(0, q));
    s.path_is_encoded = true;
    if (q != std::string_view::npos)
    {
        std::string_view query = target.substr(q + 1);
        while (!query.empty())
        {
            auto amp = query.find('&');
            std::string_view pair = query.substr(0, amp);
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
            if (pair.empty())
                continue;
            auto eq = pair.find('=');
            auto name = net::percent_decode(pair.substr(0, eq));
            auto value = net::percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
            if (!name || !value)
                return error(errc::invalid_argument, "the request URL has a malformed query");
            s.query.push_back({std::move(*name), std::move(*value)});
        }
    }
    for (auto const& [name, value] : req.headers)
        if (is_signed_header(name))
            s.headers.push_back({name, value});
    s.payload_hash = payload_hash;
    return s;
}

inline error decorate(error e, std::string_view provider, std::string_view operation)
{
    if (e.provider.empty())
        e.with_provider(provider);
    if (e.operation.empty())
        e.with_operation(operation);
    return e;
}

} // namespace client_impl

MLCLOUD_DECL credentials_function static_credentials(auth::aws_credentials credentials)
{
    return [c = std::move(credentials)]() -> result<auth::aws_credentials> { return c; };
}

MLCLOUD_DECL std::string session::endpoint(service const& s) const
{
    if (auto it = endpoints.find(s.id); it != endpoints.end())
        return it->second;
    std::string_view suffix = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return "https://" + std::string(s.endpoint_prefix) + "." + region + "." + std::string(suffix);
}

MLCLOUD_DECL result<session> session::from_config(auth::aws_config const& config, std::string_view region)
{
    session s;
    if (!region.empty())
        s.region = region;
    else
    {
        auto r = config.region();
        if (!r)
            return r.error();
        s.region = std::move(*r);
    }
    auto creds = config.credentials();
    if (!creds)
        return creds.error();
    s.credentials = static_credentials(std::move(*creds));
    for (service const* svc : {&s3_service, &ec2_service, &lambda_service, &logs_service, &sts_service})
    {
        auto url = config.endpoint_url(svc->id);
        if (!url)
            return url.error();
        if (*url)
            s.endpoints.emplace(std::string(svc->id), std::move(**url));
    }
    return s;
}

MLCLOUD_DECL net::client_options default_http_options()
{
    net::client_options o;
    o.retry.classify = [](net::response const& r) { return detail::classify_response(r); };
    return o;
}

MLCLOUD_DECL client::client(boost::asio::any_io_executor ex, session s, net::client_options http)
    : http_(std::make_shared<net::http_client>(std::move(ex), std::move(http))), session_(std::move(s))
{
}

MLCLOUD_DECL client::client(std::shared_ptr<net::http_client> http, session s)
    : http_(std::move(http)), session_(std::move(s))
{
}

MLCLOUD_DECL std::string client::endpoint(service const& svc) const
{
    std::string e = session_.endpoint(svc);
    while (!e.empty() && e.back() == '/')
        e.pop_back();
    return e;
}

MLCLOUD_DECL task<net::response> client::send(service const& svc, net::request req, std::string payload_hash)
{
    if (!session_.credentials)
        co_return error(errc::unauthorized, "no AWS credentials configured").with_provider(session_.provider);
    auto creds = session_.credentials();
    if (!creds)
        co_return client_impl::decorate(creds.error(), session_.provider, {});
    if (payload_hash.empty())
    {
        if (auto const* text = req.body.text())
            payload_hash = auth::sigv4::hash_payload(*text);
        else if (auto const* file = req.body.file())
        {
            auto h = detail::hash_file_range(file->path, file->offset, file->length);
            if (!h)
                co_return h.error();
            payload_hash = std::move(*h);
        }
        else
            payload_hash = std::string(auth::sigv4::unsigned_payload);
    }
    auth::sigv4::signer signer({.region = session_.region, .service = std::string(svc.signing_name), .rules = {}});
    req.prepare = [signer = std::move(signer), creds = std::move(*creds),
                   payload_hash = std::move(payload_hash)](net::request& r, unsigned) -> result<void> {
        auto described = client_impl::describe_for_signing(r, payload_hash);
        if (!described)
            return described.error();
        auto sig = signer.sign(*described, creds);
        if (!sig)
            return sig.error();
        for (auto const& h : sig->headers)
            r.headers.set(h.name, h.value);
        return {};
    };
    co_return co_await http_->send(std::move(req));
}

MLCLOUD_DECL task<std::string> client::query(service const& svc, std::string_view action, std::string_view version,
                                             net::query_params params, call_options opts)
{
    // (No initializer lists in coroutines: GCC 12 can mis-destroy their backing arrays.)
    params.insert(params.begin(), std::pair<std::string, std::string>("Version", version));
    params.insert(params.begin(), std::pair<std::string, std::string>("Action", action));
    net::request req;
    req.method = net::method::post;
    req.url = endpoint(svc) + "/";
    req.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    req.body = detail::form_encode(params);
    req.idempotent = opts.idempotent;
    req.idempotency_key = std::move(opts.idempotency_key);
    req.timeouts = opts.timeouts;
    std::string const op(action);
    auto r = co_await send(svc, std::move(req));
    if (!r)
        co_return client_impl::decorate(r.error(), session_.provider, op);
    if (!r->ok())
        co_return detail::make_error(*r, session_.provider, op).with_retry_safe(opts.idempotent);
    co_return std::move(r->body);
}

MLCLOUD_DECL task<std::string> client::json(service const& svc, std::string_view target, std::string body,
                                            call_options opts)
{
    net::request req;
    req.method = net::method::post;
    req.url = endpoint(svc) + "/";
    req.headers.set("Content-Type", "application/x-amz-json-1.1");
    req.headers.set("X-Amz-Target", target);
    req.body = std::move(body);
    req.idempotent = opts.idempotent;
    req.idempotency_key = std::move(opts.idempotency_key);
    req.timeouts = opts.timeouts;
    auto dot = target.rfind('.');
    std::string const op(dot == std::string_view::npos ? target : target.substr(dot + 1));
    auto r = co_await send(svc, std::move(req));
    if (!r)
        co_return client_impl::decorate(r.error(), session_.provider, op);
    if (!r->ok())
        co_return detail::make_error(*r, session_.provider, op).with_retry_safe(opts.idempotent);
    co_return std::move(r->body);
}

} // namespace mlcloud::aws

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_IMPL_SETUP_IPP
#define MLCLOUD_RUNPOD_IMPL_SETUP_IPP

#include <mlcloud/runpod/setup.hpp>

#include <mlcloud/runpod/detail/api.hpp>
#include <mlcloud/runpod/detail/wire.hpp>
#include <mlcloud/runpod/prediction.hpp>
#include <mlcloud/runpod/storage.hpp>

#include <memory>

namespace mlcloud {
namespace runpod {
namespace detail {

inline task<std::vector<volume_info>> list_volumes(std::shared_ptr<api> a)
{
    std::string const op = "GET /v2/network-volumes";
    auto url = a->rest_url({"network-volumes"});
    if (!url)
        co_return url.error();
    net::request req{.url = *url};
    auto r = co_await a->send(std::move(req), op);
    if (!r)
        co_return r.error();
    if (!r->ok())
    {
        auto e = api::error_from(*r, op);
        if (r->status == 401)
            e.message = "RunPod refused the API key (RUNPOD_API_KEY): " + e.message;
        co_return e;
    }
    auto list = parse_volume_list(r->body);
    if (!list)
        co_return api::decorate(list.error(), op);
    co_return list;
}

inline std::optional<volume_info> volume_named(std::vector<volume_info> const& all, std::string const& name,
                                               std::string const& datacenter)
{
    for (auto const& v : all)
        if (v.name == name && v.datacenter == datacenter)
            return v;
    return std::nullopt;
}

/// POST /v2/network-volumes, asked again after a 429 within the launch's throttle budget
/// (api::throttle_pause). A 429 made nothing, so asking again is safe.
inline task<net::response> post_volume(api& a, std::string const& url, std::string const& body, std::string const& op)
{
    std::optional<std::chrono::steady_clock::time_point> throttled_since; // the first 429
    for (;;)
    {
        net::request req{.method = net::method::post, .url = url, .body = body};
        auto r = co_await a.send(std::move(req), op);
        if (!r || r->status != 429)
            co_return r;
        if (!throttled_since)
            throttled_since = std::chrono::steady_clock::now();
        auto const pause = a.throttle_pause(*r, *throttled_since);
        if (!pause)
            co_return r;
        co_await sleep_for(*pause);
    }
}

/// POST /v2/network-volumes. It is not idempotent: after an answer that leaves the outcome
/// open (a 5xx, no answer, a 2xx whose body is not a volume), the list is read again and a
/// volume of that name is adopted.
inline task<volume_info> create_volume(std::shared_ptr<api> a, std::string name, std::string datacenter, int size)
{
    std::string const op = "POST /v2/network-volumes";
    auto url = a->rest_url({"network-volumes"});
    if (!url)
        co_return url.error();
    auto r = co_await post_volume(*a, *url, volume_create_body(name, datacenter, size), op);
    if (r && r->ok())
    {
        auto v = parse_volume(r->body);
        if (v)
            co_return v;
    }
    if (r && r->status < 500 && !r->ok())
        co_return api::error_from(*r, op);
    auto again = co_await list_volumes(a);
    if (again)
        if (auto v = volume_named(*again, name, datacenter))
            co_return *v;
    if (!r)
        co_return r.error(); // the transport's words: outcome_unknown once the request was sent
    std::string const answer = r->ok() ? std::to_string(r->status) + " with a body that is not a volume"
                                       : std::to_string(r->status) + " (" + api::error_from(*r, op).message + ")";
    std::string const listed = again ? "no volume of that name is listed yet"
                                     : "the volume list could not be read (" + again.error().message + ")";
    co_return error(errc::outcome_unknown, "RunPod answered " + answer + " to the create of network volume '" + name +
                                               "', and " + listed + ": it may exist. Run setup again in a minute (it "
                                               "adopts the volume once it is listed) rather than creating one by hand")
        .with_provider(provider_name)
        .with_operation(op)
        .with_http(r->status, r->request_id());
}

inline task<setup_report> setup_impl(boost::asio::any_io_executor ex, options o, setup_options so)
{
    setup_report rep;
    auto a = std::make_shared<api>(ex, o);
    if (!a->config())
        co_return a->config().error();

    // 1. The API key, with a call that changes nothing.
    auto volumes = co_await list_volumes(a);
    if (!volumes)
        co_return volumes.error();
    rep.api_key_ok = true;
    rep.lines.push_back("API key: accepted (GET /v2/network-volumes lists " + std::to_string(volumes->size()) +
                        " network volume" + (volumes->size() == 1 ? "" : "s") + ")");

    // 2. The network volume: the configured one, else found or created by name.
    std::optional<volume_info> volume;
    if (!o.network_volume_id.empty())
    {
        for (auto const& v : *volumes)
            if (v.id == o.network_volume_id)
                volume = v;
        if (!volume)
            co_return error(errc::not_found, "no network volume " + o.network_volume_id +
                                                 " in this account (RUNPOD_NETWORK_VOLUME_ID); unset it to find or "
                                                 "create the volume named '" + so.volume_name + "'")
                .with_provider(provider_name);
        if (!o.datacenter.empty() && volume->datacenter != o.datacenter)
            co_return error(errc::invalid_argument, "network volume " + volume->id + " is in " + volume->datacenter +
                                                        ", not in " + o.datacenter + " (RUNPOD_DATACENTER)")
                .with_provider(provider_name);
        rep.lines.push_back("network volume: found " + volume->id + " ('" + volume->name + "', " +
                            std::to_string(volume->size_gb) + " GB) in " + volume->datacenter);
    }
    else
    {
        if (o.datacenter.empty())
            co_return error(errc::invalid_argument,
                            "choose the datacenter of the network volume (RUNPOD_DATACENTER, e.g. EU-RO-1 or US-KS-2; "
                            "it must offer RunPod's S3 API, see docs/runpod.md)")
                .with_provider(provider_name);
        volume = volume_named(*volumes, so.volume_name, o.datacenter);
        if (volume)
            rep.lines.push_back("network volume: found '" + volume->name + "' (" + volume->id + ", " +
                                std::to_string(volume->size_gb) + " GB) in " + volume->datacenter);
        else if (!so.create_volume)
            co_return error(errc::not_found, "no network volume named '" + so.volume_name + "' in " + o.datacenter)
                .with_provider(provider_name);
        else
        {
            auto created = co_await create_volume(a, so.volume_name, o.datacenter, so.volume_size_gb);
            if (!created)
                co_return created.error();
            volume = *created;
            rep.volume_created = true;
            rep.lines.push_back("network volume: created '" + volume->name + "' (" + volume->id + ", " +
                                std::to_string(volume->size_gb) + " GB) in " + volume->datacenter);
        }
    }
    rep.volume_id = volume->id;
    rep.volume_name = volume->name;
    rep.datacenter = volume->datacenter;

    // 3. The S3 API key, with a HeadBucket on the volume.
    storage s3(ex, o);
    auto access = co_await s3.check_access(rep.datacenter, rep.volume_id);
    if (access && *access)
    {
        rep.s3_keys_ok = true;
        rep.lines.push_back("S3 API key: accepted (HeadBucket on " + rep.volume_id + " at s3api-" + rep.datacenter + ")");
    }
    else if (access)
        rep.problems.push_back("the S3 API of " + rep.datacenter + " does not see volume " + rep.volume_id +
                               ": the datacenter may not offer the S3 API (choose one that does, see docs/runpod.md)");
    else if (access.error().is(errc::unauthorized) && access.error().http_status == 0)
        rep.problems.push_back("no S3 API key: create one in the RunPod console (Settings, S3 API Keys) and set "
                               "RUNPOD_S3_ACCESS_KEY_ID and RUNPOD_S3_SECRET_ACCESS_KEY (" + access.error().message + ")");
    else
        rep.problems.push_back("the S3 API key was refused: " + access.error().message);

    // 4. The serverless endpoint, when there is one.
    if (o.endpoint_id.empty())
        rep.lines.push_back("serverless endpoint: none configured (RUNPOD_ENDPOINT_ID); predictions need one running "
                            "examples/runpod_worker");
    else
    {
        prediction p(ex, o);
        auto health = co_await p.health();
        if (health)
        {
            rep.endpoint = *health;
            rep.lines.push_back("serverless endpoint " + o.endpoint_id + ": " + health->summary());
        }
        else
            rep.problems.push_back("serverless endpoint " + o.endpoint_id + ": " + health.error().message);
    }
    co_return rep;
}

} // namespace detail

MLCLOUD_DECL task<setup_report> setup(boost::asio::any_io_executor ex, options const& opts, setup_options so)
{
    return detail::setup_impl(ex, opts, std::move(so));
}

} // namespace runpod
} // namespace mlcloud

#endif

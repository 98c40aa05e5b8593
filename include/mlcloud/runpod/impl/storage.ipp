//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_IMPL_STORAGE_IPP
#define MLCLOUD_RUNPOD_IMPL_STORAGE_IPP

#include <mlcloud/runpod/storage.hpp>

#include <mlcloud/aws/client.hpp>
#include <mlcloud/aws/s3_client.hpp>
#include <mlcloud/runpod/detail/api.hpp>

#include <map>
#include <mutex>

namespace mlcloud {
namespace runpod {
namespace detail {

/// RunPod's S3 API limits (shared/reference/runpod-api.md section 7).
inline aws::s3_limits runpod_s3_limits()
{
    aws::s3_limits l;
    l.min_part_size = 5ull << 20;         // not enforced by RunPod, but kept: fewer requests
    l.max_part_size = 500ull << 20;       // UploadPart <= 500 MB
    l.max_parts = 10000;
    l.max_single_put = (500ull << 20) - 1; // PutObject < 500 MB
    l.max_object_size = 4ull << 40;       // 4 TB
    l.presign = false;                    // presigned URLs are not supported
    return l;
}

struct storage_state
{
    storage_state(boost::asio::any_io_executor ex, options const& o)
        : opts(o), config(auth::runpod_config::load(o.credentials)), http(std::make_shared<net::http_client>(ex, http_options(o)))
    {
    }

    static net::client_options http_options(options const& o)
    {
        net::client_options h = o.http;
        if (!h.retry.classify) // S3 error codes in bodies (SlowDown, InternalError ...), as for AWS
            h.retry.classify = aws::default_http_options().retry.classify;
        h.retry.max_attempts = std::max(h.retry.max_attempts, o.storage.max_attempts);
        return h;
    }

    options opts;
    result<auth::runpod_config> config;
    std::shared_ptr<net::http_client> http;
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<aws::s3_client>> clients; // by datacenter

    /// The S3 client of a datacenter's endpoint (made once).
    result<std::shared_ptr<aws::s3_client>> client_for(std::string const& datacenter)
    {
        if (!config)
            return config.error();
        std::lock_guard lock(mutex);
        if (auto it = clients.find(datacenter); it != clients.end())
            return it->second;
        auto endpoint = config->s3_endpoint(datacenter);
        if (!endpoint)
            return endpoint.error();
        aws::s3_client_options so;
        so.region = auth::runpod_config::s3_region(datacenter);
        so.endpoint = *endpoint;
        auto cfg = *config;
        so.credentials = [cfg]() -> result<auth::aws_credentials> {
            auto c = cfg.s3_credentials();
            if (!c)
            {
                error e = c.error();
                e.with_provider(provider_name);
                return e;
            }
            return c;
        };
        so.addressing = aws::s3_addressing::path_style;
        so.provider = std::string(provider_name);
        so.multipart_threshold = opts.storage.multipart_threshold;
        so.part_size = opts.storage.part_size;
        so.concurrency = opts.storage.concurrency;
        so.download_concurrency = opts.storage.concurrency;
        so.download_chunk_size = opts.storage.download_chunk_size;
        so.list_page_size = opts.storage.list_page_size;
        so.limits = runpod_s3_limits();
        auto client = std::make_shared<aws::s3_client>(http, std::move(so));
        clients.emplace(datacenter, client);
        return client;
    }
};

using storage_ptr = std::shared_ptr<storage_state>;

inline result<storage_uri> resolve_uri(options const& o, storage_uri const& uri)
{
    return resolve_location(o, uri, "the location");
}

inline object_info info_of(storage_uri const& where, aws::s3_object const& o)
{
    object_info info;
    info.uri = storage_uri::runpod_volume(where.datacenter, where.bucket, o.key.empty() ? where.key : o.key);
    info.size = o.size;
    info.etag = o.etag;
    info.last_modified = o.last_modified;
    return info;
}

inline task<object_info> upload_impl(storage_ptr st, std::filesystem::path from, storage_uri to, transfer_options opts)
{
    auto where = resolve_uri(st->opts, to);
    if (!where)
        co_return where.error();
    if (where->key.empty() || where->key.ends_with("/"))
        co_return error(errc::invalid_argument, where->str() + " names a directory, not a file").with_provider(provider_name);
    auto s3 = st->client_for(where->datacenter);
    if (!s3)
        co_return s3.error();
    auto o = co_await (*s3)->upload_file(from, where->bucket, where->key, opts);
    if (!o)
        co_return o.error();
    auto info = info_of(*where, *o);
    info.uri = *where;
    co_return info;
}

inline task<object_info> download_impl(storage_ptr st, storage_uri from, std::filesystem::path to, transfer_options opts)
{
    auto where = resolve_uri(st->opts, from);
    if (!where)
        co_return where.error();
    auto s3 = st->client_for(where->datacenter);
    if (!s3)
        co_return s3.error();
    auto o = co_await (*s3)->download_file(where->bucket, where->key, to, opts);
    if (!o)
        co_return o.error();
    auto info = info_of(*where, *o);
    info.uri = *where;
    co_return info;
}

inline task<std::vector<object_info>> list_impl(storage_ptr st, storage_uri prefix)
{
    auto where = resolve_uri(st->opts, prefix);
    if (!where)
        co_return where.error();
    auto s3 = st->client_for(where->datacenter);
    if (!s3)
        co_return s3.error();
    auto objects = co_await (*s3)->list_all(where->bucket, where->key);
    if (!objects)
    {
        error e = objects.error();
        if (e.is(errc::protocol_error) && e.message.find("repeated a continuation token") != std::string::npos)
            e.message = "RunPod's S3 API sent the same continuation token twice while listing " + where->str() +
                        " (a known RunPod bug on large listings); the listing was stopped rather than looping. "
                        "List a narrower prefix.";
        co_return e;
    }
    std::vector<object_info> out;
    out.reserve(objects->size());
    for (auto const& o : *objects)
        if (!o.key.ends_with("/")) // RunPod lists directories as keys of their own
            out.push_back(info_of(*where, o));
    co_return out;
}

inline task<bool> exists_impl(storage_ptr st, storage_uri uri)
{
    auto where = resolve_uri(st->opts, uri);
    if (!where)
        co_return where.error();
    auto s3 = st->client_for(where->datacenter);
    if (!s3)
        co_return s3.error();
    auto o = co_await (*s3)->head_object(where->bucket, where->key);
    if (o)
        co_return true;
    if (o.error().is(errc::not_found))
        co_return false;
    co_return o.error();
}

inline task<void> remove_impl(storage_ptr st, storage_uri uri)
{
    auto where = resolve_uri(st->opts, uri);
    if (!where)
        co_return where.error();
    auto s3 = st->client_for(where->datacenter);
    if (!s3)
        co_return s3.error();
    co_return co_await (*s3)->delete_object(where->bucket, where->key);
}

inline task<bool> check_access_impl(storage_ptr st, std::string datacenter, std::string volume)
{
    auto s3 = st->client_for(datacenter);
    if (!s3)
        co_return s3.error();
    co_return co_await (*s3)->bucket_exists(volume);
}

} // namespace detail

MLCLOUD_DECL storage::storage(boost::asio::any_io_executor ex, options const& opts)
    : state_(std::make_shared<detail::storage_state>(ex, opts))
{
}

MLCLOUD_DECL task<object_info> storage::upload(std::filesystem::path const& from, storage_uri const& to,
                                               transfer_options const& opts)
{
    return detail::upload_impl(state_, from, to, opts);
}

MLCLOUD_DECL task<object_info> storage::download(storage_uri const& from, std::filesystem::path const& to,
                                                 transfer_options const& opts)
{
    return detail::download_impl(state_, from, to, opts);
}

MLCLOUD_DECL task<std::vector<object_info>> storage::list(storage_uri const& prefix)
{
    return detail::list_impl(state_, prefix);
}

MLCLOUD_DECL task<bool> storage::exists(storage_uri const& uri)
{
    return detail::exists_impl(state_, uri);
}

MLCLOUD_DECL task<void> storage::remove(storage_uri const& uri)
{
    return detail::remove_impl(state_, uri);
}

MLCLOUD_DECL task<bool> storage::check_access(std::string const& datacenter, std::string const& volume_id)
{
    return detail::check_access_impl(state_, datacenter, volume_id);
}

MLCLOUD_DECL result<storage_uri> storage::resolve(storage_uri const& uri) const
{
    return detail::resolve_uri(state_->opts, uri);
}

} // namespace runpod
} // namespace mlcloud

#endif

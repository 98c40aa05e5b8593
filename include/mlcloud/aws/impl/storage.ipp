//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_STORAGE_IPP
#define MLCLOUD_AWS_IMPL_STORAGE_IPP

#include <mlcloud/aws/detail/context.hpp>
#include <mlcloud/aws/storage.hpp>

namespace mlcloud::aws {
namespace storage_impl {

inline std::optional<error> check_uri(storage_uri const& u, std::string_view op)
{
    if (!u.is_s3())
        return error(errc::not_supported, "the AWS backend stores objects in S3; use an s3://bucket/key URI, not " +
                                              u.str())
            .with_provider("aws")
            .with_operation(op);
    if (u.bucket.empty())
        return error(errc::invalid_argument, "the URI names no bucket: " + u.str()).with_provider("aws").with_operation(op);
    return std::nullopt;
}

/// An upload's destination must name an object: S3 would store a key ending in "/" as an
/// object that consoles show as a folder, and an empty key is no object at all.
inline std::optional<error> check_object_key(storage_uri const& u, std::string_view op)
{
    if (u.key.empty() || u.key.ends_with("/"))
        return error(errc::invalid_argument, u.str() + " names a directory, not a file: give the object's whole key")
            .with_provider("aws")
            .with_operation(op);
    return std::nullopt;
}

inline object_info info_of(std::string const& bucket, s3_object const& o)
{
    return object_info{storage_uri::s3(bucket, o.key), o.size, o.etag, o.last_modified};
}

} // namespace storage_impl

MLCLOUD_DECL storage::storage(boost::asio::any_io_executor ex, options const& opts)
    : ctx_(detail::make_context(std::move(ex), opts))
{
}

MLCLOUD_DECL options const& storage::settings() const noexcept
{
    return ctx_->opts;
}

MLCLOUD_DECL result<s3_client*> storage::s3()
{
    if (auto e = ctx_->unusable("s3"))
        return *e;
    return &*ctx_->s3;
}

MLCLOUD_DECL task<object_info> storage::upload(std::filesystem::path const& from, storage_uri const& to,
                                               transfer_options const& opts)
{
    auto ctx = ctx_;
    if (auto e = ctx->unusable("upload"))
        co_return *e;
    if (auto e = storage_impl::check_uri(to, "upload"))
        co_return *e;
    if (auto e = storage_impl::check_object_key(to, "upload"))
        co_return *e;
    auto o = co_await ctx->s3->upload_file(from, to.bucket, to.key, opts);
    if (!o)
        co_return o.error();
    co_return storage_impl::info_of(to.bucket, *o);
}

MLCLOUD_DECL task<object_info> storage::download(storage_uri const& from, std::filesystem::path const& to,
                                                 transfer_options const& opts)
{
    auto ctx = ctx_;
    if (auto e = ctx->unusable("download"))
        co_return *e;
    if (auto e = storage_impl::check_uri(from, "download"))
        co_return *e;
    auto o = co_await ctx->s3->download_file(from.bucket, from.key, to, opts);
    if (!o)
        co_return o.error();
    co_return storage_impl::info_of(from.bucket, *o);
}

MLCLOUD_DECL task<std::vector<object_info>> storage::list(storage_uri const& prefix)
{
    auto ctx = ctx_;
    if (auto e = ctx->unusable("list"))
        co_return *e;
    if (auto e = storage_impl::check_uri(prefix, "list"))
        co_return *e;
    auto all = co_await ctx->s3->list_all(prefix.bucket, prefix.key);
    if (!all)
        co_return all.error();
    std::vector<object_info> out;
    out.reserve(all->size());
    for (auto const& o : *all)
        out.push_back(storage_impl::info_of(prefix.bucket, o));
    co_return out;
}

MLCLOUD_DECL task<bool> storage::exists(storage_uri const& uri)
{
    auto ctx = ctx_;
    if (auto e = ctx->unusable("exists"))
        co_return *e;
    if (auto e = storage_impl::check_uri(uri, "exists"))
        co_return *e;
    auto o = co_await ctx->s3->head_object(uri.bucket, uri.key);
    if (o)
        co_return true;
    if (o.error().is(errc::not_found))
        co_return false;
    co_return o.error();
}

MLCLOUD_DECL task<void> storage::remove(storage_uri const& uri)
{
    auto ctx = ctx_;
    if (auto e = ctx->unusable("remove"))
        co_return *e;
    if (auto e = storage_impl::check_uri(uri, "remove"))
        co_return *e;
    co_return co_await ctx->s3->delete_object(uri.bucket, uri.key);
}

MLCLOUD_DECL result<std::string> storage::presign(storage_uri const& uri, presign_method method,
                                                  std::chrono::seconds expires) const
{
    if (auto e = ctx_->unusable("presign"))
        return *e;
    if (auto e = storage_impl::check_uri(uri, "presign"))
        return *e;
    return ctx_->s3->presign(uri.bucket, uri.key, method, expires);
}

} // namespace mlcloud::aws

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_STORAGE_HPP
#define MLCLOUD_AWS_STORAGE_HPP

#include <mlcloud/aws/options.hpp>
#include <mlcloud/aws/s3_client.hpp>
#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace mlcloud::aws {

namespace detail {
struct backend_context;
} // namespace detail

/// Datasets and models in S3, addressed by `s3://bucket/key` URIs (aws::s3_client does
/// the work: multipart uploads, resumable ranged downloads, paginated listings, presigned
/// URLs). Other URI schemes are errc::not_supported.
class storage
{
public:
    static constexpr capability_set capabilities{capability::presign, capability::multipart, capability::range_read};

    MLCLOUD_DECL explicit storage(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<object_info> upload(std::filesystem::path const& from, storage_uri const& to,
                                          transfer_options const& opts);
    task<object_info> upload(std::filesystem::path const& from, storage_uri const& to)
    {
        return upload(from, to, default_transfer_options());
    }
    MLCLOUD_DECL task<object_info> download(storage_uri const& from, std::filesystem::path const& to,
                                            transfer_options const& opts);
    task<object_info> download(storage_uri const& from, std::filesystem::path const& to)
    {
        return download(from, to, default_transfer_options());
    }
    /// Every object whose key starts with the URI's key, sorted by key.
    MLCLOUD_DECL task<std::vector<object_info>> list(storage_uri const& prefix);
    MLCLOUD_DECL task<bool> exists(storage_uri const& uri);
    MLCLOUD_DECL task<void> remove(storage_uri const& uri);
    MLCLOUD_DECL result<std::string> presign(storage_uri const& uri, presign_method method,
                                             std::chrono::seconds expires) const;

    /// The S3 client underneath, for operations beyond the portable API; errc from the
    /// configuration when the session could not be resolved.
    MLCLOUD_DECL result<s3_client*> s3();

    MLCLOUD_DECL options const& settings() const noexcept;

private:
    std::shared_ptr<detail::backend_context> ctx_;
};

static_assert(storage_provider<storage>);
static_assert(presigning_storage_provider<storage>);

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/storage.ipp>
#endif

#endif

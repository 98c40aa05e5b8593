//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_STORAGE_HPP
#define MLCLOUD_RUNPOD_STORAGE_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/runpod/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace mlcloud {
namespace runpod {

namespace detail {
struct storage_state;
} // namespace detail

/// Files on RunPod network volumes, through RunPod's S3-compatible API (docs/runpod.md).
///
/// `runpod://DATACENTER/VOLUME/key` is object `key` in bucket `VOLUME` of the endpoint
/// https://s3api-<datacenter>.runpod.io, signed (SigV4) for region DATACENTER with the account's
/// S3 API key (RUNPOD_S3_ACCESS_KEY_ID / RUNPOD_S3_SECRET_ACCESS_KEY). A relative path
/// ("datasets/iris.csv", a storage_uri of kind local) names a key on the default volume
/// (options::network_volume_id in options::datacenter).
///
/// It is aws::s3_client with RunPod's limits: PutObject below 500 MB, parts of at most 500 MB,
/// objects up to 4 TB, no presigned URLs (so no capability::presign, and no presign member).
/// Listing stops with errc::protocol_error when the store repeats a continuation token (a
/// RunPod bug on large listings) instead of looping, and leaves out the directory entries
/// RunPod lists. Transient 502s are retried up to `storage_options::max_attempts` times.
class storage
{
public:
    static constexpr capability_set capabilities{capability::multipart};

    MLCLOUD_DECL storage(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<object_info> upload(std::filesystem::path const& from, storage_uri const& to,
                                          transfer_options const& opts = {});
    MLCLOUD_DECL task<object_info> download(storage_uri const& from, std::filesystem::path const& to,
                                            transfer_options const& opts = {});
    MLCLOUD_DECL task<std::vector<object_info>> list(storage_uri const& prefix);
    MLCLOUD_DECL task<bool> exists(storage_uri const& uri);
    MLCLOUD_DECL task<void> remove(storage_uri const& uri);

    /// HeadBucket on a volume with the S3 API key: true when the key may use it, false when no
    /// such volume is reachable there; errc::forbidden or errc::unauthorized for a refused key.
    MLCLOUD_DECL task<bool> check_access(std::string const& datacenter, std::string const& volume_id);

    /// The runpod:// location `uri` stands for (a relative path: on the default volume).
    MLCLOUD_DECL result<storage_uri> resolve(storage_uri const& uri) const;

private:
    std::shared_ptr<detail::storage_state> state_;
};

static_assert(check_storage_provider<storage>());
static_assert(!presigning_storage_provider<storage>);

} // namespace runpod
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/runpod/impl/storage.ipp>
#endif

#endif

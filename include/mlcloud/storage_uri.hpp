//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_STORAGE_URI_HPP
#define MLCLOUD_STORAGE_URI_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>

#include <string>
#include <string_view>

namespace mlcloud {

/// Where a dataset, model or prediction lives.
///
/// Accepted spellings (see docs/storage-uris.md):
///  - `s3://bucket/key`                         — an S3 object or prefix (key taken literally,
///                                                as the AWS CLI does);
///  - `runpod://DATACENTER/volume-id/key`        — a file on a RunPod network volume, e.g.
///                                                `runpod://EU-RO-1/agv6w2qcg7/data/iris.csv`;
///  - `file:///absolute/path` (RFC 8089, percent-encoded) and plain paths — local files.
struct storage_uri
{
    enum class kind
    {
        local,         ///< `path` holds the file system path
        s3,            ///< `bucket` + `key`
        runpod_volume, ///< `datacenter` + `bucket` (the volume id) + `key`
    };

    kind scheme = kind::local;
    std::string bucket;     ///< S3 bucket or RunPod volume id
    std::string datacenter; ///< RunPod datacenter id, upper case (e.g. "EU-RO-1")
    std::string key;        ///< object key (may be empty: the whole bucket) or local path

    /// Parses one of the spellings above; a bad one yields `errc::invalid_argument` with a
    /// message naming what is wrong.
    MLCLOUD_DECL static result<storage_uri> parse(std::string_view text);

    static storage_uri s3(std::string bucket, std::string key)
    {
        return {kind::s3, std::move(bucket), {}, std::move(key)};
    }
    static storage_uri runpod_volume(std::string datacenter, std::string volume_id, std::string key)
    {
        return {kind::runpod_volume, std::move(volume_id), std::move(datacenter), std::move(key)};
    }
    static storage_uri local(std::string path) { return {kind::local, {}, {}, std::move(path)}; }

    bool is_local() const noexcept { return scheme == kind::local; }
    bool is_s3() const noexcept { return scheme == kind::s3; }
    bool is_runpod_volume() const noexcept { return scheme == kind::runpod_volume; }

    /// The same location with `name` appended to the key (a '/' is inserted when needed).
    MLCLOUD_DECL storage_uri child(std::string_view name) const;

    /// The last path segment of the key ("" for a bucket root).
    MLCLOUD_DECL std::string_view filename() const noexcept;

    /// The canonical spelling: parse(u.str()) == u.
    MLCLOUD_DECL std::string str() const;

    friend bool operator==(storage_uri const&, storage_uri const&) = default;
};

} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/impl/storage_uri.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_STORAGE_HPP
#define MLCLOUD_LOCAL_STORAGE_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/local/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <vector>

namespace mlcloud {
namespace local {

/// Storage in a directory: a key is a path below `options::root`.
///
/// Keys are relative paths ("data/iris.csv"), or absolute paths and file:// URIs that lie below
/// the root. Nothing outside the root is reachable: ".." segments, absolute paths elsewhere,
/// symbolic links that lead out, NUL bytes and the reserved `.mlcloud/` directory are refused,
/// and s3:// or runpod:// URIs are `invalid_argument`. Writes are atomic (temporary file in the
/// destination directory, fsync, rename), so readers see the old object or the new one, never
/// a part. ETags are the MD5 of the content, as S3 reports for single-part objects.
///
/// Copies are done in steps of `options::copy_chunk_bytes` that yield to the executor in
/// between. The object is stateless apart from its options and may be shared by coroutines.
class storage
{
public:
    static constexpr capability_set capabilities{};

    MLCLOUD_DECL explicit storage(boost::asio::any_io_executor ex, options const& opts = {});

    /// Copies a local file to `to`. A missing source is `not_found`; an unreadable one `io_error`.
    MLCLOUD_DECL task<object_info> upload(std::filesystem::path const& from, storage_uri const& to,
                                          transfer_options const& opts);
    task<object_info> upload(std::filesystem::path const& from, storage_uri const& to)
    {
        return upload(from, to, default_transfer_options());
    }

    /// Copies an object to the caller's path `to` (parent directories are created), atomically.
    MLCLOUD_DECL task<object_info> download(storage_uri const& from, std::filesystem::path const& to,
                                            transfer_options const& opts);
    task<object_info> download(storage_uri const& from, std::filesystem::path const& to)
    {
        return download(from, to, default_transfer_options());
    }

    /// The files whose keys start with `prefix` (as S3 prefixes do: "data/ir" matches
    /// "data/iris.csv"), recursively, sorted by key. A prefix that matches nothing gives an empty
    /// list. Reads every listed file once to compute its ETag.
    MLCLOUD_DECL task<std::vector<object_info>> list(storage_uri const& prefix);

    /// True when the key names a file (a directory is not an object).
    MLCLOUD_DECL task<bool> exists(storage_uri const& uri);

    /// Deletes one object; removing a missing object succeeds.
    MLCLOUD_DECL task<void> remove(storage_uri const& uri);

    /// The absolute path an object key stands for, after the same checks as every operation.
    MLCLOUD_DECL result<std::filesystem::path> path_of(storage_uri const& uri) const;

    /// The key `uri` names, as the operations read it: normalised ("./a//b/" is "a/b/"), and an
    /// absolute path or file:// URI below the root as the key relative to it. A folder (ending
    /// in '/') or the root itself (empty) are keys here too; the checks are those of `list`.
    MLCLOUD_DECL result<std::string> key_of(storage_uri const& uri) const;

    /// The options in effect (defaults filled in, paths absolute).
    options const& settings() const noexcept { return opts_; }

private:
    boost::asio::any_io_executor ex_;
    options opts_;
};

static_assert(storage_provider<storage>);
static_assert(check_storage_provider<storage>());

} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/storage.ipp>
#endif

#endif

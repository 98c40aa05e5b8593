//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_DETAIL_ROOT_HPP
#define MLCLOUD_LOCAL_DETAIL_ROOT_HPP

// Root confinement: the one place that turns a storage_uri into a path below the root.
// Storage, training (dataset, output) and prediction (model, input) all go through it.

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/local/options.hpp>
#include <mlcloud/storage_uri.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace mlcloud {
namespace local {
namespace detail {

/// The top-level directory below the root that belongs to mlcloud itself (job state):
/// storage refuses keys inside it and never lists it.
inline constexpr std::string_view reserved_dir = ".mlcloud";

/// `o` with the defaults filled in and every path made absolute.
MLCLOUD_DECL options resolve(options o);

/// Creates the root when missing and returns its canonical path.
MLCLOUD_DECL result<std::filesystem::path> open_root(std::filesystem::path const& root);

/// How a URI is used: an object names one file; a prefix may be empty (the whole root) and may
/// end in '/'.
enum class key_use
{
    object,
    prefix,
};

/// A key below the root.
struct location
{
    std::string key;            ///< normalized: no "." or empty segments; "" is the root itself
    std::filesystem::path path; ///< canonical root / key
};

/// Resolves `uri` below `root` (canonical, from open_root). Refuses, with invalid_argument:
/// s3:// and runpod:// URIs, NUL bytes, ".." segments, an object key naming the root or ending
/// in '/'; with forbidden: absolute paths outside the root, keys that leave the root through a
/// symbolic link, keys inside the reserved `.mlcloud` directory and names that start with the
/// prefix of temporary files.
MLCLOUD_DECL result<location> locate(std::filesystem::path const& root, storage_uri const& uri, key_use use);

/// locate() of an object a child process reads or writes (dataset, output, model, input):
/// s3:// and runpod:// URIs are not_supported, with the advice to copy them to local storage.
MLCLOUD_DECL result<location> locate_for_process(std::filesystem::path const& root, storage_uri const& uri,
                                                 std::string_view role);

/// True when `p` is `root` or below it (both absolute and normalized).
MLCLOUD_DECL bool is_within(std::filesystem::path const& p, std::filesystem::path const& root);

/// Where `p` (below `root`) really leads once the symbolic links that exist are followed:
/// forbidden when that is outside the root or inside the reserved directory.
MLCLOUD_DECL result<void> check_confined(std::filesystem::path const& p, std::filesystem::path const& root,
                                         std::string_view shown);

} // namespace detail
} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/root.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_FILES_HPP
#define MLCLOUD_AWS_DETAIL_FILES_HPP

// File helpers of the S3 transfers: hashing a byte range of a file through a fixed buffer
// (so a part is hashed without being held in memory), appending downloaded bytes.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::aws::detail {

/// Lower-case hex SHA-256 of `length` bytes of `path` from `offset` (to the end when unset),
/// read 64 KiB at a time. errc::io_error when the file cannot be read or is shorter.
MLCLOUD_DECL result<std::string> hash_file_range(std::filesystem::path const& path, std::uint64_t offset,
                                                 std::optional<std::uint64_t> length);

/// Appends `bytes` to `path` (created when missing) and flushes. errc::io_error on failure.
MLCLOUD_DECL result<void> append_to_file(std::filesystem::path const& path, std::string_view bytes);

/// The whole (small) file; errc::io_error when it cannot be read, errc::not_found when missing.
MLCLOUD_DECL result<std::string> read_small_file(std::filesystem::path const& path, std::uint64_t max_size = 1 << 20);

/// Writes `bytes` to `path` through a temporary file and a rename.
MLCLOUD_DECL result<void> write_file_atomically(std::filesystem::path const& path, std::string_view bytes);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/files.ipp>
#endif

#endif

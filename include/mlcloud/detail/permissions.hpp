//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_DETAIL_PERMISSIONS_HPP
#define MLCLOUD_DETAIL_PERMISSIONS_HPP

// Files are written whole to a temporary name and renamed over their destination (never a
// half-written file in its place). The rename replaces the destination's permissions too,
// with those the temporary file was created with; this keeps the old ones.

#include <filesystem>

#include <sys/stat.h>

namespace mlcloud::detail {

/// Gives `replacement` the read, write and execute bits of the regular file at `destination`,
/// when there is one: a private (0600) file replaced by a download must not become readable by
/// others. Set-user-ID, set-group-ID and sticky bits are not carried over to content that came
/// from elsewhere.
inline void keep_permissions(std::filesystem::path const& destination, std::filesystem::path const& replacement) noexcept
{
    struct stat existing{};
    if (::stat(destination.c_str(), &existing) == 0 && S_ISREG(existing.st_mode))
        (void)::chmod(replacement.c_str(), existing.st_mode & 0777);
}

} // namespace mlcloud::detail

#endif

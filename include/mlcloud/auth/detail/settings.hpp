//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_DETAIL_SETTINGS_HPP
#define MLCLOUD_AUTH_DETAIL_SETTINGS_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/auth/environment.hpp>

#include <filesystem>
#include <optional>
#include <string_view>

namespace mlcloud::auth::detail {

/// The user's home directory: HOME, else USERPROFILE, else HOMEDRIVE + HOMEPATH.
MLCLOUD_DECL std::optional<std::filesystem::path> home_directory(environment const& env);

/// True for an absolute http:// or https:// URL with a host (Boost.URL's RFC 3986 parser),
/// without user info (which could carry a password) and without a fragment.
MLCLOUD_DECL bool is_http_url(std::string_view s) noexcept;

} // namespace mlcloud::auth::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/settings.ipp>
#endif

#endif

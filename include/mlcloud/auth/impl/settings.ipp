//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_SETTINGS_IPP
#define MLCLOUD_AUTH_IMPL_SETTINGS_IPP

#include <mlcloud/auth/detail/settings.hpp>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace mlcloud::auth::detail {

MLCLOUD_DECL bool is_http_url(std::string_view s) noexcept
{
    auto u = boost::urls::parse_absolute_uri(boost::urls::string_view(s.data(), s.size()));
    if (!u)
        return false;
    auto const scheme = u->scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
        return false;
    return u->has_authority() && !u->encoded_host().empty() && !u->has_userinfo();
}

MLCLOUD_DECL std::optional<std::filesystem::path> home_directory(environment const& env)
{
    if (auto h = env.get("HOME"))
        return std::filesystem::path(*h);
    if (auto h = env.get("USERPROFILE"))
        return std::filesystem::path(*h);
    auto drive = env.get("HOMEDRIVE");
    auto path = env.get("HOMEPATH");
    if (drive && path)
        return std::filesystem::path(*drive + *path);
    return std::nullopt;
}

} // namespace mlcloud::auth::detail

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_ENVIRONMENT_IPP
#define MLCLOUD_AUTH_IMPL_ENVIRONMENT_IPP

#include <mlcloud/auth/environment.hpp>

#include <cstdlib>

namespace mlcloud::auth {

MLCLOUD_DECL environment environment::process()
{
    return environment([](std::string_view name) -> std::optional<std::string> {
        // getenv needs a NUL-terminated name.
        std::string const key(name);
        if (char const* v = std::getenv(key.c_str()))
            return std::string(v);
        return std::nullopt;
    });
}

MLCLOUD_DECL environment environment::from_map(map_type vars)
{
    return environment([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        if (auto it = vars.find(name); it != vars.end())
            return it->second;
        return std::nullopt;
    });
}

MLCLOUD_DECL std::optional<std::string> environment::get(std::string_view name) const
{
    if (!lookup_)
        return std::nullopt;
    auto v = lookup_(name);
    if (v && v->empty())
        return std::nullopt;
    return v;
}

} // namespace mlcloud::auth

#endif

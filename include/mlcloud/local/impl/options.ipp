//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_OPTIONS_IPP
#define MLCLOUD_LOCAL_IMPL_OPTIONS_IPP

#include <mlcloud/local/options.hpp>

#include <cstdlib>

namespace mlcloud {
namespace local {

MLCLOUD_DECL std::filesystem::path default_root()
{
    if (char const* home = std::getenv("MLCLOUD_HOME"); home && *home)
        return home;
    if (char const* home = std::getenv("HOME"); home && *home)
        return std::filesystem::path(home) / ".mlcloud" / "local";
    return {};
}

} // namespace local
} // namespace mlcloud

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_DETAIL_WORDS_HPP
#define MLCLOUD_MESSAGES_DETAIL_WORDS_HPP

// Small pieces of wording shared by the cost and template bodies.

#include <mlcloud/types.hpp>

#include <cstdio>
#include <string>
#include <string_view>

namespace mlcloud {
namespace messages {
namespace detail {

/// `v` with exactly `digits` decimals ("%.*f").
inline std::string fixed(double v, int digits)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
    return buffer;
}

/// The provider's own words for a market: RunPod sells secure and community cloud.
inline std::string_view market_words(std::string_view provider, market m) noexcept
{
    if (provider == "runpod")
        return m == market::spot ? "community cloud" : "secure cloud";
    return m == market::spot ? "spot" : "on-demand";
}

} // namespace detail
} // namespace messages
} // namespace mlcloud

#endif

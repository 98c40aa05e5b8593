//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_DETAIL_UTF8_HPP
#define MLCLOUD_DETAIL_UTF8_HPP

// Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, at most U+10FFFF.
// Header-only and dependency-free, so the example trainer uses it too.

#include <cstddef>
#include <string_view>

namespace mlcloud::detail {

/// Length of the valid UTF-8 sequence at `s[i]`, or 0 when it is not one.
inline std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept
{
    auto const b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    auto const cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
    unsigned char const c = b(i);
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF)
    {
        if (!cont(i + 1) || !cont(i + 2))
            return 0;
        if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F)) // overlong, surrogates
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4)
    {
        if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3))
            return 0;
        if ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

/// Whether all of `s` is well-formed UTF-8.
inline bool valid_utf8(std::string_view s) noexcept
{
    for (std::size_t i = 0; i < s.size();)
    {
        auto const n = utf8_sequence(s, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

} // namespace mlcloud::detail

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_SECRET_IPP
#define MLCLOUD_AUTH_IMPL_SECRET_IPP

#include <mlcloud/auth/secret.hpp>

#include <mlcloud/auth/detail/wipe.hpp>

#include <openssl/crypto.h>

#include <cstdint>
#include <cstring>
#include <ostream>

namespace mlcloud::auth {

MLCLOUD_DECL secret_string::secret_string(secret_string const& other) : value_(other.value_) {}

MLCLOUD_DECL secret_string::secret_string(secret_string&& other) noexcept : value_(other.value_)
{
    // Copy then wipe rather than move: a moved-from small string keeps its bytes in the
    // SSO buffer, and a moved string would leave nothing to wipe in `other`.
    other.clear();
}

MLCLOUD_DECL secret_string& secret_string::operator=(secret_string const& other)
{
    if (this != &other)
    {
        clear();
        value_ = other.value_;
    }
    return *this;
}

MLCLOUD_DECL secret_string& secret_string::operator=(secret_string&& other) noexcept
{
    if (this != &other)
    {
        clear();
        value_ = other.value_;
        other.clear();
    }
    return *this;
}

MLCLOUD_DECL secret_string::~secret_string() { clear(); }

MLCLOUD_DECL void secret_string::clear() noexcept { detail::wipe(value_); }

MLCLOUD_DECL bool operator==(secret_string const& a, secret_string const& b) noexcept
{
    // Constant time for a given length (CRYPTO_memcmp, word by word for speed: the signer's
    // key cache compares secrets on every signature).
    std::size_t const n = a.value_.size();
    if (n != b.value_.size())
        return false;
    char const* pa = a.value_.data();
    char const* pb = b.value_.data();
    std::uint64_t diff = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8)
    {
        std::uint64_t x, y;
        std::memcpy(&x, pa + i, 8);
        std::memcpy(&y, pb + i, 8);
        diff |= x ^ y;
    }
    int const tail = CRYPTO_memcmp(pa + i, pb + i, n - i);
    return (diff | static_cast<std::uint64_t>(tail != 0)) == 0;
}

MLCLOUD_DECL std::string to_string(secret_string const& s)
{
    return s.empty() ? "<none>" : "<redacted>";
}

MLCLOUD_DECL std::ostream& operator<<(std::ostream& os, secret_string const& s)
{
    return os << (s.empty() ? "<none>" : "<redacted>");
}

MLCLOUD_DECL std::string mask_identifier(std::string_view id)
{
    constexpr std::size_t shown = 4;
    if (id.size() <= shown)
        return std::string(id.size(), '*');
    std::string out(id.size() - shown, '*');
    out.append(id.substr(id.size() - shown));
    return out;
}

} // namespace mlcloud::auth

#endif

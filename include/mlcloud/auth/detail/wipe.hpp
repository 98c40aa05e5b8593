//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_DETAIL_WIPE_HPP
#define MLCLOUD_AUTH_DETAIL_WIPE_HPP

#include <openssl/crypto.h>

#include <string>

namespace mlcloud::auth::detail {

// Overwrites the whole buffer (capacity, not only size) so that no copy of a secret survives
// in the string's own storage, then empties the string.
inline void wipe(std::string& s) noexcept
{
    if (s.capacity() != 0)
        OPENSSL_cleanse(s.data(), s.capacity());
    s.clear();
}

} // namespace mlcloud::auth::detail

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_DETAIL_CRYPTO_HPP
#define MLCLOUD_AUTH_DETAIL_CRYPTO_HPP

#include <mlcloud/config.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

// Thin wrappers over OpenSSL 3 EVP (SHA-256, HMAC-SHA256). The algorithms are fetched once
// per process and the contexts are kept per thread, because OpenSSL 3's implicit fetch on
// every call costs more than hashing a canonical request.
namespace mlcloud::auth::detail {

using sha256_digest = std::array<unsigned char, 32>;

MLCLOUD_DECL sha256_digest sha256(std::string_view data);

MLCLOUD_DECL sha256_digest hmac_sha256(unsigned char const* key, std::size_t key_size, std::string_view data);

inline sha256_digest hmac_sha256(sha256_digest const& key, std::string_view data)
{
    return hmac_sha256(key.data(), key.size(), data);
}

/// Appends the lower-case hex form of `size` bytes.
MLCLOUD_DECL void append_hex(std::string& out, unsigned char const* data, std::size_t size);

inline std::string to_hex(sha256_digest const& d)
{
    std::string s;
    append_hex(s, d.data(), d.size());
    return s;
}

/// Incremental SHA-256 over an EVP_MD_CTX (for bodies hashed while they are read).
class sha256_stream
{
public:
    MLCLOUD_DECL sha256_stream();
    MLCLOUD_DECL ~sha256_stream();
    sha256_stream(sha256_stream const&) = delete;
    sha256_stream& operator=(sha256_stream const&) = delete;
    MLCLOUD_DECL sha256_stream(sha256_stream&& other) noexcept;
    MLCLOUD_DECL sha256_stream& operator=(sha256_stream&& other) noexcept;

    MLCLOUD_DECL void update(void const* data, std::size_t size);
    /// The digest of everything so far; the stream starts over afterwards.
    MLCLOUD_DECL sha256_digest finish();

private:
    void* ctx_ = nullptr; // EVP_MD_CTX*, kept opaque so that this header needs no OpenSSL include
};

} // namespace mlcloud::auth::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/crypto.ipp>
#endif

#endif

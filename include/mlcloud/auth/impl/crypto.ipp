//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_CRYPTO_IPP
#define MLCLOUD_AUTH_IMPL_CRYPTO_IPP

#include <mlcloud/auth/detail/crypto.hpp>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/opensslconf.h>
#include <openssl/params.h>

#include <openssl/crypto.h>

// SigV4's one-shot SHA-256 and HMAC go through OpenSSL's SHA256_* and HMAC_* functions where
// the installation still has them (deprecated in 3.0, not removed): for the few hundred bytes
// of a canonical request EVP's dispatch costs a fifth of the hashing, and EVP_MAC_init copies
// a digest context (an allocation) even to reuse its key. Without them, EVP does the same work.
#if !defined(OPENSSL_NO_DEPRECATED_3_0)
#define MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL 1
#include <openssl/hmac.h>
#include <openssl/sha.h>
#else
#define MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL 0
#endif

#if MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL && defined(__GNUC__)
#define MLCLOUD_DETAIL_ALLOW_DEPRECATED_BEGIN                                                                          \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
#define MLCLOUD_DETAIL_ALLOW_DEPRECATED_END _Pragma("GCC diagnostic pop")
#else
#define MLCLOUD_DETAIL_ALLOW_DEPRECATED_BEGIN
#define MLCLOUD_DETAIL_ALLOW_DEPRECATED_END
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>

namespace mlcloud::auth::detail {
namespace crypto_impl {

// OpenSSL failures here mean memory exhaustion or a broken installation (SHA-256 and HMAC
// are always present in the default provider); they are not request errors.
[[noreturn]] inline void fail(char const* what)
{
    throw std::runtime_error(std::string("mlcloud: OpenSSL ") + what + " failed");
}

inline EVP_MD* sha256_md()
{
    // Fetched once; deliberately never freed (it lives as long as the process).
    static EVP_MD* md = [] {
        EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (!m)
            fail("EVP_MD_fetch(SHA256)");
        return m;
    }();
    return md;
}

#if MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL
MLCLOUD_DETAIL_ALLOW_DEPRECATED_BEGIN
struct hmac_ctx_deleter
{
    void operator()(HMAC_CTX* c) const noexcept { HMAC_CTX_free(c); }
};

// One HMAC context per thread; HMAC_Init_ex without a key keeps the one it has.
inline HMAC_CTX* thread_hmac_ctx()
{
    thread_local std::unique_ptr<HMAC_CTX, hmac_ctx_deleter> ctx(HMAC_CTX_new());
    if (!ctx)
        throw std::bad_alloc();
    return ctx.get();
}
MLCLOUD_DETAIL_ALLOW_DEPRECATED_END
#else
struct md_ctx_deleter
{
    void operator()(EVP_MD_CTX* c) const noexcept { EVP_MD_CTX_free(c); }
};
// One digest context per thread, reused for every one-shot hash.
inline EVP_MD_CTX* thread_md_ctx()
{
    thread_local std::unique_ptr<EVP_MD_CTX, md_ctx_deleter> ctx(EVP_MD_CTX_new());
    if (!ctx)
        throw std::bad_alloc();
    return ctx.get();
}

inline EVP_MAC* hmac_mac()
{
    static EVP_MAC* mac = [] {
        EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (!m)
            fail("EVP_MAC_fetch(HMAC)");
        return m;
    }();
    return mac;
}

struct mac_ctx_deleter
{
    void operator()(EVP_MAC_CTX* c) const noexcept { EVP_MAC_CTX_free(c); }
};

// One HMAC-SHA256 context per thread. The digest is set once here: passing it again on every
// EVP_MAC_init would make OpenSSL fetch SHA-256 by name each time.
inline EVP_MAC_CTX* thread_hmac_ctx()
{
    thread_local std::unique_ptr<EVP_MAC_CTX, mac_ctx_deleter> ctx([] {
        EVP_MAC_CTX* c = EVP_MAC_CTX_new(hmac_mac());
        if (!c)
            throw std::bad_alloc();
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
            OSSL_PARAM_construct_end(),
        };
        if (EVP_MAC_CTX_set_params(c, params) != 1)
        {
            EVP_MAC_CTX_free(c);
            fail("EVP_MAC_CTX_set_params(HMAC digest)");
        }
        return c;
    }());
    return ctx.get();
}

#endif

} // namespace crypto_impl

MLCLOUD_DECL sha256_digest sha256(std::string_view data)
{
    sha256_digest out{};
#if MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL
    MLCLOUD_DETAIL_ALLOW_DEPRECATED_BEGIN
    SHA256_CTX ctx;
    bool const ok = SHA256_Init(&ctx) == 1 && SHA256_Update(&ctx, data.data(), data.size()) == 1 &&
                    SHA256_Final(out.data(), &ctx) == 1;
    MLCLOUD_DETAIL_ALLOW_DEPRECATED_END
#else
    EVP_MD_CTX* ctx = crypto_impl::thread_md_ctx();
    unsigned int len = 0;
    bool const ok = EVP_DigestInit_ex2(ctx, crypto_impl::sha256_md(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size();
#endif
    if (!ok)
        crypto_impl::fail("SHA-256");
    return out;
}

MLCLOUD_DECL sha256_digest hmac_sha256(unsigned char const* key, std::size_t key_size, std::string_view data)
{
    // Re-keying costs as much as the MAC of a string to sign, and a thread signs with the same
    // derived key over and over: remember the last 32-byte key and only reset the context
    // (initialised without a key, it keeps the one it has) when the same key comes again.
    thread_local std::array<unsigned char, 32> last_key{};
    thread_local bool have_last_key = false;

    // A plain comparison: whether this thread's previous key equals the current one is no
    // secret worth a constant-time compare.
    bool const same_key = have_last_key && key_size == last_key.size() &&
                          std::memcmp(key, last_key.data(), last_key.size()) == 0;
    have_last_key = false; // stays false if anything below fails
    sha256_digest out{};
#if MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL
    MLCLOUD_DETAIL_ALLOW_DEPRECATED_BEGIN
    if (key_size > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        crypto_impl::fail("HMAC-SHA256 (key size)");
    HMAC_CTX* ctx = crypto_impl::thread_hmac_ctx();
    unsigned int len = 0;
    int const init_ok = same_key ? HMAC_Init_ex(ctx, nullptr, 0, nullptr, nullptr)
                                 : HMAC_Init_ex(ctx, key, static_cast<int>(key_size), crypto_impl::sha256_md(), nullptr);
    bool const ok = init_ok == 1 &&
                    HMAC_Update(ctx, reinterpret_cast<unsigned char const*>(data.data()), data.size()) == 1 &&
                    HMAC_Final(ctx, out.data(), &len) == 1 && len == out.size();
    MLCLOUD_DETAIL_ALLOW_DEPRECATED_END
#else
    EVP_MAC_CTX* ctx = crypto_impl::thread_hmac_ctx();
    std::size_t len = 0;
    int const init_ok = same_key ? EVP_MAC_init(ctx, nullptr, 0, nullptr) : EVP_MAC_init(ctx, key, key_size, nullptr);
    bool const ok = init_ok == 1 &&
                    EVP_MAC_update(ctx, reinterpret_cast<unsigned char const*>(data.data()), data.size()) == 1 &&
                    EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
#endif
    if (!ok)
        crypto_impl::fail("HMAC-SHA256");
    if (key_size == last_key.size())
    {
        std::copy_n(key, key_size, last_key.begin());
        have_last_key = true;
    }
    return out;
}

namespace crypto_impl {

// The two lower-case hex digits of every byte value.
struct hex_table
{
    std::array<char, 512> pairs{};
    constexpr hex_table() noexcept
    {
        constexpr char digits[] = "0123456789abcdef";
        for (int i = 0; i < 256; ++i)
        {
            pairs[static_cast<std::size_t>(2 * i)] = digits[i >> 4];
            pairs[static_cast<std::size_t>(2 * i + 1)] = digits[i & 15];
        }
    }
};
inline constexpr hex_table hex{};

} // namespace crypto_impl

MLCLOUD_DECL void append_hex(std::string& out, unsigned char const* data, std::size_t size)
{
    std::size_t const at = out.size();
    out.resize(at + 2 * size);
    char* p = out.data() + at;
    for (std::size_t i = 0; i < size; ++i, p += 2)
        std::memcpy(p, crypto_impl::hex.pairs.data() + 2 * data[i], 2);
}

MLCLOUD_DECL sha256_stream::sha256_stream()
{
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    if (!c)
        throw std::bad_alloc();
    if (EVP_DigestInit_ex2(c, crypto_impl::sha256_md(), nullptr) != 1)
    {
        EVP_MD_CTX_free(c);
        crypto_impl::fail("SHA-256 init");
    }
    ctx_ = c;
}

MLCLOUD_DECL sha256_stream::~sha256_stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

MLCLOUD_DECL sha256_stream::sha256_stream(sha256_stream&& other) noexcept : ctx_(other.ctx_)
{
    other.ctx_ = nullptr;
}

MLCLOUD_DECL sha256_stream& sha256_stream::operator=(sha256_stream&& other) noexcept
{
    if (this != &other)
    {
        EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
        ctx_ = other.ctx_;
        other.ctx_ = nullptr;
    }
    return *this;
}

MLCLOUD_DECL void sha256_stream::update(void const* data, std::size_t size)
{
    if (!ctx_)
        throw std::logic_error("mlcloud: sha256_stream used after move");
    if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size) != 1)
        crypto_impl::fail("SHA-256 update");
}

MLCLOUD_DECL sha256_digest sha256_stream::finish()
{
    if (!ctx_)
        throw std::logic_error("mlcloud: sha256_stream used after move");
    auto* c = static_cast<EVP_MD_CTX*>(ctx_);
    sha256_digest out{};
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(c, out.data(), &len) != 1 || len != out.size() ||
        EVP_DigestInit_ex2(c, crypto_impl::sha256_md(), nullptr) != 1)
        crypto_impl::fail("SHA-256 final");
    return out;
}

} // namespace mlcloud::auth::detail

#undef MLCLOUD_DETAIL_ALLOW_DEPRECATED_BEGIN
#undef MLCLOUD_DETAIL_ALLOW_DEPRECATED_END
#undef MLCLOUD_DETAIL_OPENSSL_LOW_LEVEL

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The one-message MD5 of md5_lanes.hpp and the choice of the eight-lane one for this CPU.

// One message goes through OpenSSL's assembly block function, reached through the low-level
// MD5_CTX API (deprecated in OpenSSL 3, still there): EVP hides the chaining state, which the
// engine must carry between this function and the lanes.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "md5_lanes.hpp"

#include <openssl/md5.h>

namespace md5_lanes {

void md5_blocks_x1(std::uint32_t* state, unsigned char const* data, std::size_t blocks)
{
    MD5_CTX c;
    MD5_Init(&c);
    c.A = state[0];
    c.B = state[1];
    c.C = state[2];
    c.D = state[3];
    MD5_Update(&c, data, blocks * block_size); // whole blocks: nothing is left buffered in `c`
    state[0] = c.A;
    state[1] = c.B;
    state[2] = c.C;
    state[3] = c.D;
}

void md5_blocks_x8_avx2(std::uint32_t* const* state, unsigned char const* const* data, std::size_t blocks);
void md5_blocks_x8_avx512(std::uint32_t* const* state, unsigned char const* const* data, std::size_t blocks);

namespace {

using x8_function = void (*)(std::uint32_t* const*, unsigned char const* const*, std::size_t);

x8_function best_x8()
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
        return md5_blocks_x8_avx512;
    if (__builtin_cpu_supports("avx2"))
        return md5_blocks_x8_avx2;
    return nullptr;
}

x8_function const x8 = best_x8();

} // namespace

void md5_blocks_x8(std::uint32_t* const* state, unsigned char const* const* data, std::size_t blocks)
{
    x8(state, data, blocks);
}

bool x8_available() { return x8 != nullptr; }

char const* x8_name()
{
    return x8 == md5_blocks_x8_avx512 ? "AVX-512VL" : x8 == md5_blocks_x8_avx2 ? "AVX2" : "none";
}

} // namespace md5_lanes

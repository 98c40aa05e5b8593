//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The eight-lane MD5 of md5_lanes.hpp, included by md5_lanes_avx2.cpp (-mavx2) and
// md5_lanes_avx512.cpp (-mavx512f -mavx512vl), MD5_LANES_X8 naming the function and
// MD5_LANES_NS its helpers' namespace; with
// AVX-512VL the round functions are one ternary-logic instruction and the rotation one
// instruction, which shortens each step's chain of dependent instructions.

#include "md5_lanes.hpp"

#include <immintrin.h>

namespace md5_lanes {
namespace MD5_LANES_NS {

// Eight 32-bit words, one per lane.
struct v8
{
    __m256i x;
};

inline v8 operator+(v8 a, v8 b) { return {_mm256_add_epi32(a.x, b.x)}; }
inline v8 operator&(v8 a, v8 b) { return {_mm256_and_si256(a.x, b.x)}; }
inline v8 operator|(v8 a, v8 b) { return {_mm256_or_si256(a.x, b.x)}; }
inline v8 operator^(v8 a, v8 b) { return {_mm256_xor_si256(a.x, b.x)}; }
inline v8 operator~(v8 a) { return {_mm256_xor_si256(a.x, _mm256_set1_epi32(-1))}; }

#ifdef __AVX512VL__
template <int S>
inline v8 rotl(v8 a)
{
    return {_mm256_rol_epi32(a.x, S)};
}

// The truth tables of F, G, H and I over (b, c, d) as the immediate of vpternlogd.
inline v8 round_f(v8 const& b, v8 const& c, v8 const& d) { return {_mm256_ternarylogic_epi32(b.x, c.x, d.x, 0xca)}; }
inline v8 round_g(v8 const& b, v8 const& c, v8 const& d) { return {_mm256_ternarylogic_epi32(b.x, c.x, d.x, 0xe4)}; }
inline v8 round_h(v8 const& b, v8 const& c, v8 const& d) { return {_mm256_ternarylogic_epi32(b.x, c.x, d.x, 0x96)}; }
inline v8 round_i(v8 const& b, v8 const& c, v8 const& d) { return {_mm256_ternarylogic_epi32(b.x, c.x, d.x, 0x39)}; }
#else
template <int S>
inline v8 rotl(v8 a)
{
    return {_mm256_or_si256(_mm256_slli_epi32(a.x, S), _mm256_srli_epi32(a.x, 32 - S))};
}
#endif

// Rows r[0..7] (eight words of one lane each) to columns: r[j] becomes word j of every lane.
inline void transpose(__m256i* r)
{
    __m256i t[8], u[8];
    for (int i = 0; i < 8; i += 2)
    {
        t[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4)
    {
        u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int i = 0; i < 4; ++i)
    {
        r[i] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x20);
        r[i + 4] = _mm256_permute2x128_si256(u[i], u[i + 4], 0x31);
    }
}

} // namespace MD5_LANES_NS
} // namespace md5_lanes

// After v8's operators: md5_rounds' templates find them by argument-dependent lookup.
#include "md5_rounds.hpp"

namespace md5_lanes {

void MD5_LANES_X8(std::uint32_t* const* state, unsigned char const* const* data, std::size_t blocks)
{
    using MD5_LANES_NS::v8;
    alignas(32) std::uint32_t gather[4][8];
    for (std::size_t lane = 0; lane < width; ++lane)
        for (int w = 0; w < 4; ++w)
            gather[w][lane] = state[lane][w];
    v8 s[4];
    for (int w = 0; w < 4; ++w)
        s[w].x = _mm256_load_si256(reinterpret_cast<__m256i const*>(gather[w]));
    auto broadcast = [](std::uint32_t c) { return v8{_mm256_set1_epi32(static_cast<int>(c))}; };

    for (std::size_t b = 0; b < blocks; ++b)
    {
        __m256i lo[8], hi[8];
        for (std::size_t lane = 0; lane < width; ++lane)
        {
            auto const* p = reinterpret_cast<__m256i const*>(data[lane] + b * block_size);
            lo[lane] = _mm256_loadu_si256(p);
            hi[lane] = _mm256_loadu_si256(p + 1);
        }
        MD5_LANES_NS::transpose(lo);
        MD5_LANES_NS::transpose(hi);
        v8 m[16];
        for (int j = 0; j < 8; ++j)
        {
            m[j].x = lo[j];
            m[j + 8].x = hi[j];
        }
        md5_rounds::compress(s, m, broadcast);
    }

    for (int w = 0; w < 4; ++w)
        _mm256_store_si256(reinterpret_cast<__m256i*>(gather[w]), s[w].x);
    for (std::size_t lane = 0; lane < width; ++lane)
        for (int w = 0; w < 4; ++w)
            state[lane][w] = gather[w][lane];
}

} // namespace md5_lanes

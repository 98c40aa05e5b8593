//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// MD5's compression function (RFC 1321) over a SIMD vector type `W` of 32-bit lanes: as many
// messages side by side as W has lanes, each lane its own message, in the same step. W needs
// +, &, |, ^, ~ and rotl<s>(W), found by argument-dependent lookup.

#ifndef MLCLOUD_BENCH_S3_MD5_ROUNDS_HPP
#define MLCLOUD_BENCH_S3_MD5_ROUNDS_HPP

#include <array>
#include <cstdint>
#include <utility>

namespace md5_rounds {

// floor(abs(sin(i + 1)) * 2^32), RFC 1321 section 3.4.
inline constexpr std::array<std::uint32_t, 64> k = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

inline constexpr std::array<int, 16> shift = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

inline constexpr std::array<std::uint32_t, 4> initial = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

// The message word step i reads.
constexpr int word(int i)
{
    switch (i / 16)
    {
    case 0: return i;
    case 1: return (5 * i + 1) % 16;
    case 2: return (3 * i + 5) % 16;
    default: return (7 * i) % 16;
    }
}

// The four rounds' functions of (b, c, d). A vector type may bring its own non-template
// overloads (e.g. one ternary-logic instruction each), which win over these.
template <class W>
inline W round_f(W const& b, W const& c, W const& d)
{
    return d ^ (b & (c ^ d));
}
template <class W>
inline W round_g(W const& b, W const& c, W const& d)
{
    return c ^ (d & (b ^ c));
}
template <class W>
inline W round_h(W const& b, W const& c, W const& d)
{
    return b ^ c ^ d;
}
template <class W>
inline W round_i(W const& b, W const& c, W const& d)
{
    return c ^ (b | ~d);
}

template <int I, class W, class Broadcast>
inline void step(W& a, W const& b, W const& c, W const& d, W const* m, Broadcast broadcast)
{
    W f;
    if constexpr (I < 16)
        f = round_f(b, c, d);
    else if constexpr (I < 32)
        f = round_g(b, c, d);
    else if constexpr (I < 48)
        f = round_h(b, c, d);
    else
        f = round_i(b, c, d);
    // a + k + m does not wait for b (computed by the step before): only f, one add, the
    // rotation and the last add are on the chain from step to step.
    W const early = a + (broadcast(k[I]) + m[word(I)]);
    a = b + rotl<shift[(I / 16) * 4 + I % 4]>(early + f);
}

// One 64-byte block per lane: `m` holds its 16 little-endian words, `s` the state (a, b, c, d).
// `broadcast` makes a W of a constant.
template <class W, class Broadcast, int... I>
inline void compress(W* s, W const* m, Broadcast broadcast, std::integer_sequence<int, I...>)
{
    W a = s[0], b = s[1], c = s[2], d = s[3];
    // The four registers rotate roles each step: step i updates the one that was `a` i steps ago.
    auto one = [&]<int J>() {
        if constexpr (J % 4 == 0)
            step<J>(a, b, c, d, m, broadcast);
        else if constexpr (J % 4 == 1)
            step<J>(d, a, b, c, m, broadcast);
        else if constexpr (J % 4 == 2)
            step<J>(c, d, a, b, m, broadcast);
        else
            step<J>(b, c, d, a, m, broadcast);
    };
    (one.template operator()<I>(), ...);
    s[0] = s[0] + a;
    s[1] = s[1] + b;
    s[2] = s[2] + c;
    s[3] = s[3] + d;
}

template <class W, class Broadcast>
inline void compress(W* s, W const* m, Broadcast broadcast)
{
    compress(s, m, broadcast, std::make_integer_sequence<int, 64>{});
}

} // namespace md5_rounds

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// MD5 of many messages at once, for the sink's ETags. MD5 is a chain of dependent 32-bit steps,
// so one message cannot go faster than one step after another (OpenSSL's assembly: about
// 760 MB/s a core here); the SIMD lanes of AVX2 (or AVX-512VL) run eight messages' chains side by
// side for about the cost of one. S3 servers do the same (MinIO's md5-simd); OpenSSL has no multi-buffer
// MD5. The sink hashes each upload on a single engine thread that puts the bodies in flight on
// the lanes together (md5_engine.hpp).

#ifndef MLCLOUD_BENCH_S3_MD5_LANES_HPP
#define MLCLOUD_BENCH_S3_MD5_LANES_HPP

#include <cstddef>
#include <cstdint>

namespace md5_lanes {

constexpr std::size_t block_size = 64;
constexpr std::size_t width = 8; // lanes of md5_blocks_x8

/// `blocks` 64-byte blocks of one message into its state (a, b, c, d).
void md5_blocks_x1(std::uint32_t* state, unsigned char const* data, std::size_t blocks);

/// `blocks` 64-byte blocks of eight messages at once: lane i reads `data[i]` and updates
/// `state[i]`. Only when x8_available().
void md5_blocks_x8(std::uint32_t* const* state, unsigned char const* const* data, std::size_t blocks);

/// True when this CPU runs md5_blocks_x8 (AVX2, or AVX-512VL where there is).
bool x8_available();

/// Which of them md5_blocks_x8 uses: "AVX-512VL", "AVX2" or "none".
char const* x8_name();

} // namespace md5_lanes

#endif

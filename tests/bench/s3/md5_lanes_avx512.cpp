//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// md5_lanes_x8.ipp for AVX-512VL (this file is compiled with -mavx512f -mavx512vl).

#define MD5_LANES_X8 md5_blocks_x8_avx512
#define MD5_LANES_NS avx512
#include "md5_lanes_x8.ipp"

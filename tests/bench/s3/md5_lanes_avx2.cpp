//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// md5_lanes_x8.ipp for AVX2 (this file is compiled with -mavx2).

#define MD5_LANES_X8 md5_blocks_x8_avx2
#define MD5_LANES_NS avx2
#include "md5_lanes_x8.ipp"

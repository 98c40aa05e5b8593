//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CONFIG_HPP
#define MLCLOUD_CONFIG_HPP

// Build modes, as Boost.Beast does it:
//  - header-only (default): every function body is pulled in by the header that declares it;
//  - MLCLOUD_SEPARATE_COMPILATION: bodies live in the one translation unit that includes
//    <mlcloud/src.hpp> (the mlcloud::compiled CMake target does this for you).
#ifdef MLCLOUD_SEPARATE_COMPILATION
#  define MLCLOUD_DECL
#else
#  ifndef MLCLOUD_HEADER_ONLY
#    define MLCLOUD_HEADER_ONLY 1
#  endif
#  define MLCLOUD_DECL inline
#endif

#if __cplusplus < 202002L && (!defined(_MSVC_LANG) || _MSVC_LANG < 202002L)
#  error "mlcloud requires C++20 (coroutines and concepts)"
#endif

#endif

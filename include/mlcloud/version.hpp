//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_VERSION_HPP
#define MLCLOUD_VERSION_HPP

// MAJOR * 100000 + MINOR * 100 + PATCH, like BOOST_VERSION.
#define MLCLOUD_VERSION 100
#define MLCLOUD_VERSION_STRING "0.1.0"

#endif

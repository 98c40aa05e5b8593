//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_HPP
#define MLCLOUD_LOCAL_HPP

// The local backend: storage in a directory, training and prediction as child processes.

#include <mlcloud/local/backend.hpp>

#endif

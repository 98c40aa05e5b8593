//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MLCLOUD_HPP
#define MLCLOUD_MLCLOUD_HPP

// The portable API. Backends are included on their own, so that a program only compiles
// the clouds it uses: <mlcloud/local.hpp>, <mlcloud/aws.hpp>, <mlcloud/runpod.hpp>.

#include <mlcloud/capabilities.hpp>
#include <mlcloud/cloud.hpp>
#include <mlcloud/concepts.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/reconcile.hpp>
#include <mlcloud/storage_uri.hpp>
#include <mlcloud/types.hpp>
#include <mlcloud/version.hpp>

#endif

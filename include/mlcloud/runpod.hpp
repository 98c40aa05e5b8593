//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_HPP
#define MLCLOUD_RUNPOD_HPP

// The RunPod backend: mlcloud::runpod::backend and its providers, and setup.

#include <mlcloud/runpod/backend.hpp>
#include <mlcloud/runpod/options.hpp>
#include <mlcloud/runpod/prediction.hpp>
#include <mlcloud/runpod/setup.hpp>
#include <mlcloud/runpod/storage.hpp>
#include <mlcloud/runpod/training.hpp>

#endif

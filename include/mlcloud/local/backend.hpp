//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_BACKEND_HPP
#define MLCLOUD_LOCAL_BACKEND_HPP

#include <mlcloud/cloud.hpp>
#include <mlcloud/local/options.hpp>
#include <mlcloud/local/prediction.hpp>
#include <mlcloud/local/storage.hpp>
#include <mlcloud/local/training.hpp>

#include <string_view>

namespace mlcloud {
namespace local {

/// The embedded backend: storage in a directory, training and prediction as child processes
/// of this machine. It needs no account and no network (docs/local.md).
///
///     mlcloud::cloud<mlcloud::local::backend> c(ctx.get_executor(), {.root = "/srv/ml"});
struct backend
{
    static constexpr std::string_view name = "local";
    using options = local::options;
    using training = local::training;
    using storage = local::storage;
    using prediction = local::prediction;
};

static_assert(mlcloud::backend<backend>);

} // namespace local
} // namespace mlcloud

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_BACKEND_HPP
#define MLCLOUD_RUNPOD_BACKEND_HPP

#include <mlcloud/cloud.hpp>
#include <mlcloud/runpod/options.hpp>
#include <mlcloud/runpod/prediction.hpp>
#include <mlcloud/runpod/storage.hpp>
#include <mlcloud/runpod/training.hpp>

#include <string_view>

namespace mlcloud {
namespace runpod {

/// RunPod: GPU pods for training, network volumes for storage, serverless endpoints for
/// predictions (docs/runpod.md).
///
///     mlcloud::cloud<mlcloud::runpod::backend> c(ctx.get_executor(),
///         {.datacenter = "EU-RO-1", .network_volume_id = "agv6w2qcg7",
///          .image = "ghcr.io/me/mlcloud-trainer:1", .endpoint_id = "abc123"});
struct backend
{
    static constexpr std::string_view name = "runpod";
    using options = runpod::options;
    using training = runpod::training;
    using storage = runpod::storage;
    using prediction = runpod::prediction;
};

static_assert(mlcloud::backend<backend>);

} // namespace runpod
} // namespace mlcloud

#endif

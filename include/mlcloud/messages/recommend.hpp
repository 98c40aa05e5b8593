//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_RECOMMEND_HPP
#define MLCLOUD_MESSAGES_RECOMMEND_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/messages/pricing.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace mlcloud {
namespace messages {

/// What will be trained, as far as GPU memory is concerned.
enum class model_family
{
    linear,     ///< linear regression
    logistic,   ///< logistic / softmax regression
    tabular,    ///< other classical tabular models (trees, boosting)
    neural_net, ///< a neural network: weights, optimizer state and activations live on the GPU
};

MLCLOUD_DECL std::string_view to_string(model_family f) noexcept;

/// The size of a dataset; any field may be 0 when unknown.
struct dataset_profile
{
    std::uint64_t bytes = 0;   ///< size of the file
    std::uint64_t rows = 0;
    std::uint64_t columns = 0;
};

struct recommendation
{
    gpu_offer offer;
    int needed_vram_gb = 0; ///< the estimate the choice was made on
    std::string reason;     ///< for people: "small tabular dataset (...): the cheapest 24 GB GPU is plenty"
};

/// The cheapest single offered machine of `provider` with enough GPU memory for the dataset and
/// model family. Classical models need room for about three copies of the data as doubles;
/// neural networks need 16 GB at least, more as the data grows (see docs/pricing.md). When no
/// machine is big enough, the one with the most memory is recommended and the reason says so.
/// errc::not_found when the provider has no offered rows.
MLCLOUD_DECL result<recommendation> recommend_gpu(pricing_table const& table, std::string_view provider,
                                                  dataset_profile const& data, model_family family);

/// "150 rows x 5 columns, 4.4 KB" (parts that are unknown are left out).
MLCLOUD_DECL std::string describe(dataset_profile const& data);

/// "4.4 KB", "12.0 MB", "3.1 GB" (binary units, written the common way).
MLCLOUD_DECL std::string format_bytes(std::uint64_t bytes);

} // namespace messages
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/messages/impl/recommend.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_IMPL_RECOMMEND_IPP
#define MLCLOUD_MESSAGES_IMPL_RECOMMEND_IPP

#include <mlcloud/messages/recommend.hpp>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <limits>

namespace mlcloud {
namespace messages {
namespace detail {

inline constexpr std::uint64_t gib = std::uint64_t{1} << 30;
inline constexpr std::uint64_t mib = std::uint64_t{1} << 20;

/// Bytes the data takes once loaded as doubles (or as the file, if that is larger).
inline std::uint64_t in_memory_bytes(dataset_profile const& d) noexcept
{
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t cells = 0;
    if (d.rows != 0 && d.columns != 0)
        cells = d.rows > max / d.columns ? max : d.rows * d.columns;
    std::uint64_t const as_doubles = cells > max / 8 ? max : cells * 8;
    return std::max(d.bytes, as_doubles);
}

inline std::uint64_t ceil_gib(std::uint64_t bytes) noexcept
{
    return bytes / gib + (bytes % gib != 0 ? 1 : 0);
}

inline int clamp_gb(std::uint64_t gb) noexcept
{
    return static_cast<int>(std::min<std::uint64_t>(gb, 1'000'000));
}

/// GPU memory needed, in GB. Classical models hold about three copies of the data (raw,
/// standardised, gradients) plus ~1 GB of CUDA context; a neural network needs ~16 GB for
/// weights, optimizer state and activations at useful batch sizes, plus the data it keeps.
inline int needed_vram_gb(std::uint64_t data_bytes, model_family f) noexcept
{
    if (f == model_family::neural_net)
        return clamp_gb(16 + ceil_gib(data_bytes));
    auto const triple = data_bytes > std::numeric_limits<std::uint64_t>::max() / 3 ? data_bytes : data_bytes * 3;
    return clamp_gb(1 + ceil_gib(triple));
}

inline std::string_view size_word(std::uint64_t data_bytes) noexcept
{
    if (data_bytes < 100 * mib)
        return "small";
    if (data_bytes < 4 * gib)
        return "medium-sized";
    return "large";
}

inline bool cheaper(gpu_offer const* a, gpu_offer const* b) noexcept
{
    if (a->on_demand_usd_per_hour != b->on_demand_usd_per_hour)
        return a->on_demand_usd_per_hour < b->on_demand_usd_per_hour;
    return a->vram_gb > b->vram_gb; // same price: more memory
}

} // namespace detail

MLCLOUD_DECL std::string_view to_string(model_family f) noexcept
{
    switch (f)
    {
    case model_family::linear:     return "linear regression";
    case model_family::logistic:   return "logistic regression";
    case model_family::tabular:    return "tabular model";
    case model_family::neural_net: return "neural network";
    }
    return "model";
}

MLCLOUD_DECL std::string format_bytes(std::uint64_t bytes)
{
    char buffer[32];
    if (bytes < 1024)
        std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
    else if (bytes < detail::mib)
        std::snprintf(buffer, sizeof buffer, "%.1f KB", static_cast<double>(bytes) / 1024.0);
    else if (bytes < detail::gib)
        std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / static_cast<double>(detail::mib));
    else
        std::snprintf(buffer, sizeof buffer, "%.1f GB", static_cast<double>(bytes) / static_cast<double>(detail::gib));
    return buffer;
}

MLCLOUD_DECL std::string describe(dataset_profile const& data)
{
    std::string out;
    if (data.rows != 0)
        out = std::to_string(data.rows) + " rows";
    if (data.columns != 0)
        out += (out.empty() ? "" : " x ") + std::to_string(data.columns) + " columns";
    if (data.bytes != 0)
        out += (out.empty() ? "" : ", ") + format_bytes(data.bytes);
    return out.empty() ? "size unknown" : out;
}

MLCLOUD_DECL result<recommendation> recommend_gpu(pricing_table const& table, std::string_view provider,
                                                  dataset_profile const& data, model_family family)
{
    auto const all = table.offers(provider);
    if (all.empty())
        return error(errc::not_found, "the pricing table offers no GPU for provider '" + std::string(provider) + "'")
            .with_operation("recommend GPU");

    auto const bytes = detail::in_memory_bytes(data);
    int const needed = detail::needed_vram_gb(bytes, family);

    // Single-GPU machines first: these workloads do not spread over several GPUs.
    std::vector<gpu_offer const*> single;
    std::copy_if(all.begin(), all.end(), std::back_inserter(single), [](auto const* o) { return o->gpu_count == 1; });
    auto const& pool = single.empty() ? all : single;

    gpu_offer const* cheapest = nullptr;
    gpu_offer const* cheapest_fit = nullptr;
    gpu_offer const* largest = nullptr;
    for (auto const* o : pool)
    {
        if (!cheapest || detail::cheaper(o, cheapest))
            cheapest = o;
        if (o->vram_gb >= needed && (!cheapest_fit || detail::cheaper(o, cheapest_fit)))
            cheapest_fit = o;
        if (!largest || o->vram_gb > largest->vram_gb ||
            (o->vram_gb == largest->vram_gb && detail::cheaper(o, largest)))
            largest = o;
    }

    bool const neural = family == model_family::neural_net;
    std::string subject = neural ? std::string("neural network on a ") + std::string(detail::size_word(bytes)) +
                                       " dataset (" + describe(data) + ")"
                                 : std::string(detail::size_word(bytes)) + " tabular dataset (" + describe(data) +
                                       ") for " + std::string(to_string(family));
    auto const gpu_words = [](gpu_offer const* o) {
        return o->display_name + ", " + std::to_string(o->vram_gb) + " GB";
    };

    recommendation rec;
    rec.needed_vram_gb = needed;
    if (cheapest_fit == cheapest)
    {
        rec.offer = *cheapest;
        rec.reason = subject + ": the cheapest " + std::to_string(cheapest->vram_gb) + " GB GPU (" +
                     cheapest->display_name + ") is plenty";
    }
    else if (cheapest_fit)
    {
        rec.offer = *cheapest_fit;
        rec.reason = subject + " needs about " + std::to_string(needed) + " GB of GPU memory: " +
                     gpu_words(cheapest_fit) + " is the cheapest GPU that holds it";
    }
    else
    {
        rec.offer = *largest;
        rec.reason = subject + " needs about " + std::to_string(needed) +
                     " GB of GPU memory, more than any single GPU offered: " + gpu_words(largest) +
                     " has the most, so the data has to be streamed in batches";
    }
    return rec;
}

} // namespace messages
} // namespace mlcloud

#endif

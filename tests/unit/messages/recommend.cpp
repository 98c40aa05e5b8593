//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/messages/recommend.hpp>

#include <catch2/catch.hpp>

using namespace mlcloud::messages;

namespace {

constexpr std::uint64_t gib = std::uint64_t{1} << 30;

gpu_offer row(std::string provider, std::string id, int vram, double price, int count = 1)
{
    gpu_offer o;
    o.provider = std::move(provider);
    o.id = id;
    o.display_name = std::move(id);
    o.vram_gb = vram;
    o.gpu_count = count;
    o.on_demand_usd_per_hour = price;
    return o;
}

} // namespace

TEST_CASE("recommend_gpu: a small tabular dataset gets the cheapest GPU")
{
    auto const t = pricing_table::builtin();
    auto const r = recommend_gpu(t, "runpod", {.bytes = 4400, .rows = 150, .columns = 5}, model_family::logistic);
    REQUIRE(r.has_value());
    CHECK(r->offer.id == "NVIDIA RTX A5000");
    CHECK(r->offer.offered);
    CHECK(r->needed_vram_gb == 2);
    CHECK(r->reason == "small tabular dataset (150 rows x 5 columns, 4.3 KB) for logistic regression: "
                       "the cheapest 24 GB GPU (RTX A5000) is plenty");

    auto const aws = recommend_gpu(t, "aws", {.bytes = 4400}, model_family::linear);
    REQUIRE(aws.has_value());
    CHECK(aws->offer.id == "g4dn.xlarge");
}

TEST_CASE("recommend_gpu: memory needs grow with the data and for neural networks")
{
    auto const t = pricing_table::builtin();

    // 10 GiB of tabular data: ~31 GB needed, the 24 GB cards are out.
    auto const big = recommend_gpu(t, "runpod", {.bytes = 10 * gib}, model_family::tabular);
    REQUIRE(big.has_value());
    CHECK(big->needed_vram_gb == 31);
    CHECK(big->offer.id == "NVIDIA A40");
    CHECK(big->reason == "large tabular dataset (10.0 GB) for tabular model needs about 31 GB of GPU memory: "
                         "A40, 48 GB is the cheapest GPU that holds it");

    // A neural network needs 16 GB even on tiny data; on 40 GiB it needs an 80 GB card.
    auto const tiny_nn = recommend_gpu(t, "aws", {.rows = 100, .columns = 3}, model_family::neural_net);
    REQUIRE(tiny_nn.has_value());
    CHECK(tiny_nn->needed_vram_gb == 17);
    CHECK(tiny_nn->offer.id == "g6.xlarge"); // cheapest with >= 17 GB: the 16 GB T4s are out
    CHECK_THAT(tiny_nn->reason, Catch::StartsWith("neural network on a small dataset (100 rows x 3 columns)"));

    auto const large_nn = recommend_gpu(t, "runpod", {.bytes = 40 * gib}, model_family::neural_net);
    REQUIRE(large_nn.has_value());
    CHECK(large_nn->offer.vram_gb == 80);
    CHECK(large_nn->offer.id == "NVIDIA A100 80GB PCIe"); // same price as SXM; the first in the table
}

TEST_CASE("recommend_gpu: too big for any GPU picks the largest and says why")
{
    auto const t = pricing_table::builtin();
    auto const r = recommend_gpu(t, "runpod", {.bytes = 100 * gib}, model_family::linear);
    REQUIRE(r.has_value());
    CHECK(r->offer.vram_gb == 80);
    CHECK(r->offer.on_demand_usd_per_hour == 1.79); // the cheapest of the 80 GB cards
    CHECK_THAT(r->reason, Catch::Contains("more than any single GPU offered"));
    CHECK_THAT(r->reason, Catch::Contains("streamed in batches"));
}

TEST_CASE("recommend_gpu: single-GPU machines first, ties go to more memory, rows x columns count")
{
    pricing_table t({row("x", "multi", 80, 0.10, 8), row("x", "small", 16, 0.50), row("x", "same-price-more", 24, 0.50)});
    auto const r = recommend_gpu(t, "x", {.rows = 1000, .columns = 10}, model_family::linear);
    REQUIRE(r.has_value());
    CHECK(r->offer.id == "same-price-more");

    // 200M rows x 10 columns as doubles = ~14.9 GiB -> 46 GB needed.
    pricing_table u({row("x", "a", 24, 0.1), row("x", "b", 48, 0.2)});
    auto const big = recommend_gpu(u, "x", {.bytes = 100, .rows = 200'000'000, .columns = 10}, model_family::linear);
    REQUIRE(big.has_value());
    CHECK(big->needed_vram_gb == 46);
    CHECK(big->offer.id == "b");

    // Absurd sizes saturate instead of overflowing.
    auto const huge = recommend_gpu(u, "x", {.rows = ~0ull, .columns = ~0ull}, model_family::neural_net);
    REQUIRE(huge.has_value());
    CHECK(huge->offer.id == "b");
}

TEST_CASE("recommend_gpu: no offers for the provider is not_found, reference rows are never recommended")
{
    gpu_offer reference = row("runpod", "old", 24, 0.01);
    reference.offered = false;
    pricing_table t({reference});
    auto const r = recommend_gpu(t, "runpod", {}, model_family::linear);
    REQUIRE(r.has_error());
    CHECK(r.error().is(mlcloud::errc::not_found));
    CHECK_THAT(r.error().message, Catch::Contains("'runpod'"));
}

TEST_CASE("describe and format_bytes")
{
    CHECK(describe(dataset_profile{}) == "size unknown");
    CHECK(describe({.bytes = 2048}) == "2.0 KB");
    CHECK(describe({.rows = 5}) == "5 rows");
    CHECK(describe({.bytes = 3 * gib, .rows = 10, .columns = 2}) == "10 rows x 2 columns, 3.0 GB");
    CHECK(format_bytes(512) == "512 B");
    CHECK(format_bytes(5 * 1024 * 1024 + 1) == "5.0 MB");
    CHECK(to_string(model_family::neural_net) == "neural network");
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The pricing override file (messages::pricing_table::apply_overrides): all or nothing, a
// refusal is an invalid_argument, and whatever table results still answers every question
// the messages ask of it.

#include "fuzz.hpp"

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/messages/recommend.hpp>
#include <mlcloud/messages/templates.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using mlcloud::messages::pricing_table;
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    static pricing_table const builtin = pricing_table::builtin();
    auto table = builtin;
    auto applied = table.apply_overrides(text, "fuzz.json");
    if (!applied)
    {
        mlcloud_fuzz::check(applied.error().is(mlcloud::errc::invalid_argument), "a bad override is invalid_argument");
        mlcloud_fuzz::check(table.offers().size() == builtin.offers().size(), "a refused override changes nothing");
        return 0;
    }
    using namespace mlcloud::messages;
    using namespace std::chrono_literals;
    for (auto provider : {"aws", "runpod", "local"})
    {
        (void)table.range(provider);
        (void)choose_cloud_or_local(format::html, table, provider);
        for (auto const* offer : table.offers(provider))
        {
            mlcloud_fuzz::check(table.find(offer->provider, offer->id) != nullptr, "an offer is found by its id");
            (void)offer->total_vram_gb();
            (void)compute_cost(*offer, 3'723'456ms, mlcloud::market::spot, 2);
            (void)describe(offer->billing);
        }
        auto recommended = recommend_gpu(table, provider, {.bytes = 4500, .rows = 150, .columns = 5}, model_family::linear);
        if (recommended)
            (void)gpu_selection(format::plain, *recommended, table.offers(provider));
    }
    (void)gpu_price_list(format::html, table);
    return 0;
}

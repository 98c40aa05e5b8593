//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/messages/pricing.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

using namespace mlcloud::messages;

namespace {

std::string temp_file(std::string const& name, std::string const& content)
{
    auto const path = std::filesystem::temp_directory_path() / ("mlcloud-pricing-" + name);
    std::ofstream(path) << content;
    return path.string();
}

} // namespace

TEST_CASE("built-in table: the original bot's four GPUs are kept as reference rows")
{
    auto const t = pricing_table::builtin();
    struct expected
    {
        char const* id;
        double price;
    };
    for (auto [id, price] : {expected{"NVIDIA RTX A5000", 0.29}, expected{"NVIDIA A40", 0.39},
                             expected{"NVIDIA A100 PCIe 40GB", 0.79}, expected{"NVIDIA A100 80GB PCIe", 1.19}})
    {
        CAPTURE(id);
        auto const it = std::find_if(t.rows().begin(), t.rows().end(), [&](gpu_offer const& r) {
            return r.provider == "runpod" && r.id == id && !r.offered;
        });
        REQUIRE(it != t.rows().end());
        CHECK(it->on_demand_usd_per_hour == price);
        CHECK(it->source.find("original bot") != std::string::npos);
        CHECK(it->note.find("original bot") != std::string::npos);
    }
    auto const* a100_40 = t.find("runpod", "NVIDIA A100 PCIe 40GB");
    REQUIRE(a100_40);
    CHECK_FALSE(a100_40->offered);
    CHECK(a100_40->note.find("no current GPU type id") != std::string::npos);
}

TEST_CASE("built-in table: lookups prefer the offered row, and every row is complete")
{
    auto const t = pricing_table::builtin();
    auto const* a5000 = t.find("runpod", "NVIDIA RTX A5000");
    REQUIRE(a5000);
    CHECK(a5000->offered);
    CHECK(a5000->on_demand_usd_per_hour == 0.27);
    CHECK(a5000->spot_usd_per_hour == 0.16);
    CHECK(a5000->serverless_pool == "AMPERE_24");
    CHECK(a5000->billing == per_second_billing);
    CHECK(a5000->as_of == "2026-08-25");

    auto const* g5 = t.find("aws", "g5.xlarge");
    REQUIRE(g5);
    CHECK(g5->on_demand_usd_per_hour == 1.006);
    CHECK(g5->billing == ec2_billing);
    CHECK(g5->source == "AWS on-demand price list, us-east-1, Linux");
    CHECK_FALSE(g5->spot_usd_per_hour);

    CHECK(t.find("aws", "NVIDIA RTX A5000") == nullptr);
    CHECK(t.find("runpod", "nvidia rtx a5000") == nullptr); // ids match exactly
    CHECK(t.find_serverless("AMPERE_80")->flex_usd_per_second == 0.00076);
    CHECK(t.find_serverless("AMPERE_80")->active_usd_per_second == 0.00060);
    CHECK(t.find_serverless("NOPE") == nullptr);

    std::set<std::tuple<std::string, std::string, bool>> keys;
    for (auto const& r : t.rows())
    {
        CAPTURE(r.provider, r.id);
        CHECK((r.provider == "runpod" || r.provider == "aws"));
        CHECK(keys.emplace(r.provider, r.id, r.offered).second); // (provider, id, offered) is unique
        CHECK(r.vram_gb > 0);
        CHECK(r.gpu_count >= 1);
        CHECK(r.on_demand_usd_per_hour > 0.0);
        if (r.spot_usd_per_hour)
            CHECK(*r.spot_usd_per_hour < r.on_demand_usd_per_hour);
        CHECK_FALSE(r.source.empty());
        CHECK(r.as_of.size() == 10);
    }
}

TEST_CASE("pricing_table: offers, filtering and price ranges")
{
    auto const t = pricing_table::builtin();
    auto const runpod = t.offers("runpod");
    REQUIRE(runpod.size() == 8);
    for (auto const* o : runpod)
        CHECK((o->provider == "runpod" && o->offered));
    CHECK(t.offers().size() == runpod.size() + t.offers("aws").size());
    CHECK(t.offers("gcp").empty());

    auto const r = t.range("runpod");
    REQUIRE(r.has_value());
    CHECK(r->low == 0.27);
    CHECK(r->high == 3.99);
    auto const a = t.range("aws");
    REQUIRE(a);
    CHECK(a->low == 0.526);
    CHECK(a->high == 32.7726);
    CHECK_FALSE(t.range("local"));
}

TEST_CASE("pricing_table: upsert replaces by key, remove drops every row of a provider id")
{
    pricing_table t;
    gpu_offer o;
    o.provider = "runpod";
    o.id = "X";
    o.vram_gb = 24;
    o.on_demand_usd_per_hour = 1.0;
    t.upsert(o);
    o.on_demand_usd_per_hour = 2.0;
    t.upsert(o);
    REQUIRE(t.rows().size() == 1);
    CHECK(t.rows()[0].on_demand_usd_per_hour == 2.0);
    o.offered = false;
    t.upsert(o);
    CHECK(t.rows().size() == 2);
    CHECK(t.find("runpod", "X")->offered);
    CHECK(t.remove("runpod", "X") == 2);
    CHECK(t.rows().empty());
}

TEST_CASE("pricing overrides: merge a price, add a row, add a pool, remove a row")
{
    auto t = pricing_table::builtin();
    auto const before = t.rows().size();
    auto const applied = t.apply_overrides(R"({
        "comment": "prices from the 2026-12 invoice",
        "providers": ["lambdalabs"],
        "remove": [{"provider": "aws", "id": "p3.8xlarge"}],
        "rows": [
            {"provider": "runpod", "id": "NVIDIA RTX A5000", "on_demand_usd_per_hour": 0.25,
             "spot_usd_per_hour": null, "as_of": "2026-12-01"},
            {"provider": "aws", "id": "g6e.2xlarge", "vram_gb": 48, "on_demand_usd_per_hour": 2.24,
             "gpu": "NVIDIA L40S", "confidence": "high"},
            {"provider": "lambdalabs", "id": "gpu_1x_a10", "vram_gb": 24, "on_demand_usd_per_hour": 0.75,
             "billing": {"increment_seconds": 60, "minimum_seconds": 3600}, "offered": true}
        ],
        "serverless": [
            {"pool": "AMPERE_24", "flex_usd_per_second": 0.0002},
            {"pool": "HOPPER_141", "gpus": "H200", "vram_gb": 141, "flex_usd_per_second": 0.00155}
        ]
    })", "test.json");
    REQUIRE(applied.has_value());

    auto const* a5000 = t.find("runpod", "NVIDIA RTX A5000");
    CHECK(a5000->on_demand_usd_per_hour == 0.25);
    CHECK_FALSE(a5000->spot_usd_per_hour); // null clears
    CHECK(a5000->as_of == "2026-12-01");
    CHECK(a5000->display_name == "RTX A5000"); // untouched fields keep their value
    CHECK(a5000->serverless_pool == "AMPERE_24");

    auto const* g6e = t.find("aws", "g6e.2xlarge");
    REQUIRE(g6e);
    CHECK(g6e->billing == ec2_billing); // the provider's default rule
    CHECK(g6e->confidence == confidence::high);
    CHECK(g6e->display_name == "g6e.2xlarge");
    CHECK(g6e->source == "test.json"); // a new row without a source names the file

    auto const* other = t.find("lambdalabs", "gpu_1x_a10");
    REQUIRE(other);
    CHECK(other->billing.increment == std::chrono::seconds(60));
    CHECK(other->billing.minimum == std::chrono::seconds(3600));

    CHECK(t.find("aws", "p3.8xlarge") == nullptr);
    CHECK(t.rows().size() == before + 2 - 1);
    CHECK(t.find_serverless("AMPERE_24")->flex_usd_per_second == 0.0002);
    CHECK(t.find_serverless("AMPERE_24")->gpus == "L4, RTX A5000, RTX 3090");
    CHECK(t.find_serverless("HOPPER_141")->vram_gb == 141);
}

TEST_CASE("pricing overrides: a bad document names the entry and field, and changes nothing")
{
    struct bad_case
    {
        char const* json;
        char const* expected;
    };
    auto const c = GENERATE(
        bad_case{"not json", "not valid JSON"},
        bad_case{"[]", "top level must be an object"},
        bad_case{R"({"rowz": []})", "field 'rowz' is not a known field"},
        bad_case{R"({"rows": {}})", "'rows' must be an array"},
        bad_case{R"({"rows": [1]})", "rows[0]: must be an object"},
        bad_case{R"({"rows": [{"id": "x", "vram_gb": 1, "on_demand_usd_per_hour": 1}]})", "rows[0]: field 'provider' is missing"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "", "vram_gb": 1}]})", "rows[0]: field 'id' must not be empty"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "on_demand_usd_per_hour": -1}]})",
                 "rows[0] (aws \"g5.xlarge\"): field 'on_demand_usd_per_hour' must be a non-negative number"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "on_demand_usd_per_hour": "1.0"}]})",
                 "field 'on_demand_usd_per_hour' must be a non-negative number"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "price": 1.0}]})",
                 "rows[0] (aws \"g5.xlarge\"): field 'price' is not a known field"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "new.xlarge", "vram_gb": 24}]})",
                 "field 'on_demand_usd_per_hour' is missing (required for a new row)"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "new.xlarge", "on_demand_usd_per_hour": 1}]})",
                 "field 'vram_gb' is missing (required for a new row)"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "gpu_count": 0}]})",
                 "field 'gpu_count' must be a whole number from 1 to 256"},
        // A fuzz find: vram_gb x gpu_count overflowed int (UBSan) for vram_gb 2147483647.
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.12xlarge", "vram_gb": 2147483647}]})",
                 "rows[0] (aws \"g5.12xlarge\"): field 'vram_gb' must be a whole number from 1 to 4096"},
        bad_case{R"({"serverless": [{"pool": "AMPERE_24", "vram_gb": 5000}]})",
                 "field 'vram_gb' must be a whole number from 1 to 4096"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "billing": {"increment_seconds": 0}}]})",
                 "billing: field 'increment_seconds' must be a whole number of at least 1"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "confidence": "sure"}]})",
                 "field 'confidence' must be \"high\", \"medium\" or \"low\""},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "offered": "yes"}]})",
                 "field 'offered' must be true or false"},
        bad_case{R"({"serverless": [{"pool": "NEW"}]})",
                 "serverless[0] (pool NEW): field 'flex_usd_per_second' is missing"},
        bad_case{R"({"remove": [{"provider": "aws", "id": "nope"}]})", "remove[0]: no row aws \"nope\" to remove"},
        // A misspelt provider would add a row nobody looks up, so a new provider must be declared.
        bad_case{R"({"rows": [{"provider": "runpd", "id": "NVIDIA RTX A5000", "vram_gb": 24,
                               "on_demand_usd_per_hour": 0.25}]})",
                 "rows[0] (runpd \"NVIDIA RTX A5000\"): no provider is named \"runpd\" (known: runpod, aws); "
                 "a file that adds a provider lists it in \"providers\""},
        bad_case{R"({"providers": "lambdalabs"})", "'providers' must be an array"},
        bad_case{R"({"providers": ["lambdalabs", ""]})", "providers[1] must be a provider name"},
        bad_case{R"({"rows": [{"provider": "aws", "id": "g5.xlarge", "on_demand_usd_per_hour": 0.5},
                              {"provider": "aws", "id": "g5.2xlarge", "vram_gb": "big"}]})",
                 "rows[1] (aws \"g5.2xlarge\"): field 'vram_gb' must be a whole number"});
    CAPTURE(c.json);

    auto t = pricing_table::builtin();
    auto const applied = t.apply_overrides(c.json, "prices.json");
    REQUIRE(applied.has_error());
    CHECK(applied.error().is(mlcloud::errc::invalid_argument));
    CHECK_THAT(applied.error().message, Catch::StartsWith("prices.json"));
    CHECK_THAT(applied.error().message, Catch::Contains(c.expected));
    // All or nothing: the valid first row of the last case was not applied either.
    CHECK(t.find("aws", "g5.xlarge")->on_demand_usd_per_hour == 1.006);
    CHECK(t.rows().size() == pricing_table::builtin().rows().size());
}

TEST_CASE("pricing_table::load applies a file to the built-in table")
{
    auto const good = temp_file("good.json", R"({"rows": [{"provider": "aws", "id": "g4dn.xlarge", "on_demand_usd_per_hour": 0.5}]})");
    auto const t = pricing_table::load(good);
    REQUIRE(t.has_value());
    CHECK(t->find("aws", "g4dn.xlarge")->on_demand_usd_per_hour == 0.5);
    CHECK(t->find("runpod", "NVIDIA RTX A5000") != nullptr);

    auto const bad = temp_file("bad.json", R"({"rows": [{"provider": "aws"}]})");
    auto const b = pricing_table::load(bad);
    REQUIRE(b.has_error());
    CHECK(b.error().is(mlcloud::errc::invalid_argument));
    CHECK_THAT(b.error().message, Catch::StartsWith(bad + ": rows[0]: field 'id' is missing"));

    auto const missing = pricing_table::load("/nonexistent/mlcloud/prices.json");
    REQUIRE(missing.has_error());
    CHECK(missing.error().is(mlcloud::errc::io_error));
    CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/mlcloud/prices.json"));

    std::remove(good.c_str());
    std::remove(bad.c_str());
}

TEST_CASE("fuzz regression: a machine's total memory does not overflow")
{
    gpu_offer o;
    o.vram_gb = std::numeric_limits<int>::max();
    o.gpu_count = 4;
    CHECK(o.total_vram_gb() == std::numeric_limits<int>::max());
    o.vram_gb = 24;
    CHECK(o.total_vram_gb() == 96);
}

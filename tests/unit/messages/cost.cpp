//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include <mlcloud/messages/cost.hpp>

#include <catch2/catch.hpp>

using namespace mlcloud::messages;
using namespace std::chrono_literals;
using mlcloud::market;

TEST_CASE("billed_time: per second rounds up, EC2 has a 60 s minimum")
{
    CHECK(billed_time(per_second_billing, 0ms) == 0s);
    CHECK(billed_time(per_second_billing, 1ms) == 1s);
    CHECK(billed_time(per_second_billing, 1000ms) == 1s);
    CHECK(billed_time(per_second_billing, 1001ms) == 2s);
    CHECK(billed_time(per_second_billing, 605'000ms) == 605s);
    CHECK(billed_time(per_second_billing, -5s) == 0s);

    CHECK(billed_time(ec2_billing, 0ms) == 60s);
    CHECK(billed_time(ec2_billing, 5s) == 60s);
    CHECK(billed_time(ec2_billing, 59'999ms) == 60s);
    CHECK(billed_time(ec2_billing, 60'001ms) == 61s);
    CHECK(billed_time(ec2_billing, 3600s) == 3600s);

    billing_rule const hourly{3600s, 3600s};
    CHECK(billed_time(hourly, 1s) == 3600s);
    CHECK(billed_time(hourly, 3601s) == 7200s);
    billing_rule const minutes{60s, 0s};
    CHECK(billed_time(minutes, 61s) == 120s);
}

TEST_CASE("compute_cost: RunPod per second, secure and community")
{
    auto const t = pricing_table::builtin();
    auto const& a5000 = *t.find("runpod", "NVIDIA RTX A5000");

    auto const hour = compute_cost(a5000, 3600s);
    CHECK(hour.usd == Approx(0.27));
    CHECK(hour.billed == 3600s);
    CHECK(hour.basis == "3600 s at $0.27/h secure cloud, billed per second");

    auto const short_run = compute_cost(a5000, 10'500ms);
    CHECK(short_run.billed == 11s);
    CHECK(short_run.usd == Approx(11.0 / 3600.0 * 0.27));

    auto const community = compute_cost(a5000, 3600s, market::spot);
    CHECK(community.usd == Approx(0.16));
    CHECK(community.basis == "3600 s at $0.16/h community cloud, billed per second");

    auto const two_gpus = compute_cost(a5000, 1800s, market::on_demand, 2);
    CHECK(two_gpus.usd == Approx(0.27));
    CHECK(two_gpus.billed == 3600s);
    CHECK(two_gpus.basis == "2 x 1800 s at $0.27/h secure cloud, billed per second");
}

TEST_CASE("compute_cost: EC2 per second with the 60 s minimum, spot without a price says so")
{
    auto const t = pricing_table::builtin();
    auto const& g5 = *t.find("aws", "g5.xlarge");

    auto const tiny = compute_cost(g5, 5s);
    CHECK(tiny.billed == 60s);
    CHECK(tiny.usd == Approx(1.006 / 60.0));
    CHECK(tiny.basis == "60 s at $1.006/h on-demand, billed per second, 1 minute minimum");

    auto const longer = compute_cost(g5, 90'200ms);
    CHECK(longer.billed == 91s);
    CHECK(longer.usd == Approx(91.0 / 3600.0 * 1.006));

    auto const spot = compute_cost(g5, 3600s, market::spot);
    CHECK(spot.usd == Approx(1.006));
    CHECK_THAT(spot.basis, Catch::Contains("the on-demand price: no spot price is tabled"));
}

TEST_CASE("lambda_cost: GB-seconds plus requests at the x86 us-east-1 rates")
{
    auto const one = lambda_cost({.memory_mb = 512, .duration = 1234ms});
    CHECK(one.usd == Approx(0.5 * 1.234 * 0.0000166667 + 0.0000002));
    CHECK(one.billed == 2s);
    CHECK(one.basis == "1 request x 1234 ms at 512 MB = 0.617 GB-s x $0.0000166667 + $0.0000002 per request "
                       "(AWS Lambda pricing, x86, us-east-1)");

    auto const million = lambda_cost({.memory_mb = 1024, .duration = 1000ms, .requests = 1'000'000});
    CHECK(million.usd == Approx(1'000'000 * 0.0000166667 + 0.20));
    CHECK(million.billed == 1'000'000s);

    lambda_rates const arm{.usd_per_gb_second = 0.0000133334, .source = "arm"};
    CHECK(lambda_cost({.memory_mb = 1024, .duration = 1000ms}, arm).usd == Approx(0.0000133334 + 0.0000002));
    CHECK(lambda_cost({.memory_mb = 128, .duration = -3ms}).usd == Approx(0.0000002));
}

TEST_CASE("serverless_cost: per second by pool, rounded up, active rate when tabled")
{
    auto const t = pricing_table::builtin();
    auto const& ampere24 = *t.find_serverless("AMPERE_24");
    auto const c = serverless_cost(ampere24, 12'001ms);
    CHECK(c.billed == 13s);
    CHECK(c.usd == Approx(13 * 0.00019));
    CHECK(c.basis == "13 s at $0.00019/s (AMPERE_24 flex workers), rounded up to the second");

    auto const& a100 = *t.find_serverless("AMPERE_80");
    CHECK(serverless_cost(a100, 10s, true).usd == Approx(10 * 0.00060));
    CHECK_THAT(serverless_cost(a100, 10s, true).basis, Catch::Contains("AMPERE_80 active workers"));
    CHECK(serverless_cost(ampere24, 10s, true).usd == Approx(10 * 0.00019)); // no active rate: flex
}

TEST_CASE("money, rates and durations are formatted for people")
{
    CHECK(format_usd(0.0) == "$0.00");
    CHECK(format_usd(0.27) == "$0.27");
    CHECK(format_usd(12.5) == "$12.50");
    CHECK(format_usd(0.016) == "$0.02");
    CHECK(format_usd(0.0042) == "$0.0042");
    CHECK(format_usd(0.0000174) == "$0.000017");
    CHECK(format_usd(-1.5) == "-$1.50");
    CHECK(format_usd(1e-12) == "$0.00");

    // A cost nobody could price is never shown as $0.00; a sum with such a part is a lower bound.
    CHECK(format_cost(mlcloud::cost{0.27, 60s, "60 s at $16.20/h"}) == "$0.27");
    CHECK(format_cost(mlcloud::cost{0.0, 0s, "local"}) == "$0.00");
    CHECK(format_cost(mlcloud::cost{0.0, 0s, "no price is known for instance type x1.huge", false}) == "unknown");
    CHECK(format_cost(mlcloud::cost{1.2, 3600s, "", false}) == "at least $1.20");

    CHECK(format_usd_per_hour(0.27) == "$0.27/h");
    CHECK(format_usd_per_hour(0.526) == "$0.526/h");
    CHECK(format_usd_per_hour(32.7726) == "$32.7726/h");
    CHECK(format_usd_per_hour(3.0) == "$3.00/h");

    CHECK(format_duration(0s) == "0s");
    CHECK(format_duration(45s) == "45s");
    CHECK(format_duration(252s) == "4m 12s");
    CHECK(format_duration(7500s) == "2h 05m");

    // 1764383460 s after the epoch is 2025-11-29 02:31:00 UTC; seconds are dropped, not rounded.
    using clock = std::chrono::system_clock;
    CHECK(format_launch_time(clock::time_point(1764383460s)) == "2025-11-29 02:31 UTC");
    CHECK(format_launch_time(clock::time_point(1764383519s)) == "2025-11-29 02:31 UTC");
    CHECK(format_launch_time(clock::time_point(1s)) == "1970-01-01 00:00 UTC");
    CHECK(format_launch_time(clock::time_point{}) == "at an unknown time");

    CHECK(describe(per_second_billing) == "billed per second");
    CHECK(describe(ec2_billing) == "billed per second, 1 minute minimum");
    CHECK(describe(billing_rule{3600s, 3600s}) == "billed per hour");
    CHECK(describe(billing_rule{60s, 600s}) == "billed per minute, 10 minutes minimum");
}

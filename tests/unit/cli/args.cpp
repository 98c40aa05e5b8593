//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "args.hpp"

#include <catch2/catch.hpp>

using mlcloud_cli::args;
using mlcloud_cli::usage_error;

namespace {

args parse(std::vector<std::string> argv) { return args(std::move(argv), {"follow"}); }

} // namespace

TEST_CASE("a number option takes a finite number above zero")
{
    CHECK(parse({"--max-price", "0.75"}).positive_number<double>("max-price") == 0.75);
    CHECK(parse({"--expected-minutes=30"}).positive_number<int>("expected-minutes") == 30);
    CHECK_FALSE(parse({}).positive_number<double>("max-price").has_value());
    // nan compares false with every price: as a cap it would let any price through.
    for (std::string bad : {"nan", "inf", "-inf", "-1", "0", "1e999", "", "12usd", "0x10"})
    {
        INFO(bad);
        CHECK_THROWS_AS(parse({"--max-price", bad}).positive_number<double>("max-price"), usage_error);
    }
    for (std::string bad : {"-5", "0", "2.5", "99999999999"})
    {
        INFO(bad);
        CHECK_THROWS_AS(parse({"--expected-minutes", bad}).positive_number<int>("expected-minutes"), usage_error);
    }
}

TEST_CASE("unknown options and extra words are usage errors")
{
    CHECK_THROWS_AS(parse({"--colour", "red"}).allow_only({"follow"}), usage_error);
    CHECK_THROWS_AS(parse({"job-1", "python"}).allow_only({"follow"}, 1), usage_error);
    CHECK_NOTHROW(parse({"job-1", "--follow"}).allow_only({"follow"}, 1));
    CHECK_THROWS_AS(parse({"-f"}), usage_error);
}

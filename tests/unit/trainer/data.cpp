//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "data.hpp"

#include <catch2/catch.hpp>

using mlcloud_trainer::parse_number;

TEST_CASE("trainer numbers: what a spreadsheet writes is read and nothing else")
{
    CHECK(parse_number("1.5") == 1.5);
    CHECK(parse_number(" -2e3 ") == -2000.0);
    CHECK(parse_number("+4") == 4.0);
    CHECK(parse_number("1e150") == 1e150);
    CHECK(parse_number("-1e150") == -1e150);
    for (char const* bad : {"+-3", "++3", "-+3", "", " ", "nan", "inf", "-inf", "1e999", "3 4", "0x10", "1,5"})
    {
        INFO(bad);
        CHECK_FALSE(parse_number(bad).has_value());
    }
    // Squares of larger values overflow to infinity, and the model would be NaN.
    CHECK_FALSE(parse_number("1e154").has_value());
    CHECK_FALSE(parse_number("-2e200").has_value());
}

TEST_CASE("trainer numbers: a value too large to train on is refused with that reason")
{
    using namespace mlcloud_trainer;
    auto const table = [](std::string_view text) {
        csv_error why;
        auto t = parse_csv(text, why);
        REQUIRE(t.has_value());
        return *t;
    };
    // A feature, and a regression target the automatic choice must not take for class labels.
    CHECK_THROWS_WITH(prepare_training_data(table("x,y\n1,2\n1e200,3\n"), "y", task_choice::automatic),
                      Catch::Contains("'1e200' is too large"));
    CHECK_THROWS_WITH(prepare_training_data(table("x,y\n1,2\n2,-1e200\n"), "y", task_choice::automatic),
                      Catch::Contains("'-1e200' is too large"));
    CHECK_THROWS_WITH(prepare_training_data(table("x,y\n1,2\noops,3\n"), "y", task_choice::automatic),
                      Catch::Contains("'oops' is not a number"));
}

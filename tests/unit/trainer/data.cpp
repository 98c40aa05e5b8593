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

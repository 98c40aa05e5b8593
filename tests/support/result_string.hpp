//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// REQUIRE(r) on an mlcloud::result shows the error when it fails.
#ifndef MLCLOUD_TEST_RESULT_STRING_HPP
#define MLCLOUD_TEST_RESULT_STRING_HPP

#include <mlcloud/error.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace Catch {
template <class T>
struct StringMaker<mlcloud::result<T>>
{
    static std::string convert(mlcloud::result<T> const& r)
    {
        return r ? std::string("a value") : "error: " + r.error().what();
    }
};
} // namespace Catch

#endif

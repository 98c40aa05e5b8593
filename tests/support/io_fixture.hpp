//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The base of test fixtures that own an io_context and drive one operation at a time on it.
// A base, not a member, so that the context is built before the providers a fixture makes
// from its executor and destroyed after them.
#ifndef MLCLOUD_TEST_IO_FIXTURE_HPP
#define MLCLOUD_TEST_IO_FIXTURE_HPP

#include <mlcloud/blocking.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <utility>

namespace mlcloud_test {

struct io_fixture
{
    boost::asio::io_context ctx;

    /// Runs `op` on `ctx` to its end and returns its result.
    template <class T>
    T run(boost::asio::awaitable<T> op)
    {
        return mlcloud::run_blocking(ctx, std::move(op));
    }
};

} // namespace mlcloud_test

#endif

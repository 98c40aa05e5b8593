//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compile-time benchmark, the peer of api_only.cpp: a TU that includes only <boost/asio.hpp>.
#include <boost/asio.hpp>

int run_once(boost::asio::io_context& ctx)
{
    return static_cast<int>(ctx.poll());
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Helpers shared by the transport's integration tests.
#ifndef MLCLOUD_TESTS_INTEGRATION_NET_TEST_HPP
#define MLCLOUD_TESTS_INTEGRATION_NET_TEST_HPP

#include <mlcloud/blocking.hpp>
#include <mlcloud/net/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <catch2/catch.hpp>
#include <fixtures.hpp>
#include <memory_use.hpp>
#include <result_string.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <unistd.h>

namespace net_test {

namespace net = mlcloud::net;

/// An id no other test (or earlier run against the same fixture) uses.
inline std::string unique_id(std::string const& what)
{
    static std::atomic<int> counter{0};
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return what + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" + std::to_string(++counter);
}

/// The byte at offset i of the test pattern (tests/fakes/net_fault_server.py pattern_byte).
inline char pattern_byte(std::uint64_t i)
{
    return static_cast<char>((i * 31 + 7) % 251);
}

/// Options for fast tests: short backoff, so a retried request does not wait a second.
inline net::client_options fast_options()
{
    net::client_options o;
    o.proxy = net::proxy_options{}; // never the environment's proxy
    o.retry.base_delay = std::chrono::milliseconds(10);
    o.retry.max_delay = std::chrono::milliseconds(50);
    return o;
}

/// GET <base>/stats?id=<id> as JSON, with a client of its own.
inline boost::json::value stats(std::string const& base, std::string const& id)
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    auto r = mlcloud::run_blocking(ctx, http.send({.url = base + "/stats?id=" + id}));
    if (!r || r->status != 200)
        throw std::runtime_error("stats request failed");
    return boost::json::parse(r->body);
}

using mlcloud_test::memory_use;
using mlcloud_test::read_memory_use;
using mlcloud_test::reset_peak_rss;

} // namespace net_test


#endif

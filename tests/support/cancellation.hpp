//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Cancelling an operation the way a caller does (a cancellation slot bound to co_spawn's
// handler, as a timeout wrapper or a stop button would), for the providers' tests.
#ifndef MLCLOUD_TEST_CANCELLATION_HPP
#define MLCLOUD_TEST_CANCELLATION_HPP

#include <mlcloud/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <utility>

namespace mlcloud_test {

/// What a cancelled operation ended with, and how long it ran.
template <class T>
struct cancelled_run
{
    mlcloud::result<T> result;
    std::chrono::steady_clock::duration took;
};

/// Runs `op` on `ctx` and cancels it (terminal) after `delay`, and once more after `again` if
/// given. The operation must end with a result, not an exception, within 20 s.
template <class T>
cancelled_run<T> run_cancelled_after(boost::asio::io_context& ctx, boost::asio::awaitable<mlcloud::result<T>> op,
                                     std::chrono::milliseconds delay,
                                     std::optional<std::chrono::milliseconds> again = std::nullopt)
{
    using namespace std::chrono_literals;
    boost::asio::cancellation_signal cancel;
    std::optional<mlcloud::result<T>> out;
    std::exception_ptr thrown;
    boost::asio::co_spawn(ctx, std::move(op),
                          boost::asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, auto r) {
                              thrown = e;
                              if (!e)
                                  out.emplace(std::move(r));
                          }));
    auto const emit = [&](boost::system::error_code ec) {
        if (!ec)
            cancel.emit(boost::asio::cancellation_type::terminal);
    };
    boost::asio::steady_timer first(ctx, delay);
    first.async_wait(emit);
    boost::asio::steady_timer second(ctx, again.value_or(delay));
    if (again)
        second.async_wait(emit);
    ctx.restart(); // after an earlier run_blocking
    auto const start = std::chrono::steady_clock::now();
    while (!out && !thrown && std::chrono::steady_clock::now() - start < 20s)
        ctx.run_one_for(100ms);
    auto const took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(thrown);
    REQUIRE(out.has_value());
    return {std::move(*out), took};
}

} // namespace mlcloud_test

#endif

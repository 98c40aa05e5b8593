//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_FOLLOW_HPP
#define MLCLOUD_CLI_FOLLOW_HPP

// Printing a job's log: `train --follow` and `logs [--follow]`.

#include <mlcloud/error.hpp>
#include <mlcloud/types.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <iostream>
#include <thread>

namespace mlcloud_cli {

/// Streams for the commands' output and their diagnostics; tests substitute their own.
struct io
{
    std::ostream& out = std::cout;
    std::ostream& err = std::cerr;
    std::istream& in = std::cin;
};

/// How long `logs` without --follow goes on reading while every read brings new lines: a
/// RunPod read collects a live window of events, so a chatty workload never gives an empty one.
inline constexpr std::chrono::seconds snapshot_budget{10};

/// A wait of `d` that a cancellation ends early, as a result rather than an exception.
inline boost::asio::awaitable<mlcloud::result<void>> wait_for(boost::asio::any_io_executor ex,
                                                              std::chrono::milliseconds d)
{
    boost::asio::steady_timer timer(ex, d);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return mlcloud::result<void>{};
}

/// Waits `d`: on the cloud's own context when it has one (mlcloud::blocking, where a Ctrl-C
/// ends the wait), else by sleeping.
template <class Cloud>
void pause(Cloud& cloud, std::chrono::milliseconds d)
{
    if constexpr (requires { cloud.get_executor(); })
        cloud.run(wait_for(cloud.get_executor(), d));
    else
        std::this_thread::sleep_for(d);
}

/// Follows a job's log to its end, printing lines as they arrive; returns the last status.
/// `cloud` is an mlcloud::blocking<B> (or anything with its read_logs and status).
/// Without `follow`: what is written so far, until a read brings nothing new or `budget` has
/// passed.
template <class Cloud>
mlcloud::result<mlcloud::job_status> follow_logs(Cloud& cloud, mlcloud::job_handle const& job, io& io,
                                                 std::chrono::milliseconds interval, bool follow,
                                                 std::chrono::steady_clock::duration budget = snapshot_budget)
{
    auto const deadline = std::chrono::steady_clock::now() + budget;
    mlcloud::log_cursor cursor;
    for (;;)
    {
        auto chunk = cloud.read_logs(job, cursor);
        if (!chunk)
            return chunk.error();
        for (auto const& line : chunk->lines)
            io.out << line << "\n";
        io.out.flush();
        cursor = chunk->next;
        if (chunk->end_of_stream)
            break;
        if (!follow && chunk->lines.empty())
            break; // without --follow: everything written so far, however many chunks it takes
        if (!follow && std::chrono::steady_clock::now() >= deadline)
        {
            io.err << "(the log goes on: stopped reading after "
                   << std::chrono::duration_cast<std::chrono::seconds>(budget).count()
                   << " s; --follow reads to the end)\n";
            break;
        }
        if (chunk->lines.empty())
            pause(cloud, interval);
    }
    return cloud.status(job);
}

} // namespace mlcloud_cli

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_DETAIL_CANCELLATION_HPP
#define MLCLOUD_DETAIL_CANCELLATION_HPP

// What the providers do when the caller cancels an operation (Asio per-operation
// cancellation): operations that started something billed (a multipart upload, a pod, a
// serverless job, an instance) clean it up before they return `errc::cancelled`.
//
// Asio's default makes that impossible: once a coroutine is cancelled, its next co_await
// throws operation_aborted. Such operations therefore run under without_cancellation_throws,
// look for the cancellation themselves (cancelled_now) after waits that end on their own,
// and send their clean-up where no cancellation reaches it (shielded, uncancellable).

#include <mlcloud/error.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace mlcloud::detail {

/// True once the coroutine whose `co_await this_coro::cancellation_state` this is has been
/// cancelled. A cancellation reaches only the wait in progress: after waits that end on their
/// own (a post, a back-off, a DNS wait) this is where it shows. (A plain function, for code
/// that may throw on cancellation: awaiting a coroutine of our own there would throw.)
inline bool cancel_requested(boost::asio::cancellation_state const& state) noexcept
{
    return state.cancelled() != boost::asio::cancellation_type::none;
}

/// True once the calling coroutine has been cancelled. To be awaited where the coroutine does
/// not throw on cancellation, as awaiting it otherwise throws once cancelled.
inline boost::asio::awaitable<bool> cancelled_now()
{
    auto const state = co_await boost::asio::this_coro::cancellation_state;
    co_return cancel_requested(state);
}

/// The completion token of a wait or a request that a cancellation must not end: the caller
/// needs what it waits for, or it is the clean-up of a cancelled operation.
inline auto uncancellable(auto token)
{
    return boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(), std::move(token));
}

/// Runs `operation` in a coroutine of its own that no cancellation reaches: the clean-up of a
/// cancelled operation (from the cancelled coroutine itself, every request would end at once
/// with `cancelled`, and a second cancellation would cut it short).
template <class T>
boost::asio::awaitable<T> shielded(boost::asio::awaitable<T> operation)
{
    auto ex = co_await boost::asio::this_coro::executor;
    auto token = uncancellable(boost::asio::use_awaitable);
    co_return co_await boost::asio::co_spawn(ex, std::move(operation), token);
}

/// Runs `operation` with Asio's throw-if-cancelled off, so that it can stop and clean up rather
/// than throw at its next co_await; the caller's setting is back when it returns.
template <class T>
boost::asio::awaitable<T> without_cancellation_throws(boost::asio::awaitable<T> operation)
{
    namespace asio = boost::asio;
    bool const throwing = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    std::optional<T> out;
    std::exception_ptr thrown;
    try
    {
        out.emplace(co_await std::move(operation));
    }
    catch (...)
    {
        thrown = std::current_exception();
    }
    co_await asio::this_coro::throw_if_cancelled(throwing);
    if (thrown)
        std::rethrow_exception(thrown);
    co_return std::move(*out);
}

/// `operation`, with the operation_aborted that Asio throws in a cancelled coroutine (at a wait
/// awaited with use_awaitable, or at any co_await while throw-if-cancelled is on) turned into
/// errc::cancelled: for a caller that goes through several calls and must report what the
/// ones before the cancellation did.
template <class T>
boost::asio::awaitable<result<T>> aborted_as_cancelled(boost::asio::awaitable<result<T>> operation)
{
    std::optional<result<T>> out;
    try
    {
        out.emplace(co_await std::move(operation));
    }
    catch (boost::system::system_error const& e)
    {
        if (e.code() != boost::asio::error::operation_aborted)
            throw;
    }
    if (!out)
        co_return error(errc::cancelled, "cancelled");
    co_return std::move(*out);
}

} // namespace mlcloud::detail

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_INTERRUPTIBLE_WAITS_HPP
#define MLCLOUD_BOT_INTERRUPTIBLE_WAITS_HPP

// Timed waits that one call ends early, so that a shutdown does not sit out a back-off or a
// flood-control pause (which can last hours). The bot's pauses and the Telegram client's
// waits use it. All on one executor: no locking.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <set>

namespace mlcloud_bot {

class interruptible_waits
{
public:
    using clock = std::chrono::steady_clock;

    explicit interruptible_waits(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}
    interruptible_waits(interruptible_waits const&) = delete;
    interruptible_waits& operator=(interruptible_waits const&) = delete;

    /// Waits until `t`. False when interrupt() ended the wait, or had been called before.
    boost::asio::awaitable<bool> until(clock::time_point t)
    {
        if (interrupted_)
            co_return false;
        if (t <= clock::now())
            co_return true;
        boost::asio::steady_timer timer(ex_, t);
        timers_.insert(&timer);
        boost::system::error_code ec;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        timers_.erase(&timer);
        co_return !interrupted_;
    }

    /// Waits for `d`; false when interrupted.
    boost::asio::awaitable<bool> pause(clock::duration d) { return until(clock::now() + d); }

    /// Ends every wait under way, and every later one at once.
    void interrupt() noexcept
    {
        interrupted_ = true;
        for (auto* timer : timers_)
            timer->cancel();
    }

    bool interrupted() const noexcept { return interrupted_; }

private:
    boost::asio::any_io_executor ex_;
    bool interrupted_ = false;
    // The waits under way. A wait whose coroutine is destroyed mid-wait (its io_context torn
    // down) leaves its pointer here; only interrupt() reads them, and nothing calls it after
    // such a teardown. An erase-on-exit guard would not help: the owner may be gone by then.
    std::set<boost::asio::steady_timer*> timers_;
};

} // namespace mlcloud_bot

#endif

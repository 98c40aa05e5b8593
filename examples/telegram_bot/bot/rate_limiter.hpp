//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_RATE_LIMITER_HPP
#define MLCLOUD_BOT_RATE_LIMITER_HPP

// The outgoing flood limits of the Bot API FAQ: about one message per second in a chat (short
// bursts are tolerated) and about 30 per second overall. Each limit is a GCRA (a token bucket
// written as a "theoretical arrival time"), so a caller learns *when* its message may go
// instead of being refused, and messages keep the order in which they were reserved.
//
// A message takes two slots, one after the other: its chat's slot (possibly in the future,
// when the chat is busy), and then, once that time has come, a global slot. Taking the global
// slot only at sending time keeps a chat that is held back from using up the global budget of
// a time it has not reached yet.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

namespace mlcloud_bot {

struct rate_limit_options
{
    double per_chat_per_second = 1.0; ///< sustained rate in one chat
    unsigned per_chat_burst = 3;      ///< messages that may go back to back in one chat
    double global_per_second = 30.0;  ///< sustained rate over all chats
    unsigned global_burst = 30;
};

class rate_limiter
{
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    /// `now` is the clock; tests pass a fake one.
    explicit rate_limiter(rate_limit_options options = {}, std::function<time_point()> now = &clock::now);

    /// Reserves the next slot of `chat` and returns its time: now, or later. The caller waits
    /// until then; the slot is taken either way.
    time_point reserve_chat(std::int64_t chat);

    /// Reserves the next global slot from now (call it when the chat's slot has come, or
    /// directly for calls that are not messages, such as answerCallbackQuery).
    time_point reserve_global();

    /// After a 429 with retry_after: nothing is sent before `until` (to `chat` only, or to
    /// anyone when `chat` is empty).
    void pause_until(time_point until, std::optional<std::int64_t> chat = std::nullopt);

    rate_limit_options const& options() const noexcept { return options_; }

private:
    struct bucket
    {
        time_point tat{}; ///< theoretical arrival time of the next conforming message
        time_point paused_until{};
    };

    // The earliest time `b` lets a message through, and the bucket after it did.
    static time_point earliest(bucket const& b, clock::duration interval, unsigned burst, time_point now);
    static void take(bucket& b, clock::duration interval, time_point at);
    void forget_idle_chats(time_point now);

    rate_limit_options options_;
    std::function<time_point()> now_;
    clock::duration chat_interval_;
    clock::duration global_interval_;
    bucket global_;
    std::map<std::int64_t, bucket> chats_;
};

} // namespace mlcloud_bot

#endif

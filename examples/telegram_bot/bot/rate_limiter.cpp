//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/rate_limiter.hpp"

#include <algorithm>
#include <stdexcept>

namespace mlcloud_bot {
namespace {

rate_limiter::clock::duration interval_of(double per_second)
{
    if (!(per_second > 0.0))
        throw std::invalid_argument("rate_limiter: rates must be positive");
    return std::chrono::duration_cast<rate_limiter::clock::duration>(std::chrono::duration<double>(1.0 / per_second));
}

} // namespace

rate_limiter::rate_limiter(rate_limit_options options, std::function<time_point()> now)
    : options_(options), now_(std::move(now)), chat_interval_(interval_of(options.per_chat_per_second)),
      global_interval_(interval_of(options.global_per_second))
{
    options_.per_chat_burst = std::max(options_.per_chat_burst, 1u);
    options_.global_burst = std::max(options_.global_burst, 1u);
}

rate_limiter::time_point rate_limiter::earliest(bucket const& b, clock::duration interval, unsigned burst, time_point now)
{
    // GCRA: a message conforms at t when t >= tat - (burst - 1) * interval.
    auto const tolerance = interval * static_cast<int>(burst - 1);
    return std::max({now, b.tat - tolerance, b.paused_until});
}

void rate_limiter::take(bucket& b, clock::duration interval, time_point at)
{
    b.tat = std::max(b.tat, at) + interval;
}

rate_limiter::time_point rate_limiter::reserve_chat(std::int64_t chat)
{
    auto const now = now_();
    forget_idle_chats(now);
    auto [it, inserted] = chats_.try_emplace(chat);
    if (inserted)
        it->second.tat = now;
    auto const at = earliest(it->second, chat_interval_, options_.per_chat_burst, now);
    take(it->second, chat_interval_, at);
    return at;
}

rate_limiter::time_point rate_limiter::reserve_global()
{
    auto const now = now_();
    auto const at = earliest(global_, global_interval_, options_.global_burst, now);
    take(global_, global_interval_, at);
    return at;
}

void rate_limiter::pause_until(time_point until, std::optional<std::int64_t> chat)
{
    auto& b = chat ? chats_[*chat] : global_;
    b.paused_until = std::max(b.paused_until, until);
}

void rate_limiter::forget_idle_chats(time_point now)
{
    // A chat whose bucket has refilled and is not paused behaves like a new one: drop it, so
    // the map holds only chats that spoke recently.
    if (chats_.size() < 256)
        return;
    auto const full = chat_interval_ * static_cast<int>(options_.per_chat_burst);
    std::erase_if(chats_, [&](auto const& kv) { return kv.second.tat + full <= now && kv.second.paused_until <= now; });
}

} // namespace mlcloud_bot

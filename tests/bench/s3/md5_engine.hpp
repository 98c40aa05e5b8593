//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// One thread that hashes the bodies of every connection of the sink together: a connection
// thread hands it a run of whole blocks and goes on receiving the next piece; the engine puts
// up to eight runs on the SIMD lanes at once (md5_lanes.hpp), a slice at a time so that a
// body arriving meanwhile joins at the next slice. A run alone on the engine goes through the
// one-message MD5 (a lane is no faster than it). Partial blocks and the padding stay with the
// connection's thread.

#ifndef MLCLOUD_BENCH_S3_MD5_ENGINE_HPP
#define MLCLOUD_BENCH_S3_MD5_ENGINE_HPP

#include "md5_lanes.hpp"
#include "md5_rounds.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

class md5_engine
{
    // Whole blocks of one message handed to the engine thread.
    struct run_of_blocks
    {
        std::uint32_t* state;
        unsigned char const* data;
        std::size_t blocks;
        bool done = false;
    };

public:
    /// One message being hashed, fed by one thread at a time. Destroy it only after finish()
    /// or settle(): the engine may still be reading its last run.
    class message
    {
        friend class md5_engine;
        std::array<std::uint32_t, 4> state_ = md5_rounds::initial;
        std::uint64_t length_ = 0;
        unsigned char carry_[md5_lanes::block_size]{};
        std::size_t carry_size_ = 0;
        run_of_blocks pending_{nullptr, nullptr, 0, true};
    };

    md5_engine() : lanes_(md5_lanes::x8_available()), thread_([this] { run(); }) {}

    ~md5_engine()
    {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        work_.notify_one();
        thread_.join();
    }

    md5_engine(md5_engine const&) = delete;
    md5_engine& operator=(md5_engine const&) = delete;

    /// Adds `n` bytes. The engine may go on reading `data` after this returns: keep it
    /// unchanged until the next update(), settle() or finish() of `m`.
    void update(message& m, void const* data, std::size_t n)
    {
        constexpr std::size_t bs = md5_lanes::block_size;
        auto const* p = static_cast<unsigned char const*>(data);
        settle(m);
        m.length_ += n;
        if (m.carry_size_ > 0)
        {
            std::size_t const take = std::min(bs - m.carry_size_, n);
            std::memcpy(m.carry_ + m.carry_size_, p, take);
            m.carry_size_ += take;
            p += take;
            n -= take;
            if (m.carry_size_ < bs)
                return;
            md5_lanes::md5_blocks_x1(m.state_.data(), m.carry_, 1);
            m.carry_size_ = 0;
        }
        std::size_t const blocks = n / bs;
        if (blocks >= min_engine_blocks)
            submit(m, p, blocks);
        else if (blocks > 0)
            md5_lanes::md5_blocks_x1(m.state_.data(), p, blocks);
        p += blocks * bs;
        n -= blocks * bs;
        std::memcpy(m.carry_, p, n);
        m.carry_size_ = n;
    }

    /// Waits until the engine is done with the data of `m`'s last update().
    void settle(message& m)
    {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return m.pending_.done; });
    }

    /// The 16-byte binary digest; `m` is spent.
    std::string finish(message& m)
    {
        constexpr std::size_t bs = md5_lanes::block_size;
        settle(m);
        unsigned char tail[2 * bs]{};
        std::memcpy(tail, m.carry_, m.carry_size_);
        tail[m.carry_size_] = 0x80;
        std::size_t const size = m.carry_size_ + 1 + 8 <= bs ? bs : 2 * bs;
        std::uint64_t const bits = m.length_ * 8;
        for (int i = 0; i < 8; ++i)
            tail[size - 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
        md5_lanes::md5_blocks_x1(m.state_.data(), tail, size / bs);
        std::string out(16, '\0');
        for (int w = 0; w < 4; ++w)
            for (int i = 0; i < 4; ++i)
                out[4 * w + i] = static_cast<char>(m.state_[w] >> (8 * i));
        return out;
    }

private:
    // Shorter runs are hashed by the caller: handing them over costs more than it saves.
    static constexpr std::size_t min_engine_blocks = 64;
    // Blocks per lane between looks at the queue.
    static constexpr std::size_t slice = 1024;

    void submit(message& m, unsigned char const* data, std::size_t blocks)
    {
        std::lock_guard lock(mutex_);
        m.pending_ = {m.state_.data(), data, blocks, false};
        queue_.push_back(&m.pending_);
        work_.notify_one();
    }

    void run()
    {
        std::array<run_of_blocks*, md5_lanes::width> lane{};
        // Inactive lanes hash zeros into a state nobody reads.
        std::vector<unsigned char> idle_data(slice * md5_lanes::block_size);
        std::uint32_t idle_state[4] = {};
        for (;;)
        {
            std::size_t active = 0;
            {
                std::unique_lock lock(mutex_);
                auto busy = [&] { return std::any_of(lane.begin(), lane.end(), [](auto* r) { return r; }); };
                work_.wait(lock, [&] { return stopping_ || !queue_.empty() || busy(); });
                if (stopping_ && queue_.empty() && !busy())
                    return;
                for (auto& l : lane)
                    if (!l && !queue_.empty())
                    {
                        l = queue_.front();
                        queue_.pop_front();
                    }
                active = static_cast<std::size_t>(std::count_if(lane.begin(), lane.end(), [](auto* r) { return r; }));
            }
            if (active >= 2 && lanes_)
            {
                std::size_t step = slice;
                for (auto* l : lane)
                    if (l)
                        step = std::min(step, l->blocks);
                std::uint32_t* states[md5_lanes::width];
                unsigned char const* data[md5_lanes::width];
                for (std::size_t i = 0; i < lane.size(); ++i)
                {
                    states[i] = lane[i] ? lane[i]->state : idle_state;
                    data[i] = lane[i] ? lane[i]->data : idle_data.data();
                }
                md5_lanes::md5_blocks_x8(states, data, step);
                for (auto* l : lane)
                    if (l)
                        advance(*l, step);
            }
            else
                for (auto* l : lane)
                    if (l)
                    {
                        std::size_t const step = std::min(slice, l->blocks);
                        md5_lanes::md5_blocks_x1(l->state, l->data, step);
                        advance(*l, step);
                    }
            finish_done(lane);
        }
    }

    static void advance(run_of_blocks& r, std::size_t blocks)
    {
        r.data += blocks * md5_lanes::block_size;
        r.blocks -= blocks;
    }

    void finish_done(std::array<run_of_blocks*, md5_lanes::width>& lane)
    {
        bool any = false;
        std::lock_guard lock(mutex_);
        for (auto& l : lane)
            if (l && l->blocks == 0)
            {
                l->done = true;
                l = nullptr;
                any = true;
            }
        if (any)
            done_.notify_all();
    }

    bool const lanes_;
    std::mutex mutex_;
    std::condition_variable work_, done_;
    std::deque<run_of_blocks*> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The S3 sink's multi-buffer MD5 (md5_lanes.hpp, md5_engine.hpp) against OpenSSL. Built with
// the tests, not only the benchmarks, so that CI runs it under the sanitizers.

#include "md5_engine.hpp"
#include "md5_self_test.hpp"

#include <catch2/catch.hpp>

#include <random>

TEST_CASE("s3_sink md5: the eight lanes give each message the digest of the one-message MD5", "[bench][md5]")
{
    if (!md5_lanes::x8_available())
    {
        WARN("MLCLOUD_SKIP: no AVX2 on this CPU");
        return;
    }
    constexpr std::size_t blocks = 37;
    std::mt19937_64 rng(99);
    std::vector<std::string> data(md5_lanes::width, std::string(blocks * md5_lanes::block_size, '\0'));
    for (auto& d : data)
        for (auto& c : d)
            c = static_cast<char>(rng());
    std::uint32_t lanes[md5_lanes::width][4], alone[md5_lanes::width][4];
    std::uint32_t* states[md5_lanes::width];
    unsigned char const* pointers[md5_lanes::width];
    for (std::size_t i = 0; i < md5_lanes::width; ++i)
    {
        for (int w = 0; w < 4; ++w)
            lanes[i][w] = alone[i][w] = static_cast<std::uint32_t>(rng());
        states[i] = lanes[i];
        pointers[i] = reinterpret_cast<unsigned char const*>(data[i].data());
        md5_lanes::md5_blocks_x1(alone[i], pointers[i], blocks);
    }
    md5_lanes::md5_blocks_x8(states, pointers, blocks);
    for (std::size_t i = 0; i < md5_lanes::width; ++i)
    {
        INFO("lane " << i << " (" << md5_lanes::x8_name() << ")");
        CHECK(std::equal(std::begin(lanes[i]), std::end(lanes[i]), std::begin(alone[i])));
    }
}

TEST_CASE("s3_sink md5: the engine's digests are OpenSSL's for messages fed by many threads at once", "[bench][md5]")
{
    md5_engine engine;
    CHECK(md5_self_test::wrong_digests(engine, 6, 12) == 0);

    md5_engine::message empty;
    CHECK(engine.finish(empty) == md5_self_test::reference(""));
}

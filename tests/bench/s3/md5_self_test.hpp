//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The sink's MD5 engine against OpenSSL, for `s3_sink --self-test` and the unit test
// (md5_engine_test.cpp): messages of many lengths, fed in pieces of random sizes by several
// threads at once, so that runs share the lanes, join them and leave them mid-way.

#ifndef MLCLOUD_BENCH_S3_MD5_SELF_TEST_HPP
#define MLCLOUD_BENCH_S3_MD5_SELF_TEST_HPP

#include "md5_engine.hpp"

#include <openssl/evp.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace md5_self_test {

/// OpenSSL's MD5 of `bytes` (16 bytes).
inline std::string reference(std::string const& bytes)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(bytes.data(), bytes.size(), out, &n, EVP_md5(), nullptr);
    return std::string(reinterpret_cast<char*>(out), n);
}

/// How many of `threads` × `messages` digests differ from OpenSSL's.
inline int wrong_digests(md5_engine& engine, int threads, int messages)
{
    std::atomic<int> wrong{0};
    std::vector<std::thread> feeders;
    for (int t = 0; t < threads; ++t)
        feeders.emplace_back([t, messages, &engine, &wrong] {
            std::mt19937_64 rng(1234 + t);
            for (int i = 0; i < messages; ++i)
            {
                // The first lengths put the padding into a second block; the rest reach the
                // engine in runs of many blocks.
                std::size_t const length = i < 4 ? std::size_t(55 + i * 4) : std::size_t(rng() % (3u << 20));
                std::string bytes(length, '\0');
                for (auto& c : bytes)
                    c = static_cast<char>(rng());
                md5_engine::message h;
                for (std::size_t at = 0; at < length;)
                {
                    std::size_t const piece = std::min<std::size_t>(length - at, 1 + rng() % (600u << 10));
                    engine.update(h, bytes.data() + at, piece);
                    engine.settle(h); // `bytes` outlives the loop, but a piece is done with here
                    at += piece;
                }
                if (engine.finish(h) != reference(bytes))
                    ++wrong;
            }
        });
    for (auto& f : feeders)
        f.join();
    return wrong;
}

} // namespace md5_self_test

#endif

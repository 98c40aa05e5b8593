//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The download's sliding window, against a GetObject endpoint in this process that can hold
// a range back: `download_concurrency` ranges really are in flight together, never more, and a slow
// range does not hold up the ranges after it (the workers go on; a batch would wait).

#include "aws_test.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

using namespace aws_test;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// One object of `size` pattern bytes served by ranges, a thread per connection. Ranged GETs
// after the first wait at a gate until `gate_width` of them are in flight at once (or 10 s
// pass), and 200 ms more in which a request beyond the window would show; the range starting
// at `slow_first` is then held until every other range has been answered (or 10 s pass).
// What happened is recorded for the test to check.
class range_server
{
public:
    range_server(std::uint64_t size, std::size_t gate_width, std::uint64_t slow_first)
        : size_(size), gate_width_(gate_width), slow_first_(slow_first)
    {
        accepting_ = std::thread([this] { accept_loop(); });
    }

    ~range_server()
    {
        stopping_ = true;
        boost::system::error_code ec;
        tcp::socket wake(ctx_);
        wake.connect(acceptor_.local_endpoint(), ec); // unblocks accept()
        accepting_.join();
        for (auto& t : connections_)
            t.join();
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }

    struct record
    {
        std::size_t max_in_flight = 0;
        bool gate_opened = false;        // gate_width ranges were in flight at once
        bool slow_released_early = false; // the slow range was answered before the others were
        std::size_t answered_before_slow = 0;
        std::size_t ranged_gets = 0;
    };
    record result()
    {
        std::lock_guard lock(mutex_);
        return record_;
    }

private:
    void accept_loop()
    {
        while (!stopping_)
        {
            auto socket = std::make_shared<tcp::socket>(ctx_);
            boost::system::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_)
                return;
            connections_.emplace_back([this, socket] { serve(*socket); });
        }
    }

    void serve(tcp::socket& socket)
    {
        boost::beast::flat_buffer buffer;
        for (;;)
        {
            http::request<http::empty_body> req;
            boost::system::error_code ec;
            http::read(socket, buffer, req, ec);
            if (ec)
                return;
            auto const range = parse_range(req[http::field::range]);
            if (!range)
                return;
            hold(range->first);
            http::response<http::string_body> res{http::status::partial_content, 11};
            res.set(http::field::etag, "\"window-etag\"");
            res.set(http::field::content_range, "bytes " + std::to_string(range->first) + "-" +
                                                     std::to_string(range->last) + "/" + std::to_string(size_));
            res.body().resize(static_cast<std::size_t>(range->last - range->first + 1));
            for (std::size_t i = 0; i < res.body().size(); ++i)
                res.body()[i] = pattern_byte(range->first + i);
            res.prepare_payload();
            answered(range->first);
            http::write(socket, res, ec);
            if (ec)
                return;
        }
    }

    struct byte_range
    {
        std::uint64_t first, last;
    };
    std::optional<byte_range> parse_range(std::string_view v) const
    {
        unsigned long long first = 0, last = 0;
        if (std::sscanf(std::string(v).c_str(), "bytes=%llu-%llu", &first, &last) != 2 || first > last)
            return std::nullopt;
        return byte_range{first, std::min<std::uint64_t>(last, size_ - 1)};
    }

    void hold(std::uint64_t first)
    {
        std::unique_lock lock(mutex_);
        if (first == 0)
            return; // the first GET, alone: it gives the size and the ETag
        ++record_.ranged_gets;
        ++in_flight_;
        record_.max_in_flight = std::max(record_.max_in_flight, in_flight_);
        if (in_flight_ >= gate_width_ && !record_.gate_opened)
        {
            record_.gate_opened = true;
            gate_opened_at_ = std::chrono::steady_clock::now();
        }
        changed_.notify_all();
        changed_.wait_for(lock, 10s, [&] { return record_.gate_opened; });
        // The gate stays shut 200 ms more: time for a request beyond the window to show up.
        if (record_.gate_opened)
            changed_.wait_until(lock, gate_opened_at_ + 200ms, [] { return false; });
        if (first == slow_first_)
        {
            changed_.wait_for(lock, 10s, [&] { return answered_ + 1 == ranges_after_first(); });
            record_.answered_before_slow = answered_;
            record_.slow_released_early = answered_ + 1 != ranges_after_first();
        }
    }

    void answered(std::uint64_t first)
    {
        std::lock_guard lock(mutex_);
        if (first == 0)
            return;
        --in_flight_;
        ++answered_;
        changed_.notify_all();
    }

    std::size_t ranges_after_first() const { return static_cast<std::size_t>((size_ + chunk - 1) / chunk) - 1; }

public:
    static constexpr std::uint64_t chunk = 64 * 1024;

private:
    std::uint64_t size_;
    std::size_t gate_width_;
    std::uint64_t slow_first_;
    asio::io_context ctx_;
    tcp::acceptor acceptor_{ctx_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::atomic<bool> stopping_{false};
    std::thread accepting_;
    std::vector<std::thread> connections_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t in_flight_ = 0;
    std::size_t answered_ = 0;
    std::chrono::steady_clock::time_point gate_opened_at_{};
    record record_;
};

} // namespace

TEST_CASE("s3_client: a download keeps its window of ranges in flight together and a slow range holds up no other",
          "[aws][s3][download]")
{
    // 12 ranges of 64 KiB, the last one short: the first GET, then 11 in the window of 4.
    std::uint64_t const size = 11 * range_server::chunk + 1000;
    std::uint64_t const slow = 2 * range_server::chunk; // the second range of the window
    temp_file dst("window-held");
    range_server::record seen;
    {
        range_server server(size, 4, slow);
        {
            mlcloud_test::io_fixture io;
            aws::s3_client_options o;
            o.endpoint = server.endpoint();
            o.credentials = aws::static_credentials(test_credentials());
            o.addressing = aws::s3_addressing::path_style;
            o.download_concurrency = 4;
            o.download_chunk_size = range_server::chunk;
            aws::s3_client s3(io.ctx.get_executor(), o, fast_http());
            auto down = io.run(s3.download_file("bucket", "held.bin", dst.path));
            REQUIRE(down);
            CHECK(down->size == size);
            CHECK(has_pattern(dst.path, size));
        } // the client and its keep-alive connections are gone: the server's threads end
        seen = server.result();
    }
    CHECK(seen.ranged_gets == 11);
    CHECK(seen.gate_opened);          // four ranges were in flight at once...
    CHECK(seen.max_in_flight == 4);   // ...and never more
    CHECK_FALSE(seen.slow_released_early);
    CHECK(seen.answered_before_slow == 10); // the other workers fetched every other range meanwhile
}

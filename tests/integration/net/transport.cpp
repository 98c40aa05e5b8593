//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The HTTP client against tests/fakes/net_fault_server.py on 127.0.0.1: keep-alive, the
// retry and idempotency rules, timeouts, limits, streaming to and from files, progress.
// Most cases go through mlcloud::run_blocking, so its timeouts are checked too.

#include "net_test.hpp"

#include <mlcloud/net/detail/send_file.hpp> // send_file_some, tested on its own for SIGPIPE
#include <mlcloud/net/redact.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net = mlcloud::net;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using net_test::fast_options;
using net_test::unique_id;

namespace {

std::string fault() { return mlcloud_test::fixture_url("net_fault"); }

struct client_fixture
{
    explicit client_fixture(net::client_options o = fast_options())
        : http(ctx.get_executor(), [&] {
              o.on_log = [this](net::log_event const& e) {
                  logged.push_back({std::string(e.url), e.status, e.attempt, e.reused_connection, std::string(e.error)});
              };
              return o;
          }())
    {
    }

    mlcloud::result<net::response> send(net::request r) { return mlcloud::run_blocking(ctx, http.send(std::move(r))); }

    struct entry
    {
        std::string url;
        int status;
        unsigned attempt;
        bool reused;
        std::string error;
    };

    boost::asio::io_context ctx;
    std::vector<entry> logged;
    net::http_client http;
};

long requests_seen(std::string const& id) { return net_test::stats(fault(), id).at("requests").as_int64(); }
long connections_seen(std::string const& id) { return net_test::stats(fault(), id).at("connections").as_int64(); }

std::filesystem::path temp_path(std::string const& name)
{
    return std::filesystem::temp_directory_path() / unique_id("mlcloud-net-" + name);
}

// Writes `size` bytes of the test pattern, through a 1 MiB buffer.
void write_pattern_file(std::filesystem::path const& path, std::uint64_t size, std::uint64_t prefix_junk = 0)
{
    std::ofstream out(path, std::ios::binary);
    std::string junk(prefix_junk, '#');
    out.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    std::vector<char> buf(1 << 20);
    for (std::uint64_t done = 0; done < size;)
    {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - done));
        for (std::size_t i = 0; i < n; ++i)
            buf[i] = net_test::pattern_byte(done + i);
        out.write(buf.data(), static_cast<std::streamsize>(n));
        done += n;
    }
    out << "trailing junk";
}

// True when the file holds exactly `size` bytes of the pattern (read through a buffer).
bool file_has_pattern(std::filesystem::path const& path, std::uint64_t size)
{
    if (std::filesystem::file_size(path) != size)
        return false;
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buf(1 << 20);
    for (std::uint64_t done = 0; done < size;)
    {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - done));
        in.read(buf.data(), static_cast<std::streamsize>(n));
        for (std::size_t i = 0; i < n; ++i)
            if (buf[i] != net_test::pattern_byte(done + i))
                return false;
        done += n;
    }
    return true;
}

// The request, from a coroutine that does not throw on cancellation (as the S3 transfers'
// workers): the transport itself must end it with errc::cancelled.
boost::asio::awaitable<mlcloud::result<net::response>> send_not_throwing(net::http_client& http, net::request req)
{
    co_await boost::asio::this_coro::throw_if_cancelled(false);
    co_return co_await http.send(std::move(req));
}

// What a request cancelled (terminal) after `delay` ended with, and how long it ran (at most
// 10 s).
struct cancelled_send
{
    std::optional<mlcloud::result<net::response>> result;
    bool threw = false;
    std::chrono::steady_clock::duration took{};

    cancelled_send(boost::asio::io_context& ctx, net::http_client& http, net::request req,
                   std::chrono::milliseconds delay)
    {
        boost::asio::cancellation_signal cancel;
        boost::asio::co_spawn(ctx, send_not_throwing(http, std::move(req)),
                              boost::asio::bind_cancellation_slot(cancel.slot(), [this](std::exception_ptr e, auto r) {
                                  threw = e != nullptr;
                                  if (!e)
                                      result.emplace(std::move(r));
                              }));
        boost::asio::steady_timer timer(ctx, delay);
        timer.async_wait([&](boost::system::error_code ec) {
            if (!ec)
                cancel.emit(boost::asio::cancellation_type::terminal);
        });
        auto const start = std::chrono::steady_clock::now();
        while (!result && !threw && std::chrono::steady_clock::now() - start < 10s)
            ctx.run_one();
        took = std::chrono::steady_clock::now() - start;
    }

    bool cancelled() const { return !threw && result && !*result && result->error().is(mlcloud::errc::cancelled); }
};

} // namespace

// ---------------------------------------------------------------------------------------
// Keep-alive

TEST_CASE("net: keep-alive reuses one connection", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("keepalive");
    for (int i = 0; i < 5; ++i)
    {
        auto r = c.send({.url = fault() + "/hello?id=" + id});
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body == "hello");
    }
    CHECK(requests_seen(id) == 5);
    CHECK(connections_seen(id) == 1);
    CHECK(c.http.idle_connections() == 1);
    REQUIRE(c.logged.size() == 5);
    CHECK_FALSE(c.logged[0].reused);
    CHECK(c.logged[4].reused);
}

TEST_CASE("net: a dropped idle connection is replaced transparently, even for a POST", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("idleclose");
    auto post = [&] {
        return c.send({.method = net::method::post, .url = fault() + "/idle-close?after=0.1&id=" + id, .body = "{}"});
    };
    auto first = post();
    REQUIRE(first);
    CHECK(c.http.idle_connections() == 1);
    std::this_thread::sleep_for(400ms); // the server closes the idle connection meanwhile
    auto second = post();
    REQUIRE(second);
    CHECK(second->status == 200);
    CHECK(second->attempts == 1);
    CHECK(requests_seen(id) == 2); // nothing was sent twice
    CHECK(connections_seen(id) == 2);
    REQUIRE(c.logged.size() == 2);
    CHECK_FALSE(c.logged[1].reused); // the dead connection was found before sending
}

TEST_CASE("net: the pool caps connections per host, waiting requests get the freed one", "[net][integration]")
{
    auto o = fast_options();
    o.pool.max_connections_per_host = 1;
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), o);
    auto id = unique_id("poolcap");
    std::vector<int> statuses;
    for (int i = 0; i < 3; ++i)
        boost::asio::co_spawn(
            ctx,
            [&]() -> boost::asio::awaitable<void> {
                // A named request: GCC 12 destroys an aggregate temporary inside a co_await
                // expression twice (see docs/transport.md).
                net::request req{.url = fault() + "/slow-headers?delay=0.2&id=" + id};
                auto r = co_await http.send(std::move(req));
                statuses.push_back(r ? r->status : -1);
            },
            boost::asio::detached);
    ctx.run(); // the coroutine path, without run_blocking
    CHECK(statuses == std::vector<int>{200, 200, 200});
    CHECK(connections_seen(id) == 1);
}

TEST_CASE("net: a cancelled request gives its connection slot back", "[net][integration]")
{
    auto o = fast_options();
    o.pool.max_connections_per_host = 1;
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), o);
    net::request slow{.url = fault() + "/slow-headers?delay=5&id=" + unique_id("cancel")};
    cancelled_send first(ctx, http, std::move(slow), 200ms);
    CHECK(first.took < 4s); // not the server's 5 s
    CHECK(first.cancelled());
    // The one slot of this host is free again: the next request does not wait for it.
    ctx.restart();
    auto next = mlcloud::run_blocking(ctx, http.send({.url = fault() + "/hello", .timeouts = {.request = 3s}}));
    REQUIRE(next);
    CHECK(next->status == 200);
}

TEST_CASE("net: a request cancelled while it waits for a free connection ends cancelled, not timed out",
          "[net][integration]")
{
    auto o = fast_options();
    o.pool.max_connections_per_host = 1;
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), o);
    auto id = unique_id("cancelwait");
    // The host's one connection is busy for 2 s; the second request waits for it.
    std::optional<mlcloud::result<net::response>> holder;
    net::request hold{.url = fault() + "/slow-headers?delay=2&id=" + id};
    boost::asio::co_spawn(ctx, http.send(std::move(hold)), [&](std::exception_ptr, auto r) { holder.emplace(std::move(r)); });
    net::request waiting{.url = fault() + "/hello?id=" + id};
    cancelled_send second(ctx, http, std::move(waiting), 300ms);
    CHECK(second.took < 1500ms); // not the holder's 2 s, nor the request timeout
    CHECK(second.cancelled());
    ctx.restart();
    while (!holder)
        ctx.run_one();
    CHECK(requests_seen(id) == 1); // the cancelled one was never sent
}

// ---------------------------------------------------------------------------------------
// Retries

TEST_CASE("net: a request cancelled during its retry back-off is not tried again", "[net][integration]")
{
    // 503 with Retry-After: 5, then 200: the cancellation lands in the 5 s back-off.
    client_fixture c;
    auto id = unique_id("cancelretry");
    net::request req{.url = fault() + "/status?codes=503,200&retry_after=5&id=" + id};
    cancelled_send r(c.ctx, c.http, std::move(req), 300ms);
    CHECK(r.took < 3s);
    CHECK(r.cancelled());
    CHECK(requests_seen(id) == 1);
}

TEST_CASE("net: a reset before the response headers is retried for a GET", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("reset1");
    auto r = c.send({.url = fault() + "/reset-before-headers?times=1&id=" + id});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "recovered");
    CHECK(r->attempts == 2);
    CHECK(requests_seen(id) == 2);
}

TEST_CASE("net: resets on every attempt end in a clear network error after 3 attempts", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("resetall");
    auto r = c.send({.url = fault() + "/reset-before-headers?id=" + id});
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK_THAT(r.error().message, Contains("closed the connection before responding"));
    CHECK_THAT(r.error().message, Contains("after 3 attempts"));
    CHECK(r.error().retry_safe);
    CHECK_THAT(r.error().operation, Contains("GET http://127.0.0.1:"));
    CHECK(requests_seen(id) == 3);
}

TEST_CASE("net: a reset in the middle of the body is retried for a GET", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("midbody");
    auto r = c.send({.url = fault() + "/reset-mid-body?times=1&id=" + id});
    REQUIRE(r);
    CHECK(r->body == std::string(1000, 'y'));
    CHECK(r->attempts == 2);
}

TEST_CASE("net: 500 then success is retried, 503 forever returns the last 503", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("500");
    auto r = c.send({.url = fault() + "/status?codes=500,200&id=" + id});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->attempts == 2);

    auto id2 = unique_id("503");
    auto r2 = c.send({.url = fault() + "/status?codes=503&id=" + id2});
    REQUIRE(r2);
    CHECK(r2->status == 503);
    CHECK(r2->attempts == 3);
    CHECK(requests_seen(id2) == 3);
    auto e = net::http_error(*r2, "GetThing");
    CHECK(e.is(mlcloud::errc::throttled));
    CHECK(e.http_status == 503);
    CHECK(e.request_id == "fault-503");
    CHECK_THAT(e.message, Contains("HTTP 503 Service Unavailable: status 503 for request 3 (after 3 attempts)"));
}

TEST_CASE("net: 429 with Retry-After waits what the server asked", "[net][integration]")
{
    auto o = fast_options();
    o.retry.base_delay = 1ms;
    client_fixture c(o);
    auto id = unique_id("429");
    auto start = std::chrono::steady_clock::now();
    auto r = c.send({.url = fault() + "/status?codes=429,200&retry_after=1&id=" + id});
    auto waited = std::chrono::steady_clock::now() - start;
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->attempts == 2);
    CHECK(waited >= 950ms); // the backoff alone would have been a millisecond

    auto dated = c.send({.url = fault() + "/status?codes=429,200&retry_after_date=1&id=" + unique_id("429d")});
    REQUIRE(dated);
    CHECK(dated->status == 200);
    CHECK(dated->attempts == 2);

    // Longer than max_retry_after: handed back at once, for the caller to decide.
    auto id3 = unique_id("429long");
    auto r3 = c.send({.url = fault() + "/status?codes=429,200&retry_after=300&id=" + id3});
    REQUIRE(r3);
    CHECK(r3->status == 429);
    CHECK(r3->attempts == 1);
    CHECK(net::http_error(*r3).is(mlcloud::errc::throttled));
}

TEST_CASE("net: the retry quota is shared by the client's requests", "[net][integration]")
{
    auto o = fast_options();
    o.retry.quota_capacity = 10;
    client_fixture c(o);
    auto r = c.send({.url = fault() + "/status?codes=503&id=" + unique_id("quota1")});
    REQUIRE(r);
    CHECK(r->attempts == 3); // two retries took all 10 tokens
    CHECK(c.http.retry_quota_available() == 0);
    auto id = unique_id("quota2");
    auto r2 = c.send({.url = fault() + "/status?codes=503,200&id=" + id});
    REQUIRE(r2);
    CHECK(r2->status == 503);
    CHECK(r2->attempts == 1);
    CHECK(requests_seen(id) == 1);
}

TEST_CASE("net: the prepare hook runs before every attempt on a fresh copy", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("prepare");
    std::vector<unsigned> calls;
    net::request req{.url = fault() + "/status?codes=503,503,200&id=" + id,
                     .headers = {{"X-Static", "kept"}},
                     .prepare = [&](net::request& r, unsigned attempt) -> mlcloud::result<void> {
                         calls.push_back(attempt);
                         CHECK(r.headers.get("host").has_value()); // transport headers are in place
                         r.headers.add("X-Attempt", std::to_string(attempt)); // add: a leftover would show
                         return {};
                     }};
    auto r = c.send(req);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(calls == std::vector<unsigned>{1, 2, 3});
    auto seen = net_test::stats(fault(), id).at("headers").as_array();
    REQUIRE(seen.size() == 3);
    for (std::size_t i = 0; i < 3; ++i)
    {
        CHECK(seen[i].at("x-attempt").as_string() == std::to_string(i + 1));
        CHECK(seen[i].at("x-static").as_string() == "kept");
    }

    net::request failing{.url = fault() + "/hello",
                         .prepare = [](net::request&, unsigned) -> mlcloud::result<void> {
                             return mlcloud::error(mlcloud::errc::unauthorized, "no credentials");
                         }};
    auto f = c.send(failing);
    REQUIRE_FALSE(f);
    CHECK(f.error().is(mlcloud::errc::unauthorized));
}

// ---------------------------------------------------------------------------------------
// Idempotency and outcome_unknown

TEST_CASE("net: a replayable request that timed out after sending is sent again unless it asks not to be",
          "[net][integration]")
{
    client_fixture c;
    for (bool const retry_timeouts : {true, false})
    {
        auto id = unique_id(retry_timeouts ? "timeoutretry" : "timeoutonce");
        net::request req{.method = net::method::post,
                         .url = fault() + "/slow-headers?delay=2&id=" + id,
                         .idempotent = true,
                         .timeouts = {.request = 300ms}};
        req.retry_timeouts = retry_timeouts;
        auto r = c.send(std::move(req));
        REQUIRE_FALSE(r);
        INFO(r.error().what());
        CHECK(r.error().is(mlcloud::errc::timeout));
        if (retry_timeouts)
            CHECK(requests_seen(id) > 1);
        else
        {
            CHECK(requests_seen(id) == 1);
            CHECK_THAT(r.error().message, Contains("not to be sent again after a timeout"));
        }
    }
}

TEST_CASE("net: a POST cut after sending is outcome_unknown and not retried", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("postcut");
    auto r = c.send({.method = net::method::post, .url = fault() + "/post-cut?times=1&id=" + id, .body = R"({"a":1})"});
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::outcome_unknown));
    CHECK_FALSE(r.error().retry_safe);
    CHECK_THAT(r.error().message, Contains("may have taken effect"));
    CHECK(requests_seen(id) == 1);
}

TEST_CASE("net: a POST with an idempotency key is retried after a cut", "[net][integration]")
{
    auto o = fast_options();
    o.idempotency_header = "Idempotency-Key";
    client_fixture c(o);
    auto id = unique_id("postkey");
    auto r = c.send({.method = net::method::post,
                     .url = fault() + "/post-cut?times=1&id=" + id,
                     .body = R"({"a":1})",
                     .idempotency_key = "launch-" + id});
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "created");
    CHECK(r->attempts == 2);
    auto seen = net_test::stats(fault(), id).at("headers").as_array();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].at("idempotency-key").as_string() == "launch-" + id);
    CHECK(seen[1].at("idempotency-key").as_string() == "launch-" + id);
}

TEST_CASE("net: a 5xx answer to a POST is returned, not retried", "[net][integration]")
{
    client_fixture c;
    auto id = unique_id("post500");
    auto r = c.send({.method = net::method::post, .url = fault() + "/status?codes=500,200&id=" + id, .body = "x"});
    REQUIRE(r);
    CHECK(r->status == 500);
    CHECK(r->attempts == 1);
    CHECK(requests_seen(id) == 1);
}

TEST_CASE("net: a refused connection is retried even for a POST: nothing was sent", "[net][integration]")
{
    // A port that was free a moment ago: nothing listens there.
    boost::asio::io_context probe;
    boost::asio::ip::tcp::acceptor a(probe, {boost::asio::ip::make_address("127.0.0.1"), 0});
    auto port = a.local_endpoint().port();
    a.close();
    client_fixture c;
    auto r = c.send({.method = net::method::post, .url = "http://127.0.0.1:" + std::to_string(port) + "/x", .body = "{}"});
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK(r.error().retry_safe);
    CHECK_THAT(r.error().message, Contains("failed"));
    CHECK(c.logged.size() == 3);
}

// ---------------------------------------------------------------------------------------
// Timeouts

TEST_CASE("net: slow headers hit the idle timeout, bounded, through run_blocking", "[net][integration]")
{
    auto o = fast_options();
    o.timeouts.idle = 300ms;
    o.retry.max_attempts = 2;
    client_fixture c(o);
    auto start = std::chrono::steady_clock::now();
    auto r = c.send({.url = fault() + "/slow-headers?delay=10&id=" + unique_id("slow")});
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::timeout));
    CHECK_THAT(r.error().message, Contains("idle timeout"));
    CHECK_THAT(r.error().message, Contains("after 2 attempts"));
    CHECK(took < 8s); // the server would have answered after 10 s per attempt
}

TEST_CASE("net: the whole-request timeout bounds an attempt, per-request overrides apply", "[net][integration]")
{
    client_fixture c; // idle timeout 60 s by default
    auto r = c.send({.url = fault() + "/slow-headers?delay=10&id=" + unique_id("reqto"),
                     .timeouts = {.request = 400ms}});
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::timeout));
    CHECK_THAT(r.error().message, Contains("request timeout"));
    CHECK(c.logged.size() == 3);
}

TEST_CASE("net: a POST that times out after sending is outcome_unknown", "[net][integration]")
{
    auto o = fast_options();
    o.timeouts.idle = 300ms;
    client_fixture c(o);
    auto id = unique_id("posttimeout");
    auto r = c.send({.method = net::method::post, .url = fault() + "/slow-headers?delay=5&id=" + id, .body = "{}"});
    REQUIRE_FALSE(r);
    CHECK(r.error().is(mlcloud::errc::outcome_unknown));
    CHECK_THAT(r.error().message, Contains("idle timeout"));
    CHECK(requests_seen(id) == 1);
}

// ---------------------------------------------------------------------------------------
// Bodies: truncation, limits, streaming, progress

TEST_CASE("net: a truncated body is retried, then reported with what arrived", "[net][integration]")
{
    client_fixture c;
    auto r = c.send({.url = fault() + "/truncated"});
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK_THAT(r.error().message, Contains("after 500 of 1000 body bytes"));
    CHECK(r.error().http_status == 200);
    CHECK(r.error().request_id == "truncated-1");
    CHECK(c.logged.size() == 3);

    // A per-request attempt budget replaces the client's.
    auto once = c.send({.url = fault() + "/truncated", .max_attempts = 1});
    REQUIRE_FALSE(once);
    CHECK(c.logged.size() == 4);
}

TEST_CASE("net: the body size limit is enforced, known length or chunked, without retry", "[net][integration]")
{
    auto o = fast_options();
    o.max_body_size = 1 << 20;
    client_fixture c(o);
    for (std::string chunked : {"0", "1"})
    {
        auto r = c.send({.url = fault() + "/big?size=3000000&chunked=" + chunked});
        REQUIRE_FALSE(r);
        INFO(r.error().what());
        CHECK(r.error().is(mlcloud::errc::payload_too_large));
    }
    CHECK(c.logged.size() == 2);
    // For a POST the server has answered: still payload_too_large, not outcome_unknown.
    auto post = c.send({.method = net::method::post, .url = fault() + "/big?size=3000000", .body = "{}"});
    REQUIRE_FALSE(post);
    CHECK(post.error().is(mlcloud::errc::payload_too_large));
    CHECK_FALSE(post.error().retry_safe);
    // The default limit is well above Beast's 8 MB: a 20 MB Telegram download fits.
    client_fixture d;
    auto big = d.send({.url = fault() + "/big?size=20000000", .max_body_size = 21000000});
    REQUIRE(big);
    CHECK(big->body.size() == 20000000);
    CHECK(net::client_options{}.max_body_size >= 20000000);
}

namespace {

// A server for one connection, on its own thread: it takes the request head, then does
// `behave` with the socket (answer in pieces, stop reading, reset, ...).
class one_connection_peer
{
public:
    using behaviour = std::function<void(boost::asio::ip::tcp::socket&)>;

    explicit one_connection_peer(behaviour behave)
        : acceptor_(ctx_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          thread_([this, b = std::move(behave)] { serve(b); })
    {
    }
    ~one_connection_peer() { thread_.join(); }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/x"; }

    /// Reads and drops `n` bytes (fewer if the connection ends).
    static void drain(boost::asio::ip::tcp::socket& socket, std::uint64_t n)
    {
        std::vector<char> buffer(1 << 16);
        boost::system::error_code ec;
        while (n > 0 && !ec)
            n -= socket.read_some(boost::asio::buffer(buffer.data(), std::min<std::uint64_t>(n, buffer.size())), ec);
    }

private:
    void serve(behaviour const& behave)
    {
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket socket(ctx_);
        acceptor_.accept(socket, ec);
        if (ec)
            return;
        // The head, byte by byte: nothing of the body is taken with it.
        std::string head;
        char c = 0;
        while (head.find("\r\n\r\n") == std::string::npos && boost::asio::read(socket, boost::asio::buffer(&c, 1), ec) == 1)
            head += c;
        behave(socket);
    }

    boost::asio::io_context ctx_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

// Answers with `pieces`, each written on its own after a pause (TCP_NODELAY), so the client
// reads them as separate arrivals; then half-closes and waits for the client to close.
one_connection_peer::behaviour answer_in_pieces(std::vector<std::string> pieces)
{
    return [pieces = std::move(pieces)](boost::asio::ip::tcp::socket& socket) {
        boost::system::error_code ec;
        socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
        for (auto const& piece : pieces)
        {
            std::this_thread::sleep_for(30ms);
            boost::asio::write(socket, boost::asio::buffer(piece), ec);
        }
        socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        char buffer[4096];
        while (!ec)
            socket.read_some(boost::asio::buffer(buffer), ec);
    };
}

} // namespace

TEST_CASE("fuzz regression: a chunked body's last chunk and its trailer arriving a byte at a time", "[net][integration][fuzz]")
{
    // Beast before 1.86 asserted when "0\r\n" arrived alone and the next read brought one
    // byte (boostorg/beast#2861): a Debug build aborted. The answer is complete and empty.
    std::string const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    auto const split = GENERATE_COPY(as<std::vector<std::string>>{}, //
                                std::vector<std::string>{head + "0\r\n", "\r", "\n"},
                                std::vector<std::string>{head + "0\r\n", "X", "-Trailer: y\r\n\r\n"},
                                std::vector<std::string>{head + "0\r\n", "\r"}); // cut: a truncated body
    bool const complete = split.size() == 3;
    one_connection_peer server(answer_in_pieces(split));
    client_fixture c;
    auto r = c.send({.url = server.url(), .max_attempts = 1}); // the server answers one connection
    if (complete)
    {
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->body.empty());
    }
    else
    {
        REQUIRE_FALSE(r);
        CHECK(r.error().is(mlcloud::errc::network_error));
    }
}

TEST_CASE("net: header values with CR or LF are refused before anything is sent", "[net][integration]")
{
    client_fixture c;
    auto r = c.send({.url = fault() + "/hello", .headers = {{"X-Evil", "a\r\nInjected: yes"}}});
    REQUIRE_FALSE(r);
    CHECK(r.error().is(mlcloud::errc::invalid_argument));
    CHECK(c.logged.empty());
}

TEST_CASE("net: upload a 64 MiB file and download one to a file, memory bounded", "[net][integration]")
{
    std::uint64_t const size = 64ull << 20;
    auto source = temp_path("upload");
    auto target = temp_path("download");
    write_pattern_file(source, size);
    client_fixture c;

    // Warm up: the first exchange allocates the connection's buffers.
    REQUIRE(c.send({.url = fault() + "/hello"}));

    std::uint64_t last_up = 0, up_total = 0;
    bool monotonic = true;
    auto before = net_test::read_memory_use();
    bool reset = net_test::reset_peak_rss();
    auto up = c.send({.method = net::method::put,
                      .url = fault() + "/upload?id=" + unique_id("upload"),
                      .body = net::file_body{.path = source, .length = size}, // the file ends with junk
                      .on_upload_progress = [&](std::uint64_t done, std::uint64_t total) {
                          monotonic = monotonic && done >= last_up;
                          last_up = done;
                          up_total = total;
                      }});
    auto after_up = net_test::read_memory_use();
    REQUIRE(up);
    CHECK(up->status == 200);
    CHECK(up->body == R"({"size": 67108864, "pattern_ok": true})");
    CHECK(last_up == size);
    CHECK(up_total == size);
    CHECK(monotonic);

    std::uint64_t last_down = 0, down_total = 0;
    if (reset)
        net_test::reset_peak_rss();
    auto before_down = net_test::read_memory_use();
    auto down = c.send({.url = fault() + "/big?size=" + std::to_string(size),
                        .on_download_progress = [&](std::uint64_t done, std::uint64_t total) {
                            last_down = done;
                            down_total = total;
                        },
                        .response_file = target});
    auto after_down = net_test::read_memory_use();
    REQUIRE(down);
    CHECK(down->status == 200);
    CHECK(down->body.empty());
    CHECK(down->body_file == target);
    CHECK(down->body_size == size);
    CHECK(last_down == size);
    CHECK(down_total == size);
    CHECK(file_has_pattern(target, size));

    // The peak resident set grows by a few buffers, not by the 64 MiB transferred.
    long const allowed_kib = 16 * 1024;
    INFO("before upload " << before.rss_kib << " KiB, peak during upload " << after_up.hwm_kib << " KiB; before download "
                          << before_down.rss_kib << " KiB, peak during download " << after_down.hwm_kib << " KiB");
    CHECK(reset);
    CHECK(after_up.hwm_kib - before.rss_kib < allowed_kib);
    CHECK(after_down.hwm_kib - before_down.rss_kib < allowed_kib);

    std::filesystem::remove(source);
    std::filesystem::remove(target);
}

TEST_CASE("net: a file range is sent as the body (an S3 multipart part)", "[net][integration]")
{
    bool const zero_copy = GENERATE(true, false); // sendfile, or read through the buffer
    auto source = temp_path("range");
    write_pattern_file(source, 300000, 1000); // 1000 junk bytes, then the pattern
    auto options = fast_options();
    options.zero_copy_file_bodies = zero_copy;
    client_fixture c(options);
    auto const sendfile_before = net::detail::bytes_sent_with_sendfile.load();
    auto r = c.send({.method = net::method::put,
                     .url = fault() + "/upload",
                     .body = net::file_body{.path = source, .offset = 1000, .length = 200000}});
    REQUIRE(r);
    CHECK(r->body == R"({"size": 200000, "pattern_ok": true})");
    auto const sent_with_sendfile = net::detail::bytes_sent_with_sendfile.load() - sendfile_before;
    CHECK(sent_with_sendfile == (zero_copy && MLCLOUD_NET_HAS_SENDFILE ? 200000u : 0u));
    auto outside = c.send({.method = net::method::put,
                           .url = fault() + "/upload",
                           .body = net::file_body{.path = source, .offset = 1000, .length = 1 << 30}});
    REQUIRE_FALSE(outside);
    CHECK(outside.error().is(mlcloud::errc::invalid_argument));
    std::filesystem::remove(source);
}

namespace {

constexpr std::uint64_t upload_size = 64ull << 20;

// A file of upload_size pattern bytes, removed at the end of the test.
struct upload_source
{
    explicit upload_source(std::string const& name) : path(temp_path(name)) { write_pattern_file(path, upload_size); }
    ~upload_source()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
    std::filesystem::path path;
};

// PUTs the whole file to `peer` in one attempt (the peer answers one connection), with a
// 300 ms idle timeout, through sendfile or through the buffer.
mlcloud::result<net::response> upload_once(one_connection_peer const& peer, upload_source const& source, bool zero_copy)
{
    auto o = fast_options();
    o.zero_copy_file_bodies = zero_copy;
    o.timeouts.idle = 300ms;
    client_fixture c(o);
    return c.send({.method = net::method::put,
                   .url = peer.url(),
                   .body = net::file_body{.path = source.path, .length = upload_size},
                   .max_attempts = 1});
}

} // namespace

TEST_CASE("net: a file upload to a server that stops reading ends at the idle timeout", "[net][integration]")
{
    // sendfile waits for the full socket buffer with a timer of its own; the buffered path
    // waits in the stream's write. Both end the same way.
    bool const zero_copy = GENERATE(true, false);
    upload_source source("stalled");
    one_connection_peer peer([](auto& socket) {
        std::this_thread::sleep_for(1500ms); // reads nothing, then hangs up
        boost::system::error_code ec;
        socket.close(ec);
    });
    auto const sendfile_before = net::detail::bytes_sent_with_sendfile.load();
    auto r = upload_once(peer, source, zero_copy);
    CHECK((net::detail::bytes_sent_with_sendfile.load() > sendfile_before) == (zero_copy && MLCLOUD_NET_HAS_SENDFILE));
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::timeout));
    CHECK_THAT(r.error().message, Contains("idle timeout"));
}

TEST_CASE("net: a server that resets the connection in the middle of a file upload is a network error", "[net][integration]")
{
    // sendfile(2) has no MSG_NOSIGNAL: unless the transport takes the SIGPIPE it causes, the
    // default action ends this test process.
    bool const zero_copy = GENERATE(true, false);
    upload_source source("reset");
    one_connection_peer peer([](auto& socket) {
        one_connection_peer::drain(socket, 1 << 20);
        boost::system::error_code ec;
        socket.set_option(boost::asio::socket_base::linger(true, 0), ec); // close with RST
        socket.close(ec);
    });
    auto r = upload_once(peer, source, zero_copy);
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK_THAT(r.error().message, Contains("sending the request"));
}

#if MLCLOUD_NET_HAS_SENDFILE
TEST_CASE("net: sendfile to a connection the peer reset takes its own SIGPIPE", "[net][integration]")
{
    // A connection whose reset was already reported: the next write fails with EPIPE and the
    // kernel raises SIGPIPE, which would end this process if the transport did not take it.
    namespace asio = boost::asio;
    asio::io_context ctx;
    asio::ip::tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    asio::ip::tcp::socket client(ctx), server(ctx);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    server.set_option(asio::socket_base::linger(true, 0));
    server.close();
    int err = 0;
    for (int i = 0; i < 100 && err != EPIPE; ++i)
    {
        std::this_thread::sleep_for(5ms);
        err = ::send(client.native_handle(), "x", 1, MSG_NOSIGNAL) < 0 ? errno : 0;
    }
    REQUIRE(err == EPIPE);

    auto source = temp_path("sigpipe");
    write_pattern_file(source, 4096);
    int const fd = ::open(source.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    auto step = net::detail::send_file_some(client.native_handle(), fd, 0, 4096);
    ::close(fd);
    CHECK(step.sent == 0);
    CHECK(step.error == EPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    REQUIRE(sigpending(&pending) == 0);
    CHECK_FALSE(sigismember(&pending, SIGPIPE));
    std::filesystem::remove(source);
}
#endif

TEST_CASE("net: a file that shrinks during its upload is an I/O error", "[net][integration]")
{
    bool const zero_copy = GENERATE(true, false);
    upload_source source("shrinks");
    one_connection_peer peer([&source](auto& socket) {
        std::filesystem::resize_file(source.path, 1 << 20); // before the body is read: the client is at most a few MiB in
        one_connection_peer::drain(socket, upload_size);
    });
    auto r = upload_once(peer, source, zero_copy);
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::io_error));
    CHECK_THAT(r.error().message, Contains("ended before the declared body length"));
}

TEST_CASE("net: a generator body is reopened for each attempt", "[net][integration]")
{
    client_fixture c;
    int opened = 0;
    std::uint64_t const size = 3 << 20;
    net::generator_body gen{.length = size, .open = [&] {
                                ++opened;
                                auto offset = std::make_shared<std::uint64_t>(0);
                                return net::body_chunk_source([offset](std::span<char> out) -> mlcloud::result<std::size_t> {
                                    for (auto& ch : out)
                                        ch = net_test::pattern_byte((*offset)++);
                                    return out.size();
                                });
                            }};
    auto id = unique_id("generator");
    // The server reads the whole body, then resets the first connection: PUT is retried.
    auto r = c.send({.method = net::method::put, .url = fault() + "/reset-before-headers?times=1&id=" + id, .body = gen});
    REQUIRE(r);
    CHECK(r->attempts == 2);
    CHECK(opened == 2);
    auto up = c.send({.method = net::method::put, .url = fault() + "/upload", .body = gen});
    REQUIRE(up);
    CHECK(up->body == R"({"size": 3145728, "pattern_ok": true})");
}

TEST_CASE("net: a failed download leaves no file behind, errors keep bodies in memory", "[net][integration]")
{
    client_fixture c;
    auto target = temp_path("failed");
    auto r = c.send({.url = fault() + "/truncated", .response_file = target});
    REQUIRE_FALSE(r);
    CHECK_FALSE(std::filesystem::exists(target));
    CHECK_FALSE(std::filesystem::exists(target.string() + ".mlcloud-partial"));

    auto missing = c.send({.url = fault() + "/nope", .response_file = target});
    REQUIRE(missing);
    CHECK(missing->status == 404);
    CHECK(missing->body == "no such path");
    CHECK_FALSE(std::filesystem::exists(target));
}

// ---------------------------------------------------------------------------------------
// Redaction

TEST_CASE("net: logs and errors never show secrets from URLs or headers", "[net][integration]")
{
    client_fixture c;
    auto r = c.send({.url = fault() + "/reset-before-headers?api_key=SECRETKEY123&id=" + unique_id("redact"),
                     .headers = {{"Authorization", "Bearer SECRETBEARER"}}});
    REQUIRE_FALSE(r);
    auto text = r.error().what();
    INFO(text);
    CHECK(text.find("SECRETKEY123") == std::string::npos);
    CHECK_THAT(text, Contains("api_key=<redacted>"));
    REQUIRE_FALSE(c.logged.empty());
    for (auto const& e : c.logged)
    {
        CHECK(e.url.find("SECRETKEY123") == std::string::npos);
        CHECK(e.error.find("SECRET") == std::string::npos);
    }
    auto ok = c.send({.url = fault() + "/bot123456:SECRETTOKEN/getMe"});
    REQUIRE(ok);
    CHECK_THAT(c.logged.back().url, Contains("/bot123456:<redacted>/getMe"));
}

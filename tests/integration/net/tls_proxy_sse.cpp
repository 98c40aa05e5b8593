//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// TLS (certificates made at test time by tests/fakes/net_make_certs.sh), proxies
// (tests/fakes/net_proxy.py) and server-sent events (tests/fakes/net_fault_server.py).

#include "net_test.hpp"

#include <mlcloud/net/sse.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace net = mlcloud::net;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using net_test::fast_options;
using net_test::unique_id;

namespace {

std::string ca_file() { return mlcloud_test::fixture_dir() + "/net-certs/ca.pem"; }
std::string tls_port(std::string const& name) { return std::to_string(mlcloud_test::fixture_port("net_tls_" + name)); }
std::string fault() { return mlcloud_test::fixture_url("net_fault"); }
std::string proxy_address() { return "127.0.0.1:" + std::to_string(mlcloud_test::fixture_port("net_proxy")); }
std::string const proxy_password = "pr0xy-s3cret"; // as in tests/integration/net/CMakeLists.txt

net::client_options tls_options()
{
    auto o = fast_options();
    o.tls.ca_file = ca_file();
    return o;
}

mlcloud::result<net::response> fetch(net::client_options o, std::string url)
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), std::move(o));
    return mlcloud::run_blocking(ctx, http.send({.url = std::move(url)}));
}

boost::json::value proxy_stats()
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    auto r = mlcloud::run_blocking(ctx, http.send({.url = "http://" + proxy_address() + "/stats"}));
    REQUIRE(r);
    return boost::json::parse(r->body);
}

// One list of the proxy's records, by value (safe to iterate in a range-for).
boost::json::array proxy_list(char const* which)
{
    return proxy_stats().at(which).as_array();
}

} // namespace

// ---------------------------------------------------------------------------------------
// TLS

TEST_CASE("tls: a certificate from the extra CA file is accepted, SNI carries the name", "[net][tls]")
{
    auto r = fetch(tls_options(), "https://localhost:" + tls_port("good") + "/hello");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "hello over tls");
    auto sni = fetch(tls_options(), "https://localhost:" + tls_port("good") + "/sni");
    REQUIRE(sni);
    CHECK(sni->body == "localhost");
    // An IP address is checked against the certificate's IP entries; no SNI is sent for it.
    auto by_ip = fetch(tls_options(), "https://127.0.0.1:" + tls_port("good") + "/sni");
    REQUIRE(by_ip);
    CHECK(by_ip->body == "-");
}

TEST_CASE("tls: keep-alive works over TLS", "[net][tls]")
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), tls_options());
    auto id = unique_id("tlskeep");
    for (int i = 0; i < 3; ++i)
        REQUIRE(mlcloud::run_blocking(ctx, http.send({.url = "https://localhost:" + tls_port("good") + "/hello?id=" + id})));
    auto s = mlcloud::run_blocking(ctx, http.send({.url = "https://localhost:" + tls_port("good") + "/stats?id=" + id}));
    REQUIRE(s);
    auto stats = boost::json::parse(s->body);
    CHECK(stats.at("requests").as_int64() == 3);
    CHECK(stats.at("connections").as_int64() == 1);
}

TEST_CASE("tls: an unknown CA is refused with a clear error, not retried", "[net][tls]")
{
    auto o = fast_options(); // system store only
    auto r = fetch(o, "https://localhost:" + tls_port("good") + "/hello");
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK_THAT(r.error().message, Contains("certificate verify failed"));
    CHECK_THAT(r.error().message, Contains("unable to get local issuer certificate"));
    CHECK_THAT(r.error().message, !Contains("attempts"));
}

TEST_CASE("tls: a hostname mismatch is refused", "[net][tls]")
{
    auto by_ip = fetch(tls_options(), "https://127.0.0.1:" + tls_port("wronghost") + "/hello");
    REQUIRE_FALSE(by_ip);
    INFO(by_ip.error().what());
    CHECK(by_ip.error().is(mlcloud::errc::network_error));
    CHECK_THAT(by_ip.error().message, Contains("IP address mismatch"));

    auto by_name = fetch(tls_options(), "https://localhost:" + tls_port("wronghost") + "/hello");
    REQUIRE_FALSE(by_name);
    INFO(by_name.error().what());
    CHECK_THAT(by_name.error().message, Contains("hostname mismatch"));
}

TEST_CASE("tls: an expired certificate is refused", "[net][tls]")
{
    auto r = fetch(tls_options(), "https://localhost:" + tls_port("expired") + "/hello");
    REQUIRE_FALSE(r);
    INFO(r.error().what());
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK_THAT(r.error().message, Contains("certificate has expired"));
}

TEST_CASE("tls: a CA file that cannot be read is reported by send", "[net][tls]")
{
    auto o = fast_options();
    o.tls.ca_file = "/nonexistent/mlcloud-ca.pem";
    auto r = fetch(o, "https://localhost:" + tls_port("good") + "/hello");
    REQUIRE_FALSE(r);
    CHECK(r.error().is(mlcloud::errc::invalid_argument));
    CHECK_THAT(r.error().message, Contains("/nonexistent/mlcloud-ca.pem"));
}

// ---------------------------------------------------------------------------------------
// Proxies

TEST_CASE("proxy: HTTPS through a CONNECT tunnel, TLS to the origin with SNI", "[net][proxy]")
{
    auto o = tls_options();
    o.user_agent = unique_id("ua-tunnel");
    o.proxy = net::proxy_options{.https_proxy = "http://tester:" + proxy_password + "@" + proxy_address()};
    auto r = fetch(o, "https://localhost:" + tls_port("good") + "/sni");
    REQUIRE(r);
    CHECK(r->body == "localhost");
    bool seen = false;
    for (auto const& c : proxy_list("connects"))
        if (c.at("user_agent").as_string() == o.user_agent)
        {
            seen = true;
            CHECK(c.at("target").as_string() == "localhost:" + tls_port("good"));
            CHECK(c.at("authorized").as_bool());
        }
    CHECK(seen);
}

TEST_CASE("proxy: NO_PROXY bypasses the proxy", "[net][proxy]")
{
    auto o = tls_options();
    o.user_agent = unique_id("ua-bypass");
    o.proxy = net::proxy_options{.https_proxy = "http://tester:" + proxy_password + "@" + proxy_address(),
                                 .no_proxy = "example.test, localhost"};
    auto r = fetch(o, "https://localhost:" + tls_port("good") + "/hello");
    REQUIRE(r);
    CHECK(r->status == 200);
    for (auto const& c : proxy_list("connects"))
        CHECK(c.at("user_agent").as_string() != o.user_agent);
}

TEST_CASE("proxy: the proxy is taken from the environment", "[net][proxy]")
{
    ::setenv("HTTPS_PROXY", ("http://tester:" + proxy_password + "@" + proxy_address()).c_str(), 1);
    ::setenv("NO_PROXY", "", 1);
    auto o = tls_options();
    o.proxy.reset(); // read the environment
    o.user_agent = unique_id("ua-env");
    auto r = fetch(o, "https://localhost:" + tls_port("good") + "/hello");
    ::unsetenv("HTTPS_PROXY");
    ::unsetenv("NO_PROXY");
    REQUIRE(r);
    bool seen = false;
    for (auto const& c : proxy_list("connects"))
        seen = seen || c.at("user_agent").as_string() == o.user_agent;
    CHECK(seen);
}

TEST_CASE("proxy: refused credentials give a clear error without the password", "[net][proxy]")
{
    auto o = tls_options();
    o.proxy = net::proxy_options{.https_proxy = "http://tester:WRONG-pass@" + proxy_address()};
    auto r = fetch(o, "https://localhost:" + tls_port("good") + "/hello");
    REQUIRE_FALSE(r);
    auto text = r.error().what();
    INFO(text);
    CHECK(r.error().is(mlcloud::errc::network_error));
    CHECK_THAT(text, Contains("407"));
    CHECK(text.find("WRONG-pass") == std::string::npos);
    CHECK(text.find(proxy_password) == std::string::npos);
}

TEST_CASE("proxy: plain HTTP goes through the proxy in absolute form", "[net][proxy]")
{
    auto o = fast_options();
    o.proxy = net::proxy_options{.http_proxy = "tester:" + proxy_password + "@" + proxy_address()}; // no scheme: http://
    auto id = unique_id("absolute");
    auto url = fault() + "/hello?id=" + id;
    auto r = fetch(o, url);
    REQUIRE(r);
    CHECK(r->body == "hello");
    bool forwarded = false;
    for (auto const& f : proxy_list("forwards"))
        if (f.at("url").as_string() == url)
        {
            forwarded = true;
            CHECK(f.at("had_auth").as_bool());
        }
    CHECK(forwarded);
    auto seen = net_test::stats(fault(), id).at("headers").as_array();
    REQUIRE(seen.size() == 1);
    CHECK_FALSE(seen[0].as_object().contains("proxy-authorization")); // the proxy keeps it
}

// ---------------------------------------------------------------------------------------
// Server-sent events

TEST_CASE("sse: a stream cut mid-event resumes with Last-Event-ID, no loss, no duplicate", "[net][sse]")
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    auto id = unique_id("ssecut");
    net::sse_reader reader(http, {.url = fault() + "/sse?count=10&cut_after=4&id=" + id});
    std::vector<net::sse_event> events;
    unsigned reconnects = 0;
    for (int round = 0; round < 10 && events.size() < 10; ++round)
    {
        auto batch = mlcloud::run_blocking(ctx, reader.read({.max_duration = 5s}));
        REQUIRE(batch);
        reconnects += batch->reconnects;
        for (auto& e : batch->events)
            events.push_back(std::move(e));
    }
    REQUIRE(events.size() == 10);
    for (int i = 0; i < 10; ++i)
    {
        CHECK(events[i].id == std::to_string(i + 1));
        CHECK(events[i].type == "log");
        CHECK(events[i].data == "line " + std::to_string(i + 1) + "\nsecond line " + std::to_string(i + 1));
    }
    CHECK(reconnects >= 1);
    CHECK(reader.last_event_id() == "10");
    auto seen = net_test::stats(fault(), id).at("headers").as_array();
    REQUIRE(seen.size() >= 2);
    CHECK_FALSE(seen[0].as_object().contains("last-event-id"));
    CHECK(seen[1].at("last-event-id").as_string() == "4");
    CHECK(seen[1].at("accept").as_string() == "text/event-stream");
}

TEST_CASE("sse: an endless stream is read in bounded bites and resumed later", "[net][sse]")
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    net::request req{.url = fault() + "/sse-forever?interval=0.02&id=" + unique_id("forever")};
    net::sse_reader reader(http, req);

    auto start = std::chrono::steady_clock::now();
    auto first = mlcloud::run_blocking(ctx, reader.read({.max_duration = 300ms}));
    CHECK(std::chrono::steady_clock::now() - start < 5s); // bounded by the window, not the stream
    REQUIRE(first);
    REQUIRE_FALSE(first->events.empty());
    CHECK(first->events.front().id == "1");
    std::vector<long> ids;
    for (auto const& e : first->events)
        ids.push_back(std::stol(e.id));

    // A byte limit keeps the connection; an event limit returns exactly that many.
    auto by_events = mlcloud::run_blocking(ctx, reader.read({.max_duration = 5s, .max_events = 3}));
    REQUIRE(by_events);
    CHECK(by_events->events.size() == 3);
    auto by_bytes = mlcloud::run_blocking(ctx, reader.read({.max_duration = 5s, .max_bytes = 40}));
    REQUIRE(by_bytes);
    for (auto const* b : {&*by_events, &*by_bytes})
        for (auto const& e : b->events)
            ids.push_back(std::stol(e.id));

    // Later, from a new reader that only knows the cursor (as after a restart).
    std::string cursor = by_bytes->last_event_id;
    CHECK(cursor == reader.last_event_id());
    reader.close();
    net::sse_reader resumed(http, req, {.last_event_id = cursor});
    auto later = mlcloud::run_blocking(ctx, resumed.read({.max_duration = 5s, .max_events = 5}));
    REQUIRE(later);
    REQUIRE(later->events.size() == 5);
    for (auto const& e : later->events)
        ids.push_back(std::stol(e.id));

    // Every event exactly once, in order, across bites, connections and readers.
    for (std::size_t i = 0; i < ids.size(); ++i)
        CHECK(ids[i] == static_cast<long>(i + 1));
}

TEST_CASE("sse: 204 ends the stream, a wrong content type is a protocol error", "[net][sse]")
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    net::sse_reader done(http, {.url = fault() + "/sse-204"});
    auto b = mlcloud::run_blocking(ctx, done.read({.max_duration = 2s}));
    REQUIRE(b);
    CHECK(b->end_of_stream);
    CHECK(b->events.empty());
    auto again = mlcloud::run_blocking(ctx, done.read({.max_duration = 2s}));
    REQUIRE(again);
    CHECK(again->end_of_stream);

    net::sse_reader wrong(http, {.url = fault() + "/sse-wrong-type"});
    auto w = mlcloud::run_blocking(ctx, wrong.read({.max_duration = 2s}));
    REQUIRE_FALSE(w);
    CHECK(w.error().is(mlcloud::errc::protocol_error));

    net::sse_reader missing(http, {.url = fault() + "/no-such-stream"});
    auto m = mlcloud::run_blocking(ctx, missing.read({.max_duration = 2s}));
    REQUIRE_FALSE(m);
    CHECK(m.error().is(mlcloud::errc::not_found));
    CHECK(m.error().http_status == 404);
}

TEST_CASE("sse: a read window that ends before the answer names the window, not the request timeout", "[net][sse]")
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    net::sse_reader slow(http, {.url = fault() + "/slow-headers?delay=3"});
    auto b = mlcloud::run_blocking(ctx, slow.read({.max_duration = 300ms}));
    REQUIRE_FALSE(b);
    CHECK(b.error().is(mlcloud::errc::timeout));
    CHECK(b.error().retry_safe);
    CHECK(b.error().message.find("read window of 300 ms") != std::string::npos);
}

TEST_CASE("sse: a refused request leaves its head for a caller that retries, a read that works leaves none",
          "[net][sse]")
{
    boost::asio::io_context ctx;
    net::http_client http(ctx.get_executor(), fast_options());
    net::sse_reader refused(http, {.url = fault() + "/status?codes=429&retry_after=7"});
    CHECK(refused.last_refusal() == nullptr);
    auto b = mlcloud::run_blocking(ctx, refused.read({.max_duration = 2s}));
    REQUIRE_FALSE(b);
    CHECK(b.error().http_status == 429);
    REQUIRE(refused.last_refusal() != nullptr);
    CHECK(refused.last_refusal()->status == 429);
    CHECK(refused.last_refusal()->headers.get("retry-after") == std::optional<std::string_view>("7"));
    CHECK(refused.last_refusal()->body.empty());

    net::sse_reader ended(http, {.url = fault() + "/sse-204"});
    REQUIRE(mlcloud::run_blocking(ctx, ended.read({.max_duration = 2s})));
    CHECK(ended.last_refusal() == nullptr);
}

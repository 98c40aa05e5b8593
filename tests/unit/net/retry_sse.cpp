//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Pure parts of the transport: the retry policy (with a fake random source and clock), the
// retry quota, Retry-After, and the server-sent events parser.

#include <mlcloud/net/retry.hpp>
#include <mlcloud/net/sse.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace net = mlcloud::net;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

net::response status(int s)
{
    net::response r;
    r.status = s;
    return r;
}

// 2026-01-01T00:00:00Z
std::chrono::system_clock::time_point fixed_now()
{
    return std::chrono::sys_days(std::chrono::year(2026) / 1 / 1);
}

} // namespace

// ---------------------------------------------------------------------------------------
// Retry policy

TEST_CASE("retry: defaults are the AWS standard mode", "[net][retry]")
{
    net::retry_options o;
    CHECK(o.max_attempts == 3);
    CHECK(o.base_delay == 1s);
    CHECK(o.max_delay == 20s);
    CHECK(o.quota_capacity == 500);
    CHECK(o.retry_cost == 5);
    CHECK(o.timeout_retry_cost == 10);
    CHECK(o.success_refund == 1);
}

TEST_CASE("retry: classification of responses", "[net][retry]")
{
    net::retry_policy p;
    for (int s : {500, 502, 503, 504})
        CHECK(p.classify(status(s)) == net::retry_class::transient);
    CHECK(p.classify(status(429)) == net::retry_class::throttling);
    for (int s : {200, 400, 401, 403, 404, 409, 501})
        CHECK(p.classify(status(s)) == net::retry_class::none);
}

TEST_CASE("retry: the classify hook can add error-code-in-body rules", "[net][retry]")
{
    net::retry_policy p({.classify = [](net::response const& r) -> std::optional<net::retry_class> {
        if (r.body.find("ThrottlingException") != std::string::npos)
            return net::retry_class::throttling;
        if (r.status == 503 && r.body.find("NotRetryable") != std::string::npos)
            return net::retry_class::none;
        return std::nullopt;
    }});
    auto throttled = status(400);
    throttled.body = R"({"__type":"ThrottlingException","message":"Rate exceeded"})";
    CHECK(p.classify(throttled) == net::retry_class::throttling);
    auto final503 = status(503);
    final503.body = "NotRetryable";
    CHECK(p.classify(final503) == net::retry_class::none);
    CHECK(p.classify(status(502)) == net::retry_class::transient); // default rules still apply
}

TEST_CASE("retry: full-jitter backoff bounds with a fake random source", "[net][retry]")
{
    double r = 0.0;
    net::retry_policy p({.random = [&] { return r; }});
    r = 0.999999;
    CHECK(p.backoff(1) <= 1000ms);
    CHECK(p.backoff(1) >= 999ms);
    CHECK(p.backoff(2) >= 1999ms);
    CHECK(p.backoff(3) >= 3999ms);
    CHECK(p.backoff(5) >= 15999ms);
    CHECK(p.backoff(6) <= 20000ms); // 32 s capped at 20 s
    CHECK(p.backoff(6) >= 19999ms);
    CHECK(p.backoff(1000) <= 20000ms); // no overflow
    r = 0.0;
    CHECK(p.backoff(4) == 0ms);
    r = 0.5;
    CHECK(p.backoff(2) == 1000ms);
    r = 1.5; // a broken source is clamped
    CHECK(p.backoff(1) == 1000ms);
}

TEST_CASE("retry: attempts are limited and each retry costs the quota", "[net][retry]")
{
    net::retry_policy p({.random = [] { return 0.5; }});
    auto d1 = p.on_failure(net::retry_class::transient, 1);
    CHECK(d1.retry);
    CHECK(d1.cost == 5);
    CHECK(d1.delay == 500ms);
    CHECK(p.quota().available() == 495);
    auto d2 = p.on_failure(net::retry_class::timeout, 2);
    CHECK(d2.retry);
    CHECK(d2.cost == 10);
    CHECK(d2.delay == 1000ms);
    CHECK(p.quota().available() == 485);
    auto d3 = p.on_failure(net::retry_class::transient, 3);
    CHECK_FALSE(d3.retry);
    CHECK(d3.reason == "3 attempts made");
    CHECK(p.quota().available() == 485); // a refused retry takes nothing
    // A request's own budget replaces the client's, up or down.
    CHECK_FALSE(p.on_failure(net::retry_class::transient, 1, std::nullopt, 1).retry);
    auto more = p.on_failure(net::retry_class::transient, 3, std::nullopt, 5);
    CHECK(more.retry);
    p.quota().release(more.cost);
    auto none = p.on_failure(net::retry_class::none, 1);
    CHECK_FALSE(none.retry);
    CHECK(p.quota().available() == 485);
}

TEST_CASE("retry: refunds on success follow the SDKs", "[net][retry]")
{
    net::retry_policy p({.random = [] { return 0.0; }});
    auto d = p.on_failure(net::retry_class::timeout, 1);
    REQUIRE(d.retry);
    CHECK(p.quota().available() == 490);
    p.on_success(d.cost); // success after a retry gives that retry's cost back
    CHECK(p.quota().available() == 500);
    p.on_success(0);      // success at the first attempt: +1, never above the capacity
    CHECK(p.quota().available() == 500);
    (void)p.on_failure(net::retry_class::transient, 1);
    p.on_success(0);
    CHECK(p.quota().available() == 496);
}

TEST_CASE("retry: an exhausted quota stops retries", "[net][retry]")
{
    net::retry_policy p({.quota_capacity = 12, .random = [] { return 0.0; }});
    CHECK(p.on_failure(net::retry_class::transient, 1).retry); // 7 left
    CHECK(p.on_failure(net::retry_class::transient, 1).retry); // 2 left
    auto d = p.on_failure(net::retry_class::transient, 1);
    CHECK_FALSE(d.retry);
    CHECK(d.reason == "the client's retry quota is exhausted");
    CHECK(p.quota().available() == 2);
    CHECK_FALSE(p.on_failure(net::retry_class::timeout, 1).retry);
    p.on_success(0);
    p.on_success(0);
    p.on_success(0);
    CHECK(p.on_failure(net::retry_class::transient, 1).retry); // 5 tokens again
}

TEST_CASE("retry: quotas can be shared between policies", "[net][retry]")
{
    auto quota = std::make_shared<net::retry_quota>(10);
    net::retry_policy a({}, quota);
    net::retry_policy b({}, quota);
    CHECK(a.on_failure(net::retry_class::transient, 1).retry);
    CHECK(b.on_failure(net::retry_class::transient, 1).retry);
    CHECK_FALSE(a.on_failure(net::retry_class::transient, 1).retry);
    CHECK(quota->available() == 0);
}

TEST_CASE("retry: Retry-After replaces the backoff, and too long a wait ends retries", "[net][retry]")
{
    net::retry_policy p({.random = [] { return 0.9; }, .now = fixed_now});
    auto r = status(429);
    r.headers.add("Retry-After", "3");
    auto after = p.retry_after(r);
    REQUIRE(after);
    CHECK(*after == 3000ms);
    auto d = p.on_failure(net::retry_class::throttling, 1, after);
    CHECK(d.retry);
    CHECK(d.delay == 3000ms);

    auto d2 = p.on_failure(net::retry_class::throttling, 1, 120s);
    CHECK_FALSE(d2.retry);
    CHECK_THAT(d2.reason, Catch::Matchers::Contains("120.0 s"));

    auto dated = status(503);
    dated.headers.add("retry-after", "Thu, 01 Jan 2026 00:00:07 GMT");
    CHECK(p.retry_after(dated) == milliseconds(7000));
    CHECK_FALSE(p.retry_after(status(503)));
}

TEST_CASE("retry: an asked_wait hook replaces the reading of Retry-After", "[net][retry]")
{
    net::retry_policy p({.asked_wait = [](net::response const& r) -> std::optional<milliseconds> {
        if (auto v = r.headers.get("x-wait-ms"))
            return milliseconds(std::stoi(std::string(*v)));
        return std::nullopt;
    }});
    auto r = status(429);
    r.headers.add("Retry-After", "3");
    CHECK_FALSE(p.retry_after(r)); // the hook found nothing: the backoff applies
    r.headers.add("X-Wait-Ms", "2500");
    CHECK(p.retry_after(r) == 2500ms);
}

TEST_CASE("retry: parse_retry_after forms", "[net][retry]")
{
    auto now = fixed_now();
    CHECK(net::parse_retry_after("0", now) == 0ms);
    CHECK(net::parse_retry_after(" 120 ", now) == 120000ms);
    CHECK(net::parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60000ms);
    CHECK(net::parse_retry_after("Thursday, 01-Jan-26 00:00:30 GMT", now) == 30000ms);
    CHECK(net::parse_retry_after("Thu Jan  1 00:00:05 2026", now) == 5000ms);
    CHECK(net::parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", now) == 0ms); // in the past
    CHECK_FALSE(net::parse_retry_after("", now));
    CHECK_FALSE(net::parse_retry_after("-5", now));
    CHECK_FALSE(net::parse_retry_after("1.5", now));
    CHECK_FALSE(net::parse_retry_after("soon", now));
    CHECK_FALSE(net::parse_retry_after("Thu, 01 Jan 2026 00:01:00 PST", now));
    CHECK_FALSE(net::parse_retry_after("Thu, 31 Feb 2026 00:01:00 GMT", now));
    CHECK_FALSE(net::parse_retry_after("12345678901234567890", now));
}

// ---------------------------------------------------------------------------------------
// Server-sent events parser

namespace {

std::vector<net::sse_event> parse_all(net::sse_parser& p, std::vector<std::string> const& pieces)
{
    std::vector<net::sse_event> out;
    for (auto const& piece : pieces)
        REQUIRE(p.feed(piece, out).has_value());
    return out;
}

} // namespace

TEST_CASE("sse: basic events, ids, types and multi-line data", "[net][sse]")
{
    net::sse_parser p;
    auto ev = parse_all(p, {"id: 1\ndata: hello\n\n", "event: log\nid: 2\ndata: line one\ndata: line two\n\n"});
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].id == "1");
    CHECK(ev[0].type == "message");
    CHECK(ev[0].data == "hello");
    CHECK(ev[1].id == "2");
    CHECK(ev[1].type == "log");
    CHECK(ev[1].data == "line one\nline two");
    CHECK(p.last_event_id() == "2");
}

TEST_CASE("sse: frames split anywhere, including inside CRLF", "[net][sse]")
{
    std::string stream = "id: 7\r\nevent: log\r\ndata: {\"line\":\"a\"}\r\n\r\ndata: b\rdata: c\r\r: comment\n\ndata: d\n\n";
    // Every possible split into two pieces, and byte by byte, gives the same events.
    auto check = [](std::vector<net::sse_event> const& ev) {
        REQUIRE(ev.size() == 3);
        CHECK(ev[0].data == "{\"line\":\"a\"}");
        CHECK(ev[0].type == "log");
        CHECK(ev[1].data == "b\nc");
        CHECK(ev[1].id == "7");
        CHECK(ev[2].data == "d");
    };
    for (std::size_t cut = 0; cut <= stream.size(); ++cut)
    {
        INFO("cut at " << cut);
        net::sse_parser p;
        check(parse_all(p, {stream.substr(0, cut), stream.substr(cut)}));
    }
    net::sse_parser bytewise;
    std::vector<std::string> bytes;
    for (char c : stream)
        bytes.emplace_back(1, c);
    check(parse_all(bytewise, bytes));
}

TEST_CASE("sse: comments, unknown fields, no-space values and empty data", "[net][sse]")
{
    net::sse_parser p;
    auto ev = parse_all(p, {":keep-alive\n\n", "foo: bar\ndata:x\n\n", "data\n\n", "data:  two spaces\n\n", "event: ping\n\n"});
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].data == "x");
    CHECK(ev[1].data.empty()); // "data" alone is a data line with an empty value
    CHECK(ev[2].data == " two spaces");
}

TEST_CASE("sse: retry field, BOM and ids", "[net][sse]")
{
    net::sse_parser p;
    auto ev = parse_all(p, {"\xEF\xBB", "\xBF" "retry: 2500\nid: a\ndata: 1\n\n", "retry: soon\nid\ndata: 2\n\n",
                            std::string("id: bad\0id\ndata: 3\n\n", 20)});
    CHECK(p.retry() == std::chrono::milliseconds(2500)); // "soon" is ignored
    REQUIRE(ev.size() == 3);
    CHECK(ev[0].id == "a");
    CHECK(ev[1].id.empty()); // "id" with no value resets the id
    CHECK(ev[2].id.empty()); // an id containing NUL is ignored
}

TEST_CASE("sse: an id takes effect only when its event completes", "[net][sse]")
{
    net::sse_parser p;
    auto ev = parse_all(p, {"id: 1\ndata: one\n\nid: 2\ndata: tw"});
    REQUIRE(ev.size() == 1);
    CHECK(p.last_event_id() == "1"); // event 2 is not complete: resuming must not skip it
    p.reset_partial();               // the connection was cut
    ev = parse_all(p, {"id: 2\ndata: two\n\n"});
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "two");
    CHECK(p.last_event_id() == "2");
    // An event with an id and no data moves the cursor without dispatching.
    ev = parse_all(p, {"id: 3\n\n"});
    CHECK(ev.empty());
    CHECK(p.last_event_id() == "3");
}

TEST_CASE("sse: events larger than the limit are a protocol error", "[net][sse]")
{
    net::sse_parser p(64);
    std::vector<net::sse_event> out;
    auto r = p.feed("data: " + std::string(100, 'x'), out);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(mlcloud::errc::protocol_error));
    p.reset_partial();
    REQUIRE(p.feed("data: ok\n\n", out).has_value());
    REQUIRE(out.size() == 1);
    CHECK(out[0].data == "ok");
    // Many small data lines add up too.
    net::sse_parser q(64);
    std::string many;
    for (int i = 0; i < 20; ++i)
        many += "data: 12345\n";
    CHECK_FALSE(q.feed(many, out).has_value());
}

// Found by tests/fuzz (http_headers): an HTTP-date in a year past 2262 overflowed
// system_clock; such a Retry-After is now unparsable, like any other nonsense.
TEST_CASE("fuzz regression: a Retry-After date beyond what the clock can count is refused", "[net][retry][fuzz]")
{
    auto const now = std::chrono::system_clock::time_point(std::chrono::seconds(1'790'000'000));
    CHECK_FALSE(net::parse_retry_after("Sun Nov  6 08:49:37 9914", now));
    CHECK_FALSE(net::parse_retry_after("Sun, 06 Nov 9994 08:49:37 GMT", now));
    CHECK_FALSE(net::parse_retry_after("Sun, 06 Nov 1618 08:49:37 GMT", now));
    CHECK(net::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now) == std::chrono::milliseconds(0));
}

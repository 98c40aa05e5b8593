//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The text/event-stream parser (net::sse_parser), differentially: the same bytes fed in one
// piece and cut into pieces at places the input chooses must give the same events, the same
// last event id, the same retry delay and the same error (bytes arrive split anywhere, even
// inside a CRLF or a UTF-8 BOM).
//
// Input: one byte for the event size limit, one for the number of cuts (0-15), one byte per
// cut, then the stream.

#include "fuzz.hpp"

#include <mlcloud/net/sse.hpp>

#include <algorithm>
#include <vector>

namespace {

struct outcome
{
    std::vector<mlcloud::net::sse_event> events;
    std::string last_event_id;
    std::optional<std::chrono::milliseconds> retry;
    bool failed = false;
};

bool same(outcome const& a, outcome const& b)
{
    if (a.events.size() != b.events.size() || a.last_event_id != b.last_event_id || a.retry != b.retry ||
        a.failed != b.failed)
        return false;
    for (std::size_t i = 0; i < a.events.size(); ++i)
        if (a.events[i].id != b.events[i].id || a.events[i].type != b.events[i].type || a.events[i].data != b.events[i].data)
            return false;
    return true;
}

outcome parse(std::string_view stream, std::vector<std::size_t> const& cuts, std::size_t limit)
{
    mlcloud::net::sse_parser parser(limit);
    outcome out;
    std::size_t at = 0;
    auto feed = [&](std::size_t end) {
        if (out.failed)
            return;
        auto r = parser.feed(stream.substr(at, end - at), out.events);
        if (!r)
        {
            mlcloud_fuzz::check(r.error().is(mlcloud::errc::protocol_error), "an oversized event is a protocol_error");
            out.failed = true;
        }
        at = end;
    };
    for (auto cut : cuts)
        feed(cut);
    feed(stream.size());
    out.last_event_id = parser.last_event_id();
    out.retry = parser.retry();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    mlcloud_fuzz::input in(data, size);
    std::size_t const limit = 16 + in.byte() * 16u;
    std::size_t const count = in.byte() % 16;
    std::vector<std::uint8_t> cut_bytes;
    for (std::size_t i = 0; i < count; ++i)
        cut_bytes.push_back(in.byte());
    auto const stream = in.rest();

    std::vector<std::size_t> cuts;
    for (auto b : cut_bytes)
        cuts.push_back(stream.empty() ? 0 : b % (stream.size() + 1));
    std::sort(cuts.begin(), cuts.end());

    auto const whole = parse(stream, {}, limit);
    auto const pieces = parse(stream, cuts, limit);
    mlcloud_fuzz::check(same(whole, pieces), "the events do not depend on how the bytes were cut");
    for (auto const& e : whole.events)
        mlcloud_fuzz::check(e.data.size() <= limit, "an event is no larger than the limit");

    // After a cut connection the parser forgets the half-received event but keeps the id.
    mlcloud::net::sse_parser resumed(limit);
    std::vector<mlcloud::net::sse_event> events;
    (void)resumed.feed(stream.substr(0, stream.size() / 2), events);
    auto const id = resumed.last_event_id();
    resumed.reset_partial();
    mlcloud_fuzz::check(resumed.last_event_id() == id, "reset_partial keeps the last event id");
    (void)resumed.feed(stream, events);
    return 0;
}

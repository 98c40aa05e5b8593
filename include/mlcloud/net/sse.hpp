//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_SSE_HPP
#define MLCLOUD_NET_SSE_HPP

// Server-sent events (WHATWG HTML "Server-sent events", text/event-stream): a parser for
// the wire format and a reader that takes bounded bites of a stream that may never end
// (RunPod pod logs) and resumes after a cut or a pause with Last-Event-ID.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/client.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud::net {

/// One dispatched event.
struct sse_event
{
    std::string id{};               ///< the stream's last event id when this event was dispatched
    std::string type = "message"; ///< the `event:` field, "message" when absent
    std::string data{};             ///< the `data:` lines joined with '\n'
};

/// Incremental parser of text/event-stream. Feed it bytes as they arrive, split anywhere
/// (even inside a CRLF); it returns every event completed by a blank line. Comments (lines
/// starting with ':') and unknown fields are ignored, a UTF-8 BOM at the start is skipped,
/// `retry:` with digits only sets the reconnection delay, and an `id:` containing NUL is
/// ignored, all as the specification says.
class sse_parser
{
public:
    /// An event (or a line) larger than `max_event_size` is a protocol error: the stream is
    /// bounded even when the server is not.
    explicit sse_parser(std::size_t max_event_size = 1 << 20) : max_event_size_(max_event_size) {}

    /// Parses `bytes`, appending completed events to `out`. errc::protocol_error when an
    /// event exceeds the size limit (the parser must then be reset()).
    MLCLOUD_DECL result<void> feed(std::string_view bytes, std::vector<sse_event>& out);

    /// The id as of the last dispatched event (an `id:` line takes effect when its event is
    /// complete, so a cut in the middle of an event never skips it); kept by reset_partial().
    std::string const& last_event_id() const noexcept { return last_event_id_; }
    void set_last_event_id(std::string id)
    {
        last_event_id_ = id;
        id_buffer_ = std::move(id);
    }

    /// The reconnection delay the server asked for with `retry:`.
    std::optional<std::chrono::milliseconds> retry() const noexcept { return retry_; }

    /// Forgets a half-received event and line (after the connection was lost, the server
    /// sends it again after Last-Event-ID); keeps the last event id and retry.
    MLCLOUD_DECL void reset_partial();

private:
    MLCLOUD_DECL void process_line(std::string_view line, std::vector<sse_event>& out);

    std::size_t max_event_size_;
    std::string line_;
    std::string data_;
    std::string type_;
    std::string id_buffer_;     // the id of the event being received
    std::string last_event_id_; // the id as of the last dispatched event
    std::optional<std::chrono::milliseconds> retry_;
    bool after_cr_ = false;
    bool at_start_ = true;
};

/// Bounds of one sse_reader::read(): it returns when any is reached (or the stream ends).
struct sse_limits
{
    std::chrono::milliseconds max_duration{std::chrono::seconds(10)};
    std::size_t max_bytes = 1 << 20;
    std::size_t max_events = std::numeric_limits<std::size_t>::max();
};

struct sse_options
{
    std::string last_event_id{}; ///< resume after this event (e.g. a stored log cursor)
    std::chrono::milliseconds reconnect_delay{1000}; ///< until the server sends `retry:`
    std::chrono::milliseconds max_reconnect_delay{std::chrono::seconds(30)}; ///< caps `retry:`
    unsigned max_reconnects = 5; ///< reconnections within one read() before giving up
    std::size_t max_event_size = 1 << 20;
};

struct sse_batch
{
    std::vector<sse_event> events{};
    std::string last_event_id{}; ///< resume from here (store it as the cursor)
    unsigned reconnects = 0;   ///< connections lost and re-opened during this read
    /// The server ended the stream for good (HTTP 204, as the specification says); further
    /// reads return nothing.
    bool end_of_stream = false;
};

/// Reads a server-sent event stream in bounded bites.
///
///     net::sse_reader logs(http, {.url = pod_logs_url, .headers = auth}, {.last_event_id = cursor});
///     auto batch = co_await logs.read({.max_duration = 5s, .max_bytes = 256 * 1024});
///     // ... later, maybe from a new reader with the stored cursor:
///     cursor = batch->last_event_id;
///
/// The connection stays open between reads that end on the byte or event limit. A read that
/// ends on its time limit closes it, and the next read reconnects with Last-Event-ID; so do
/// cuts in the middle of a stream (after the `retry:` delay, within the time limit). No
/// event is lost or repeated as long as the server honours Last-Event-ID. A server that
/// closes the stream normally is reconnected to on the next read. Non-2xx answers are
/// returned as errors (net::http_error), a Content-Type other than text/event-stream as
/// errc::protocol_error.
class sse_reader
{
public:
    MLCLOUD_DECL sse_reader(http_client& client, request req, sse_options options = {});
    MLCLOUD_DECL ~sse_reader();
    MLCLOUD_DECL sse_reader(sse_reader&&) noexcept;
    MLCLOUD_DECL sse_reader& operator=(sse_reader&&) noexcept;

    /// Events that arrive within `limits`. Events already complete are returned even when
    /// the stream then failed; the failure shows on the next read.
    MLCLOUD_DECL task<sse_batch> read(sse_limits limits = {});

    MLCLOUD_DECL std::string const& last_event_id() const noexcept;

    /// The head (status and headers, no body) of the non-2xx answer that made the last read()
    /// fail, when one did; null otherwise. Lets a caller that retries honour the server's
    /// Retry-After or rate-limit headers.
    MLCLOUD_DECL response const* last_refusal() const noexcept;

    /// Closes the connection; the next read() reconnects with Last-Event-ID.
    MLCLOUD_DECL void close();

private:
    struct state;
    MLCLOUD_DECL static task<sse_batch> read_impl(std::shared_ptr<state> st, sse_limits limits);
    std::shared_ptr<state> state_;
};

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/sse.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_SSE_IPP
#define MLCLOUD_NET_IMPL_SSE_IPP

#include <mlcloud/net/detail/client_impl.hpp>
#include <mlcloud/net/sse.hpp>

#include <deque>

namespace mlcloud::net {

// ---------------------------------------------------------------------------------------
// Parser

MLCLOUD_DECL result<void> sse_parser::feed(std::string_view bytes, std::vector<sse_event>& out)
{
    std::size_t i = 0;
    while (i < bytes.size())
    {
        if (after_cr_)
        {
            // A CR ended the previous line; an LF right after it belongs to the same break,
            // even when it arrives in the next read.
            after_cr_ = false;
            if (bytes[i] == '\n')
            {
                ++i;
                continue;
            }
        }
        std::size_t end = bytes.find_first_of("\r\n", i);
        line_.append(bytes.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i));
        if (line_.size() + data_.size() > max_event_size_)
        {
            reset_partial();
            return error(errc::protocol_error,
                         "an event of the stream is larger than " + std::to_string(max_event_size_) + " bytes");
        }
        if (end == std::string_view::npos)
            break;
        after_cr_ = bytes[end] == '\r';
        process_line(line_, out);
        line_.clear();
        i = end + 1;
    }
    return {};
}

MLCLOUD_DECL void sse_parser::process_line(std::string_view line, std::vector<sse_event>& out)
{
    if (at_start_)
    {
        at_start_ = false;
        if (line.substr(0, 3) == "\xEF\xBB\xBF")
            line.remove_prefix(3);
    }
    if (line.empty())
    {
        // Dispatch. The id takes effect even for an event without data.
        last_event_id_ = id_buffer_;
        if (data_.empty())
        {
            type_.clear();
            return;
        }
        data_.pop_back(); // the '\n' after the last data line
        out.push_back(sse_event{last_event_id_, type_.empty() ? std::string("message") : std::move(type_), std::move(data_)});
        data_.clear();
        type_.clear();
        return;
    }
    if (line.front() == ':')
        return; // a comment (servers send them as keep-alives)
    std::string_view name = line;
    std::string_view value;
    if (auto colon = line.find(':'); colon != std::string_view::npos)
    {
        name = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
    }
    if (name == "data")
    {
        data_.append(value);
        data_.push_back('\n');
    }
    else if (name == "event")
        type_.assign(value);
    else if (name == "id")
    {
        if (value.find('\0') == std::string_view::npos)
            id_buffer_.assign(value);
    }
    else if (name == "retry")
    {
        if (!value.empty() && value.size() <= 9 &&
            std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            retry_ = std::chrono::milliseconds(std::stoll(std::string(value)));
    }
    // Other field names are ignored, as the specification says.
}

MLCLOUD_DECL void sse_parser::reset_partial()
{
    line_.clear();
    data_.clear();
    type_.clear();
    id_buffer_ = last_event_id_;
    after_cr_ = false;
    at_start_ = true;
}

// ---------------------------------------------------------------------------------------
// Reader

struct sse_reader::state
{
    std::shared_ptr<detail::client_impl> client;
    request base;
    sse_options opts;
    sse_parser parser;
    std::unique_ptr<detail::body_stream> stream;
    std::deque<sse_event> pending; // parsed but beyond a read's max_events
    std::string delivered_id;      // id of the last event handed out
    bool ended = false;
    std::vector<char> buffer;
    std::optional<response> refusal; // the non-2xx head of the current read's last open

    std::string const& cursor() const noexcept { return pending.empty() ? parser.last_event_id() : delivered_id; }

    // Moves parsed events into the batch, up to `max_events` in it.
    void take_pending(sse_batch& batch, std::size_t max_events)
    {
        while (!pending.empty() && batch.events.size() < max_events)
        {
            delivered_id = pending.front().id;
            batch.events.push_back(std::move(pending.front()));
            pending.pop_front();
        }
    }

    void drop_stream()
    {
        stream.reset();
        parser.reset_partial();
    }

    // Opens the stream; false (and no error) when the answer carried no body to stream.
    boost::asio::awaitable<result<bool>> open(detail::steady::time_point deadline)
    {
        refusal.reset();
        request r = base;
        r.headers.set("Accept", "text/event-stream");
        if (!r.headers.contains("cache-control"))
            r.headers.set("Cache-Control", "no-cache");
        if (!parser.last_event_id().empty())
            r.headers.set("Last-Event-ID", parser.last_event_id());
        else
            r.headers.erase("last-event-id");
        auto opened = co_await client->open_stream(r, deadline);
        if (!opened)
            co_return opened.error();
        response const& head = opened->head;
        std::string operation = std::string(to_string(r.method)) + " " + redact_url(r.url);
        if (head.status == 204)
        {
            ended = true; // the server's way of saying "do not reconnect"
            co_return false;
        }
        if (!head.ok())
        {
            refusal = head;
            refusal->body.clear();
            co_return http_error(head, operation);
        }
        auto type = head.headers.value_or("content-type", "");
        if (type.size() < 17 || !iequals(type.substr(0, 17), "text/event-stream"))
        {
            error e(errc::protocol_error, "expected text/event-stream, got '" + redact_text(type.substr(0, 100)) + "'");
            e.with_operation(operation).with_http(head.status, head.request_id());
            co_return e;
        }
        parser.reset_partial();
        stream = std::move(opened->stream);
        co_return stream != nullptr;
    }
};

MLCLOUD_DECL sse_reader::sse_reader(http_client& client, request req, sse_options options)
    : state_(std::make_shared<state>())
{
    state_->client = client.impl_;
    state_->base = std::move(req);
    state_->parser = sse_parser(options.max_event_size);
    state_->parser.set_last_event_id(options.last_event_id);
    state_->delivered_id = options.last_event_id;
    // Events are small and arrive a few at a time; a stream followed for hours should not
    // hold a download-sized buffer. A stream's connection reads initial_read_size at a time
    // until something larger arrives, so this buffer takes one such read whole.
    state_->buffer.resize(std::min<std::size_t>(client.options().buffer_size, detail::initial_read_size));
    state_->opts = std::move(options);
}

MLCLOUD_DECL sse_reader::~sse_reader() = default;
MLCLOUD_DECL sse_reader::sse_reader(sse_reader&&) noexcept = default;
MLCLOUD_DECL sse_reader& sse_reader::operator=(sse_reader&&) noexcept = default;

MLCLOUD_DECL std::string const& sse_reader::last_event_id() const noexcept
{
    return state_->cursor();
}

MLCLOUD_DECL response const* sse_reader::last_refusal() const noexcept
{
    return state_ && state_->refusal ? &*state_->refusal : nullptr;
}

MLCLOUD_DECL void sse_reader::close()
{
    if (state_)
        state_->drop_stream();
}

namespace detail {

// The read window ran out before the server answered: say so, instead of the transport's
// message about its own (much longer) request timeout.
inline error sse_window_timeout(error const& cause, std::chrono::milliseconds window)
{
    error e(errc::timeout, "no answer from the event stream within the read window of " +
                               std::to_string(window.count()) + " ms");
    e.with_operation(cause.operation).with_retry_safe(true);
    return e;
}

} // namespace detail

MLCLOUD_DECL task<sse_batch> sse_reader::read(sse_limits limits)
{
    return read_impl(state_, limits);
}

MLCLOUD_DECL task<sse_batch> sse_reader::read_impl(std::shared_ptr<state> st, sse_limits limits)
{
    using detail::after;
    if (!st)
        co_return error(errc::invalid_argument, "read() on a moved-from sse_reader");
    sse_batch batch;
    auto const deadline = after(limits.max_duration);
    st->refusal.reset();
    st->take_pending(batch, limits.max_events);

    std::size_t bytes = 0;
    bool cut = false;                 // the stream was lost during this read
    std::optional<error> open_error;  // the last attempt to (re)open failed
    std::vector<sse_event> parsed;
    while (batch.events.size() < limits.max_events && bytes < limits.max_bytes && !st->ended)
    {
        if (!st->stream)
        {
            if (cut)
            {
                if (batch.reconnects >= st->opts.max_reconnects)
                    break;
                auto delay = std::min(st->parser.retry().value_or(st->opts.reconnect_delay), st->opts.max_reconnect_delay);
                if (after(delay) >= deadline)
                    break; // no time left in this window: the next read reconnects
                boost::asio::steady_timer timer(st->client->executor(), delay);
                co_await timer.async_wait(detail::use_tuple);
                ++batch.reconnects;
            }
            auto opened = co_await st->open(deadline);
            if (!opened)
            {
                open_error = opened.error();
                if (open_error->is(errc::timeout) && detail::steady::now() >= deadline)
                    open_error = detail::sse_window_timeout(*open_error, limits.max_duration); // not the request timeout
                if (!cut)
                    break;
                continue; // counts against max_reconnects
            }
            open_error.reset();
            if (!*opened)
                break; // 204, or a response without a body: nothing more in this read
        }
        std::size_t const cap = std::min(st->buffer.size(), limits.max_bytes - bytes);
        auto chunk = co_await st->stream->read_some(st->buffer.data(), cap, deadline);
        if (!chunk)
        {
            st->drop_stream();
            cut = true;
            continue;
        }
        if (chunk->size > 0)
        {
            bytes += chunk->size;
            parsed.clear();
            auto fed = st->parser.feed(std::string_view(st->buffer.data(), chunk->size), parsed);
            for (auto& ev : parsed)
                st->pending.push_back(std::move(ev));
            st->take_pending(batch, limits.max_events);
            if (!fed)
            {
                st->drop_stream();
                if (batch.events.empty())
                    co_return fed.error();
                break;
            }
        }
        if (chunk->window_closed || chunk->complete)
        {
            // A closed window dropped the connection; a complete response is reconnected to
            // on the next read, as the specification asks.
            st->drop_stream();
            break;
        }
    }
    batch.last_event_id = st->cursor();
    batch.end_of_stream = st->ended && st->pending.empty();
    if (batch.events.empty() && open_error)
        co_return *open_error;
    co_return batch;
}

} // namespace mlcloud::net

#endif

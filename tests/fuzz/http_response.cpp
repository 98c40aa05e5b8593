//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The transport's response path, as it runs: a real net::http_client sends a request to a
// server on 127.0.0.1 that answers with the fuzzer's bytes (in up to three pieces) and
// closes. Everything between the socket and the caller is the library's own code — Beast's
// response parser, the head and body loops, the body-to-file path, the SSE reader over a
// streamed body — and a complete answer, whatever it is, must end as a response or as an
// error of the documented kinds, with no partial file left behind and nothing unredacted.
//
// Input: one byte of mode (bits 0-2: GET, HEAD, GET to a file, GET with a 64-byte body limit,
// SSE reader, POST; bits 3-4: how many cuts), one byte per cut, then the server's answer.
// The client and the server share one thread: a run is deterministic.

#include "fuzz.hpp"

#include <mlcloud/blocking.hpp>
#include <mlcloud/net/client.hpp>
#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/sse.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

#include <unistd.h>

namespace {

namespace asio = boost::asio;
namespace net = mlcloud::net;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

enum class mode
{
    get,
    head,
    get_to_file,
    get_small_limit,
    sse,
    post,
};

// A server that answers every connection with the same bytes, cut into pieces.
struct loopback_server
{
    asio::io_context ioc{1};
    tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::vector<std::string_view> pieces;
    std::size_t serving = 0; // connections not yet closed

    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/fuzz"; }
};

asio::awaitable<void> serve(loopback_server& server, tcp::socket socket)
{
    // The request head first, so the answer never races the client's write.
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos)
    {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
        if (ec)
            break;
        request.append(buffer, n);
    }
    for (auto piece : server.pieces)
    {
        auto [ec, n] = co_await asio::async_write(socket, asio::buffer(piece.data(), piece.size()), use_tuple);
        if (ec)
            break;
        // Let the client read this piece before the next one arrives.
        for (int i = 0; i < 4; ++i)
            co_await asio::post(socket.get_executor(), asio::use_awaitable);
    }
    // Half-close, then wait for the client to close its end: unread bytes on a closed socket
    // would turn the end of the answer into a reset.
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    while (true)
    {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), use_tuple);
        if (ec)
            break;
    }
    --server.serving;
}

asio::awaitable<void> accept_loop(loopback_server& server)
{
    while (true)
    {
        auto [ec, socket] = co_await server.acceptor.async_accept(use_tuple);
        if (ec)
            co_return;
        ++server.serving;
        asio::co_spawn(server.ioc, serve(server, std::move(socket)), asio::detached);
    }
}

loopback_server& server()
{
    static auto* s = [] {
        auto* made = new loopback_server;
        asio::co_spawn(made->ioc, accept_loop(*made), asio::detached);
        return made;
    }();
    return *s;
}

std::filesystem::path download_path()
{
    static auto const dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("mlcloud-fuzz-http-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir / "body";
}

void check_error(mlcloud::error const& e)
{
    using mlcloud::errc;
    mlcloud_fuzz::check(e.is(errc::network_error) || e.is(errc::protocol_error) || e.is(errc::payload_too_large) ||
                            e.is(errc::outcome_unknown) || e.is(errc::timeout),
                        "a bad answer is a network, protocol, size, outcome or timeout error");
    mlcloud_fuzz::check(net::redact_text(e.message) == e.message, "the transport's message is redacted");
}

net::client_options client_options()
{
    net::client_options o;
    o.proxy = net::proxy_options{};
    o.retry.max_attempts = 1; // one attempt: no backoff sleeps
    o.timeouts.idle = 2s;     // the server always closes; these only bound a bug
    o.timeouts.request = 5s;
    o.buffer_size = 512;      // small reads: more boundaries inside the answer
    return o;
}

void run_request(loopback_server& s, mode m)
{
    net::http_client client(s.ioc.get_executor(), client_options());
    net::request req{.url = s.url()};
    auto const file = download_path();
    switch (m)
    {
    case mode::head: req.method = net::method::head; break;
    case mode::get_to_file: req.response_file = file; break;
    case mode::get_small_limit: req.max_body_size = 64; break;
    case mode::post:
        req.method = net::method::post;
        req.body = std::string("{\"fuzz\":true}");
        break;
    default: break;
    }

    if (m == mode::sse)
    {
        net::sse_reader reader(client, std::move(req),
                               {.reconnect_delay = 0ms, .max_reconnect_delay = 0ms, .max_reconnects = 1, .max_event_size = 4096});
        for (int i = 0; i < 2; ++i)
        {
            auto batch = mlcloud::run_blocking(s.ioc, reader.read({.max_duration = 3s, .max_bytes = 1 << 16}));
            if (!batch)
            {
                using mlcloud::errc;
                mlcloud_fuzz::check(net::redact_text(batch.error().message) == batch.error().message,
                                    "the SSE reader's message is redacted");
                break;
            }
            if (batch->end_of_stream)
                break;
        }
        return;
    }

    auto r = mlcloud::run_blocking(s.ioc, client.send(std::move(req)));
    std::error_code ec;
    if (!r)
    {
        check_error(r.error());
        mlcloud_fuzz::check(!std::filesystem::exists(file, ec), "a failed download leaves no file");
        return;
    }
    mlcloud_fuzz::check(r->status >= 100 && r->status <= 999, "a status has three digits");
    (void)r->request_id();
    if (m == mode::get_small_limit)
        mlcloud_fuzz::check(r->body.size() <= 64, "the body limit holds");
    if (m == mode::head)
        mlcloud_fuzz::check(r->body.empty(), "a HEAD answer has no body");
    if (m == mode::get_to_file && r->ok())
    {
        mlcloud_fuzz::check(r->body_file == file && std::filesystem::file_size(file, ec) == r->body_size,
                            "a download is all in its file");
        std::filesystem::remove(file, ec);
    }
    else
        mlcloud_fuzz::check(r->body.size() == r->body_size, "the body is all in memory");
    if (!r->ok())
    {
        // A complete answer with a failing status maps to whatever code the status means.
        auto const e = net::http_error(*r, "GET /fuzz");
        mlcloud_fuzz::check(static_cast<bool>(e.code) && e.http_status == r->status, "an HTTP error keeps its status");
        mlcloud_fuzz::check(net::redact_text(e.message) == e.message, "an HTTP error's message is redacted");
        (void)e.what();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    mlcloud_fuzz::input in(data, size);
    auto const control = in.byte();
    auto const m = static_cast<mode>((control & 7) % 6);
    std::size_t const cuts = (control >> 3) & 3;
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < cuts; ++i)
        at.push_back(in.byte());
    auto const answer = in.rest();
    for (auto& a : at)
        a = a * answer.size() / 256;
    std::sort(at.begin(), at.end());

    auto& s = server();
    s.pieces.clear();
    std::size_t from = 0;
    for (auto a : at)
    {
        s.pieces.push_back(answer.substr(from, a - from));
        from = a;
    }
    s.pieces.push_back(answer.substr(from));

    run_request(s, m);

    // The client is gone (its connections closed): let the server finish every connection.
    while (s.serving > 0 && s.ioc.run_one() != 0)
        ;
    return 0;
}

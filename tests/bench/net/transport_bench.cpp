//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// bench_transport: small GETs per second over one keep-alive loopback connection, and
// download throughput, for mlcloud::net::http_client and for peers measured in the same run
// against the same server (curl with URL globbing in one invocation, Python http.client).
//
//     bench_transport [requests=20000] [rounds=3]
//
// The server is a small synchronous Beast server in this process (one thread per
// connection) that answers "hello" or a prebuilt body; it counts connections so the figures
// are known to come from one keep-alive connection. Prints a Markdown table.

#include <mlcloud/blocking.hpp>
#include <mlcloud/net/client.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace net = mlcloud::net;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

std::atomic<int> connections{0};
std::string const big_body(64 << 20, 'b');

void serve_connection(tcp::socket socket)
{
    ++connections;
    socket.set_option(tcp::no_delay(true));
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> hello{http::status::ok, 11};
    hello.set(http::field::content_type, "text/plain");
    hello.body() = "hello";
    hello.prepare_payload();
    while (true)
    {
        http::request<http::empty_body> req;
        boost::system::error_code ec;
        http::read(socket, buffer, req, ec);
        if (ec)
            return;
        if (req.target().starts_with("/big"))
        {
            http::response<http::span_body<char const>> res{http::status::ok, 11};
            res.body() = {big_body.data(), big_body.size()};
            res.prepare_payload();
            res.keep_alive(req.keep_alive());
            http::write(socket, res, ec);
        }
        else
        {
            hello.keep_alive(req.keep_alive());
            http::write(socket, hello, ec);
        }
        if (ec || !req.keep_alive())
            return;
    }
}

unsigned short start_server()
{
    static asio::io_context ctx;
    static tcp::acceptor acceptor(ctx, {asio::ip::make_address("127.0.0.1"), 0});
    std::thread([] {
        while (true)
        {
            tcp::socket s(ctx);
            acceptor.accept(s);
            std::thread(serve_connection, std::move(s)).detach();
        }
    }).detach();
    return acceptor.local_endpoint().port();
}

double seconds_since(clock_type::time_point start)
{
    return std::chrono::duration<double>(clock_type::now() - start).count();
}

// The best (smallest) time of `rounds` runs of f.
template <class F>
double best_of(int rounds, F&& f)
{
    double best = 1e300;
    for (int i = 0; i < rounds; ++i)
        best = std::min(best, f());
    return best;
}

net::client_options bench_options()
{
    net::client_options o;
    o.proxy = net::proxy_options{};
    return o;
}

double mlcloud_coroutine(std::string const& url, int n)
{
    asio::io_context ctx(1);
    net::http_client http(ctx.get_executor(), bench_options());
    int ok = 0;
    auto start = clock_type::now();
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < n; ++i)
            {
                net::request req{.url = url};
                auto r = co_await http.send(std::move(req));
                ok += (r && r->status == 200) ? 1 : 0;
            }
        },
        asio::detached);
    ctx.run();
    double t = seconds_since(start);
    if (ok != n)
        std::cerr << "mlcloud: only " << ok << " of " << n << " requests succeeded\n";
    return t;
}

double mlcloud_blocking(std::string const& url, int n)
{
    asio::io_context ctx(1);
    net::http_client http(ctx.get_executor(), bench_options());
    auto start = clock_type::now();
    for (int i = 0; i < n; ++i)
    {
        auto r = mlcloud::run_blocking(ctx, http.send({.url = url}));
        if (!r || r->status != 200)
            std::cerr << "mlcloud (run_blocking): request failed\n";
    }
    return seconds_since(start);
}

double run_command(std::string const& cmd)
{
    auto start = clock_type::now();
    int rc = std::system(cmd.c_str());
    double t = seconds_since(start);
    if (rc != 0)
        std::cerr << "command failed (" << rc << "): " << cmd << "\n";
    return t;
}

std::string python_loop(std::string const& port, int n, std::string const& path)
{
    return std::string(MLCLOUD_PYTHON_EXECUTABLE) +
           " -c \"import http.client as h\nc=h.HTTPConnection('127.0.0.1'," + port + ")\nfor i in range(" +
           std::to_string(n) + "):\n c.request('GET','" + path + "'); c.getresponse().read()\"";
}

void row(std::string const& client, std::string const& command, int n, double seconds, double reference)
{
    std::printf("| %s | `%s` | %d | %.3f | %.0f | %.2f |\n", client.c_str(), command.c_str(), n, seconds, n / seconds,
                seconds / reference);
}

} // namespace

int main(int argc, char** argv)
{
    int const n = argc > 1 ? std::atoi(argv[1]) : 20000;
    int const rounds = argc > 2 ? std::atoi(argv[2]) : 3;
    auto const port = std::to_string(start_server());
    std::string const base = "http://127.0.0.1:" + port;
    std::string const url = base + "/small";

    std::printf("Small GETs over one keep-alive loopback connection (best of %d rounds)\n\n", rounds);
    std::printf("| client | how | requests | seconds | requests/s | time vs mlcloud |\n|---|---|---|---|---|---|\n");

    int before = connections;
    double co = best_of(rounds, [&] { return mlcloud_coroutine(url, n); });
    int used = connections - before;
    row("mlcloud http_client", "co_await send() in a loop", n, co, co);
    double bl = best_of(rounds, [&] { return mlcloud_blocking(url, n); });
    row("mlcloud http_client", "run_blocking(send()) per request", n, bl, co);

    std::string curl = "curl -s -o /dev/null \"" + url + "?[1-" + std::to_string(n) + "]\"";
    before = connections;
    double cu = best_of(rounds, [&] { return run_command(curl); });
    int curl_used = connections - before;
    row("curl", "curl -s -o /dev/null URL?[1-N]", n, cu, co);

    double py = best_of(rounds, [&] { return run_command(python_loop(port, n, "/small")); });
    row("Python http.client", "HTTPConnection loop", n, py, co);
    std::printf("\nConnections opened: mlcloud %d for %d rounds, curl %d for %d rounds.\n\n", used, rounds, curl_used,
                rounds);

    // Download throughput: 4 x 64 MiB into memory (mlcloud) / to /dev/null (curl).
    int const downloads = 4;
    double const mib = downloads * 64.0;
    std::printf("Download throughput, %d x 64 MiB over one connection (best of %d rounds)\n\n", downloads, rounds);
    std::printf("| client | MiB | seconds | MiB/s |\n|---|---|---|---|\n");
    double dl = best_of(rounds, [&] {
        asio::io_context ctx(1);
        auto o = bench_options();
        o.max_body_size = 65 << 20;
        net::http_client http(ctx.get_executor(), o);
        auto start = clock_type::now();
        for (int i = 0; i < downloads; ++i)
        {
            auto r = mlcloud::run_blocking(ctx, http.send({.url = base + "/big"}));
            if (!r || r->body.size() != big_body.size())
                std::cerr << "download failed\n";
        }
        return seconds_since(start);
    });
    std::printf("| mlcloud http_client, body in memory | %.0f | %.3f | %.0f |\n", mib, dl, mib / dl);
    auto const file = std::filesystem::temp_directory_path() / "mlcloud-bench-download";
    double df = best_of(rounds, [&] {
        asio::io_context ctx(1);
        net::http_client http(ctx.get_executor(), bench_options());
        auto start = clock_type::now();
        for (int i = 0; i < downloads; ++i)
        {
            auto r = mlcloud::run_blocking(ctx, http.send({.url = base + "/big", .response_file = file}));
            if (!r || r->body_size != big_body.size())
                std::cerr << "download to file failed\n";
        }
        return seconds_since(start);
    });
    std::printf("| mlcloud http_client, response_file in %s | %.0f | %.3f | %.0f |\n", file.parent_path().c_str(), mib,
                df, mib / df);
    std::string curl_file = "curl -s -o " + file.string() + " \"" + base + "/big?[1-" + std::to_string(downloads) + "]\"";
    double cf = best_of(rounds, [&] { return run_command(curl_file); });
    std::printf("| `curl -o <same file> URL?[1-4]` | %.0f | %.3f | %.0f |\n", mib, cf, mib / cf);
    std::string curl_big = "curl -s -o /dev/null \"" + base + "/big?[1-" + std::to_string(downloads) + "]\"";
    double cb = best_of(rounds, [&] { return run_command(curl_big); });
    std::printf("| `curl -o /dev/null URL?[1-4]` | %.0f | %.3f | %.0f |\n", mib, cb, mib / cb);
    std::filesystem::remove(file);
    // For tests/bench/run.sh's table.
    std::printf("RESULT|small GETs/s, one keep-alive connection|%.0f|%.0f|%.2fx|reported (curl)\n", n / co, n / cu,
                cu / co);
    std::printf("RESULT|download MiB/s to a file, 4 x 64 MiB|%.0f|%.0f|%.2fx|reported (curl)\n", mib / df, mib / cf,
                cf / df);
    std::fflush(stdout);
    std::_Exit(0); // the server threads block in accept/read
}

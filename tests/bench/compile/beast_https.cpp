//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compile-time benchmark, the peer of aws_backend.cpp: Beast + Asio SSL + Boost.JSON, making one
// HTTPS request and parsing its JSON answer, as a hand-written client would.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <iostream>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

int main()
{
    asio::io_context ctx;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    asio::ip::tcp::resolver resolver(ctx);
    beast::ssl_stream<beast::tcp_stream> stream(ctx, tls);
    SSL_set_tlsext_host_name(stream.native_handle(), "api.example.com");
    beast::get_lowest_layer(stream).connect(resolver.resolve("api.example.com", "443"));
    stream.handshake(asio::ssl::stream_base::client);
    http::request<http::string_body> req{http::verb::get, "/v1/jobs", 11};
    req.set(http::field::host, "api.example.com");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    auto doc = boost::json::parse(res.body());
    std::cout << doc.at("jobs").as_array().size() << "\n";
    beast::error_code ec;
    stream.shutdown(ec);
    return 0;
}

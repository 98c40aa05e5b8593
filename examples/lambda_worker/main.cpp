//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The prediction function of the AWS backend as a Lambda custom runtime (the `bootstrap`
// executable of the function image): it asks the Lambda Runtime API for the next invocation,
// applies the model it names and posts the answer or the error, forever.
//
//     AWS_LAMBDA_RUNTIME_API   host:port of the Runtime API (set by Lambda)
//     AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (set by Lambda)
//     AWS_ENDPOINT_URL[_S3]    another S3 endpoint (tests, S3-compatible stores)
//
// `bootstrap --max-invocations N` stops after N invocations (for tests).

#include "handler.hpp"

#include <mlcloud/aws/client.hpp>
#include <mlcloud/aws/detail/lambda.hpp>
#include <mlcloud/aws/s3_client.hpp>
#include <mlcloud/blocking.hpp>
#include <mlcloud/net/client.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace aws = mlcloud::aws;
namespace net = mlcloud::net;

constexpr std::string_view api_version = "2018-06-01";

struct runtime
{
    boost::asio::io_context ctx;
    std::string base; // http://host:port/2018-06-01/runtime
    net::http_client http;
    std::optional<aws::s3_client> s3;

    explicit runtime(std::string api)
        : base("http://" + api + "/" + std::string(api_version) + "/runtime"), http(ctx.get_executor(), runtime_http())
    {
    }

    static net::client_options runtime_http()
    {
        net::client_options o;
        o.proxy = net::proxy_options{}; // the Runtime API is local: never through a proxy
        // /invocation/next is a long poll: it answers when an event arrives.
        o.timeouts.idle = std::chrono::hours(24);
        o.timeouts.request = std::chrono::hours(24);
        return o;
    }

    template <class T>
    T run(boost::asio::awaitable<T> op)
    {
        return mlcloud::run_blocking(ctx, std::move(op));
    }

    mlcloud::result<void> post(std::string const& path, std::string body, std::string_view error_type = {})
    {
        net::request req;
        req.method = net::method::post;
        req.url = base + path;
        req.headers.set("Content-Type", "application/json");
        if (!error_type.empty())
            req.headers.set("Lambda-Runtime-Function-Error-Type", error_type);
        req.body = std::move(body);
        req.idempotent = true; // the Runtime API accepts one answer per request id
        auto r = run(http.send(std::move(req)));
        if (!r)
            return r.error();
        if (!r->ok())
            return net::http_error(*r, "POST " + path);
        return {};
    }

    /// Sets up the S3 client from the function's environment; an error message otherwise.
    std::optional<std::string> init()
    {
        auto config = mlcloud::auth::aws_config::load();
        auto session = aws::session::from_config(config);
        if (!session)
            return session.error().what();
        aws::s3_client_options o;
        o.region = session->region;
        o.credentials = session->credentials;
        if (auto it = session->endpoints.find("S3"); it != session->endpoints.end())
            o.endpoint = it->second;
        s3.emplace(ctx.get_executor(), std::move(o));
        return std::nullopt;
    }

    mlcloud::result<std::string> fetch(mlcloud::storage_uri const& u)
    {
        return run(s3->get_object(u.bucket, u.key, aws::detail::lambda_max_payload * 4));
    }

    /// One invocation; false when the Runtime API cannot be reached (the runtime must exit).
    bool serve_one()
    {
        net::request next;
        next.url = base + "/invocation/next";
        auto r = run(http.send(std::move(next)));
        if (!r || !r->ok())
        {
            std::cerr << "mlcloud-lambda: the Runtime API did not hand out an invocation: "
                      << (r ? net::http_error(*r, "next").what() : r.error().what()) << "\n";
            return false;
        }
        std::string const id(r->headers.value_or("Lambda-Runtime-Aws-Request-Id", ""));
        auto result = mlcloud_lambda::handle_event(r->body, [this](mlcloud::storage_uri const& u) { return fetch(u); });
        mlcloud::result<void> sent;
        if (result.ok)
            sent = post("/invocation/" + id + "/response", std::move(result.body));
        else
        {
            std::cerr << "mlcloud-lambda: " << id << ": " << result.error_type << ": " << result.error_message << "\n";
            sent = post("/invocation/" + id + "/error", result.error_document(), result.error_type);
        }
        if (!sent)
            std::cerr << "mlcloud-lambda: could not answer " << id << ": " << sent.error().what() << "\n";
        return true;
    }
};

} // namespace

int main(int argc, char** argv)
{
    long max_invocations = -1;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string_view(argv[i]) == "--max-invocations")
            max_invocations = std::strtol(argv[i + 1], nullptr, 10);

    char const* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api)
    {
        std::cerr << "mlcloud-lambda: AWS_LAMBDA_RUNTIME_API is not set: this program runs inside AWS Lambda\n";
        return 2;
    }
    runtime rt(api);
    if (auto problem = rt.init())
    {
        std::cerr << "mlcloud-lambda: " << *problem << "\n";
        if (!rt.post("/init/error", mlcloud::aws::detail::function_error_document("mlcloud.Failed", *problem),
                     "mlcloud.Failed"))
            std::cerr << "mlcloud-lambda: could not report the init error\n";
        return 1;
    }
    for (long served = 0; max_invocations < 0 || served < max_invocations; ++served)
        if (!rt.serve_one())
            return 1;
    return 0;
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_PREDICTION_IPP
#define MLCLOUD_AWS_IMPL_PREDICTION_IPP

#include <mlcloud/aws/detail/context.hpp>
#include <mlcloud/aws/detail/lambda.hpp>
#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/aws/prediction.hpp>
#include <mlcloud/messages/cost.hpp>
#include <mlcloud/net/redact.hpp>

#include <random>

namespace mlcloud::aws {

namespace prediction_impl {

inline error fail(errc c, std::string msg)
{
    return error(c, std::move(msg)).with_provider("aws").with_operation("Invoke");
}

} // namespace prediction_impl

MLCLOUD_DECL prediction::prediction(boost::asio::any_io_executor ex, options const& opts)
    : ctx_(detail::make_context(std::move(ex), opts))
{
}

MLCLOUD_DECL options const& prediction::settings() const noexcept
{
    return ctx_->opts;
}

MLCLOUD_DECL task<prediction_result> prediction::predict(prediction_request const& r)
{
    auto ctx = ctx_;
    if (auto e = ctx->unusable("Invoke"))
        co_return *e;
    auto const& fn = ctx->opts.lambda_function;
    if (fn.empty())
        co_return prediction_impl::fail(errc::not_supported, "no Lambda function is configured (aws::options::lambda_function, "
                                            "MLCLOUD_AWS_LAMBDA_FUNCTION); deploy examples/lambda_worker");
    auto payload = detail::prediction_payload(r);
    if (!payload)
        co_return prediction_impl::fail(payload.error().code == make_error_code(errc::invalid_argument) ? errc::invalid_argument
                                                                                       : errc::protocol_error,
                       payload.error().message);
    if (payload->size() > detail::lambda_max_payload)
        co_return prediction_impl::fail(errc::payload_too_large,
                       "the request is " + std::to_string(payload->size()) +
                           " bytes, above Lambda's 6 MB limit for a synchronous invocation: put the rows in "
                           "S3 and pass input_uri");
    if (ctx->opts.check_model_before_invoke)
    {
        auto head = co_await ctx->s3->head_object(r.model.bucket, r.model.key);
        if (!head)
        {
            if (head.error().is(errc::not_found))
                co_return prediction_impl::fail(errc::not_found, "the model " + r.model.str() + " does not exist");
            co_return head.error();
        }
    }

    net::request req;
    req.method = net::method::post;
    req.url = ctx->api->endpoint(lambda_service) + detail::invoke_target(fn, ctx->opts.lambda_qualifier);
    req.headers.set("Content-Type", "application/json");
    req.headers.set("X-Amz-Invocation-Type", "RequestResponse");
    req.headers.set("X-Amz-Log-Type", "Tail");
    req.body = std::move(*payload);
    // A prediction changes nothing: repeating it after a lost connection is safe. Not after a
    // timeout: the function is still running then, and another invocation would be billed and
    // waited for as long again.
    req.idempotent = true;
    req.retry_timeouts = false;
    auto const wait = std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout) + std::chrono::seconds(30);
    req.timeouts.request = wait;
    req.timeouts.idle = wait;
    auto const started = std::chrono::steady_clock::now();
    auto resp = co_await ctx->api->send(lambda_service, std::move(req));
    auto const elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (!resp)
    {
        auto e = resp.error();
        if (e.provider.empty())
            e.with_provider("aws");
        if (e.operation.empty())
            e.with_operation("Invoke");
        co_return e;
    }
    std::string const rid(resp->request_id());
    if (!resp->ok())
        co_return detail::make_error(*resp, "aws", "Invoke").with_retry_safe();
    if (auto kind = resp->headers.get("X-Amz-Function-Error"))
    {
        auto fe = detail::parse_function_error(resp->body);
        std::string msg = "the function " + fn + " failed (" + std::string(*kind) + ")";
        if (!fe.type.empty())
            msg += ": " + fe.type;
        if (!fe.message.empty())
            msg += ": " + fe.message;
        co_return error(detail::errc_from_function_error(fe), net::redact_text(msg))
            .with_provider("aws")
            .with_operation("Invoke")
            .with_http(resp->status, rid);
    }
    auto output = detail::parse_prediction_answer(resp->body);
    if (!output)
        co_return prediction_impl::fail(errc::protocol_error, output.error().message).with_http(resp->status, rid);

    auto report = detail::parse_log_tail(resp->headers.value_or("X-Amz-Log-Result", ""));
    prediction_result out;
    out.output = std::move(*output);
    out.duration = report.duration_ms ? std::chrono::milliseconds(static_cast<long long>(*report.duration_ms)) : elapsed;
    messages::lambda_usage usage;
    usage.memory_mb = report.memory_mb.value_or(ctx->opts.lambda_memory_mb);
    usage.duration = report.billed.value_or(std::max(elapsed, std::chrono::milliseconds(1)));
    out.cost = messages::lambda_cost(usage);
    if (!report.billed)
        out.cost.basis += " (measured here: Lambda sent no REPORT line)";
    if (!rid.empty())
        out.request_id = "aws-" + rid;
    else
    {
        std::random_device rd;
        out.request_id = "aws-local-" + std::to_string(rd()) + std::to_string(rd());
    }
    co_return out;
}

} // namespace mlcloud::aws

#endif

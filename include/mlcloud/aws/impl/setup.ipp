//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_SETUP_IPP
#define MLCLOUD_AWS_IMPL_SETUP_IPP

#include <mlcloud/aws/detail/context.hpp>
#include <mlcloud/aws/detail/logs.hpp>
#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/aws/detail/xml.hpp>
#include <mlcloud/aws/setup.hpp>
#include <mlcloud/net/url.hpp>

#include <boost/asio/awaitable.hpp>

namespace mlcloud::aws {

MLCLOUD_DECL std::string_view to_string(setup_step::outcome o) noexcept
{
    switch (o)
    {
    case setup_step::outcome::found: return "found";
    case setup_step::outcome::created: return "created";
    case setup_step::outcome::missing: return "missing";
    case setup_step::outcome::failed: return "failed";
    }
    return "unknown";
}

namespace setup_impl {

using outcome = setup_step::outcome;

inline task<caller_identity> get_caller_identity(detail::backend_context& ctx)
{
    net::query_params none;
    auto xml = co_await ctx.api->query(sts_service, "GetCallerIdentity", "2011-06-15", std::move(none));
    if (!xml)
        co_return xml.error();
    auto doc = detail::xml::parse(*xml, "GetCallerIdentity");
    if (!doc)
        co_return doc.error().with_provider("aws").with_operation("GetCallerIdentity");
    caller_identity id;
    id.region = ctx.api->settings().region;
    if (auto const* r = detail::xml::find(*doc, {"GetCallerIdentityResponse", "GetCallerIdentityResult"}))
    {
        id.account = detail::xml::text(*r, "Account");
        id.arn = detail::xml::text(*r, "Arn");
    }
    if (id.account.empty())
        co_return error(errc::protocol_error, "GetCallerIdentity: the answer names no account")
            .with_provider("aws")
            .with_operation("GetCallerIdentity");
    co_return id;
}

inline boost::asio::awaitable<setup_step> check_identity(detail::backend_context& ctx, setup_report& report)
{
    setup_step step{"credentials", {}, outcome::found, {}};
    auto id = co_await get_caller_identity(ctx);
    if (!id)
    {
        step.result = outcome::failed;
        step.detail = id.error().what();
        co_return step;
    }
    report.account = id->account;
    report.arn = id->arn;
    step.name = report.arn;
    step.detail = "account " + report.account;
    co_return step;
}

inline boost::asio::awaitable<setup_step> ensure_bucket(detail::backend_context& ctx)
{
    setup_step step{"bucket", ctx.opts.bucket, outcome::found, {}};
    if (ctx.opts.bucket.empty())
    {
        step.result = outcome::missing;
        step.detail = "no bucket configured (aws::options::bucket, MLCLOUD_AWS_BUCKET)";
        co_return step;
    }
    auto exists = co_await ctx.s3->bucket_exists(ctx.opts.bucket);
    if (!exists)
    {
        step.result = outcome::failed;
        step.detail = exists.error().what();
        co_return step;
    }
    if (*exists)
    {
        step.detail = "s3://" + ctx.opts.bucket;
        co_return step;
    }
    auto made = co_await ctx.s3->create_bucket(ctx.opts.bucket);
    if (!made && !made.error().is(errc::already_exists))
    {
        step.result = outcome::failed;
        step.detail = made.error().what();
        co_return step;
    }
    step.result = made ? outcome::created : outcome::found;
    step.detail = "s3://" + ctx.opts.bucket + " in " + ctx.api->settings().region;
    co_return step;
}

inline boost::asio::awaitable<setup_step> ensure_log_group(detail::backend_context& ctx)
{
    setup_step step{"log group", ctx.opts.log_group, outcome::found, {}};
    auto listed = co_await ctx.api->json(logs_service, "Logs_20140328.DescribeLogGroups",
                                         detail::describe_log_groups_body(ctx.opts.log_group));
    if (!listed)
    {
        step.result = outcome::failed;
        step.detail = listed.error().what();
        co_return step;
    }
    auto found = detail::log_groups_contain(*listed, ctx.opts.log_group);
    if (found && *found)
        co_return step;
    auto made = co_await ctx.api->json(logs_service, "Logs_20140328.CreateLogGroup",
                                       detail::log_group_body(ctx.opts.log_group));
    if (!made && !made.error().is(errc::already_exists))
    {
        step.result = outcome::failed;
        step.detail = made.error().what();
        co_return step;
    }
    step.result = made ? outcome::created : outcome::found;
    co_return step;
}

inline setup_step configured(std::string what, std::string const& value, std::string hint)
{
    if (value.empty())
        return {std::move(what), {}, outcome::missing, std::move(hint)};
    return {std::move(what), value, outcome::found, "configured"};
}

inline boost::asio::awaitable<setup_step> check_function(detail::backend_context& ctx)
{
    auto const& fn = ctx.opts.lambda_function;
    if (fn.empty())
        co_return setup_step{"Lambda function", {}, outcome::missing,
                             "no prediction function configured (MLCLOUD_AWS_LAMBDA_FUNCTION); build and deploy "
                             "examples/lambda_worker"};
    net::request req;
    req.method = net::method::get;
    req.url = ctx.api->endpoint(lambda_service) + "/2015-03-31/functions/" + net::encode_path_segment(fn);
    auto r = co_await ctx.api->send(lambda_service, std::move(req));
    if (!r)
        co_return setup_step{"Lambda function", fn, outcome::failed, r.error().what()};
    if (r->ok())
        co_return setup_step{"Lambda function", fn, outcome::found, "exists"};
    if (r->status == 404)
        co_return setup_step{"Lambda function", fn, outcome::missing,
                             "not found: deploy examples/lambda_worker under this name"};
    co_return setup_step{"Lambda function", fn, outcome::failed,
                         detail::make_error(*r, "aws", "GetFunction").what()};
}

} // namespace setup_impl

MLCLOUD_DECL task<caller_identity> identify(boost::asio::any_io_executor ex, options const& opts)
{
    auto ctx = detail::make_context(std::move(ex), opts);
    if (auto e = ctx->unusable("GetCallerIdentity"))
        co_return *e;
    co_return co_await setup_impl::get_caller_identity(*ctx);
}

MLCLOUD_DECL task<setup_report> setup(boost::asio::any_io_executor ex, options const& opts)
{
    using namespace setup_impl;
    auto ctx = detail::make_context(std::move(ex), opts);
    if (auto e = ctx->unusable("setup"))
        co_return *e;
    setup_report report;
    auto identity = co_await check_identity(*ctx, report);
    bool const can_go_on = identity.result != outcome::failed;
    report.steps.push_back(std::move(identity));
    if (!can_go_on)
        co_return report;
    report.steps.push_back(co_await ensure_bucket(*ctx));
    report.steps.push_back(co_await ensure_log_group(*ctx));
    report.steps.push_back(configured("AMI", opts.image_id, "no AMI configured (MLCLOUD_AWS_AMI): training needs an "
                                                            "image with docker, the NVIDIA toolkit and the AWS CLI"));
    report.steps.push_back(configured("instance profile", opts.instance_profile,
                                      "no instance profile configured (MLCLOUD_AWS_INSTANCE_PROFILE): the instance "
                                      "needs one for S3, CloudWatch Logs and its own tags (docs/aws.md)"));
    report.steps.push_back(co_await check_function(*ctx));
    co_return report;
}

} // namespace mlcloud::aws

#endif

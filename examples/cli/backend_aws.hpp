//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_BACKEND_AWS_HPP
#define MLCLOUD_CLI_BACKEND_AWS_HPP

// `mlcloud --provider aws`: options from MLCLOUD_AWS_* and the AWS SDK variables (AWS_REGION,
// AWS_PROFILE, AWS_ENDPOINT_URL ...; docs/aws.md), plus the bucket `mlcloud setup` chose
// (<state directory>/aws.json) when MLCLOUD_AWS_BUCKET is not set.

#include "args.hpp"
#include "job_records.hpp"

#include <mlcloud/aws.hpp>
#include <mlcloud/blocking.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>

namespace mlcloud_cli {

template <class B>
struct cli_backend;

namespace aws_cli {

inline std::filesystem::path settings_path() { return state_directory() / "aws.json"; }

/// The bucket `setup` saved, if any.
inline std::string saved_bucket()
{
    std::ifstream in(settings_path());
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        return {};
    auto const* b = v.as_object().if_contains("bucket");
    return b && b->is_string() ? std::string(b->as_string()) : std::string();
}

inline mlcloud::result<void> save_bucket(std::string const& bucket)
{
    return write_file_atomically(settings_path(), boost::json::serialize(boost::json::object{{"bucket", bucket}}) + "\n");
}

inline void print(mlcloud::aws::setup_report const& r, std::ostream& out)
{
    for (auto const& s : r.steps)
    {
        out << to_string(s.result) << " " << s.what;
        if (!s.name.empty())
            out << " " << s.name;
        if (!s.detail.empty())
            out << ": " << s.detail;
        out << "\n";
    }
}

} // namespace aws_cli

template <>
struct cli_backend<mlcloud::aws::backend>
{
    using options = mlcloud::aws::options;

    static mlcloud::result<options> options_from_environment()
    {
        auto o = mlcloud::aws::options_from_environment();
        if (o && o->bucket.empty())
            o->bucket = aws_cli::saved_bucket();
        return o;
    }

    /// Datasets and models go below s3://<bucket>/<prefix>.
    static mlcloud::storage_uri default_prefix(options const& o)
    {
        if (o.bucket.empty())
            return mlcloud::storage_uri::local(""); // refused by the provider: run `mlcloud setup`
        std::string prefix = o.prefix;
        while (!prefix.empty() && prefix.back() == '/')
            prefix.pop_back();
        return mlcloud::storage_uri::s3(o.bucket, prefix);
    }

    static constexpr std::string_view pricing_provider = "aws";

    /// `mlcloud setup --provider aws [--bucket NAME]`: checks the credentials, finds or creates
    /// the bucket (default: mlcloud-<account>-<region>, remembered for later commands) and the
    /// log group, and reports what training and prediction still need.
    static int setup(options const& given, args const& a, std::ostream& out)
    {
        a.allow_only({"provider", "bucket"});
        options o = given;
        if (auto b = a.get("bucket"))
            o.bucket = *b;
        boost::asio::io_context ctx;
        bool chose_bucket = false;
        if (o.bucket.empty())
        {
            // The account id names the default bucket: ask STS first.
            auto id = mlcloud::run_blocking(ctx, mlcloud::aws::identify(ctx.get_executor(), o));
            if (!id)
            {
                out << "failed credentials: " << id.error().what() << "\n";
                return 1;
            }
            o.bucket = "mlcloud-" + id->account + "-" + id->region;
            chose_bucket = true;
        }
        auto report = mlcloud::run_blocking(ctx, mlcloud::aws::setup(ctx.get_executor(), o));
        if (!report)
        {
            out << report.error().what() << "\n";
            return 1;
        }
        if (!report->arn.empty())
            out << "credentials: " << report->arn << " (account " << report->account << ")\n";
        aws_cli::print(*report, out);
        if (report->ok() && (chose_bucket || a.get("bucket")))
        {
            if (auto saved = aws_cli::save_bucket(o.bucket); !saved)
                out << "warning: " << saved.error().message << "\n";
            else
                out << "remembered bucket " << o.bucket << " in " << aws_cli::settings_path().string() << "\n";
        }
        return report->ok() ? 0 : 1;
    }
};

} // namespace mlcloud_cli

#endif

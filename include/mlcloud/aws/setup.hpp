//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_SETUP_HPP
#define MLCLOUD_AWS_SETUP_HPP

#include <mlcloud/aws/options.hpp>
#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mlcloud::aws {

/// One thing the backend needs, and what `setup` did about it.
struct setup_step
{
    enum class outcome
    {
        found,   ///< it was there already
        created, ///< setup made it
        missing, ///< not there, and setup does not make it (the detail says how to)
        failed,  ///< checking or creating it failed (the detail says why)
    };

    std::string what;   ///< "credentials", "bucket", "log group", "AMI", "instance profile", "Lambda function"
    std::string name;   ///< the bucket name, the log group, ...
    outcome result = outcome::found;
    std::string detail;
};

MLCLOUD_DECL std::string_view to_string(setup_step::outcome o) noexcept;

struct setup_report
{
    std::string account; ///< the AWS account id (STS GetCallerIdentity)
    std::string arn;     ///< who the credentials belong to
    std::vector<setup_step> steps;

    /// No step failed (missing optional pieces are reported, not failures).
    bool ok() const noexcept
    {
        for (auto const& s : steps)
            if (s.result == setup_step::outcome::failed)
                return false;
        return true;
    }
};

/// Who the credentials belong to (STS GetCallerIdentity).
struct caller_identity
{
    std::string account; ///< "123456789012"
    std::string arn;     ///< "arn:aws:iam::123456789012:user/me"
    std::string region;  ///< the region the options resolve to
};

/// Checks the credentials with STS GetCallerIdentity; errc::unauthorized etc. when AWS
/// refuses them.
MLCLOUD_DECL task<caller_identity> identify(boost::asio::any_io_executor ex, options const& opts);

/// Finds or creates what the backend needs and reports each step: checks the credentials
/// (STS GetCallerIdentity), finds or creates the bucket (options::bucket) and the log group
/// (options::log_group), and checks that the AMI, instance profile and Lambda function are
/// configured (and the function exists). Running it twice creates nothing the second time.
/// Errors of single steps are in the report; the task fails only when the configuration
/// cannot be resolved at all.
MLCLOUD_DECL task<setup_report> setup(boost::asio::any_io_executor ex, options const& opts);

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/setup.ipp>
#endif

#endif

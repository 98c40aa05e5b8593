//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_BOOTSTRAP_HPP
#define MLCLOUD_AWS_DETAIL_BOOTSTRAP_HPP

// The UserData script of a training instance (docs/aws.md, "The bootstrap script"): it
// fetches the dataset, runs the workload container with its output in CloudWatch Logs,
// uploads the model, tags the instance with the result and powers off; a watchdog powers off
// even if the script hangs. Every job value enters the script as one single-quoted bash
// word in the header; the logic below the header is fixed text.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud::aws::detail {

/// EC2 accepts at most 16 KB of user data (before base64).
inline constexpr std::size_t max_user_data = 16 * 1024;

struct bootstrap_input
{
    std::string job_name;
    std::string job_key;
    std::string region;
    std::string log_group;
    std::string image;
    std::vector<std::string> command;
    std::map<std::string, std::string> env;
    std::optional<storage_uri> dataset;
    std::optional<storage_uri> output;
    std::chrono::seconds max_runtime{std::chrono::hours(4)};
    /// The watchdog powers the machine off this long after max_runtime, whatever happens.
    std::chrono::seconds shutdown_grace{std::chrono::minutes(10)};
    bool gpus = true;
};

/// The script, or errc::invalid_argument naming what cannot go into it (a NUL byte, an
/// environment name that is not a shell identifier, a non-S3 dataset or output, an image
/// that looks like an option, a script above 16 KB).
MLCLOUD_DECL result<std::string> render_bootstrap(bootstrap_input const& in);

/// `s` as one single-quoted bash word: 'it'\''s'.
MLCLOUD_DECL std::string shell_quote(std::string_view s);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/bootstrap.ipp>
#endif

#endif

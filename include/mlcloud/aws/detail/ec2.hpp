//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_EC2_HPP
#define MLCLOUD_AWS_DETAIL_EC2_HPP

// EC2 request builders, answer parsers and the mapping of instance states to job states:
// pure functions, unit-tested without a network.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/url.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud::aws::detail {

inline constexpr std::string_view ec2_api_version = "2016-11-15";

/// The tags mlcloud puts on what it launches (docs/aws.md). Orphan reconciliation finds
/// instances by `tag_job`.
inline constexpr std::string_view tag_job = "mlcloud:job";            ///< the launch's idempotency key
inline constexpr std::string_view tag_name = "mlcloud:name";          ///< job_spec::name
inline constexpr std::string_view tag_managed = "mlcloud:managed-by"; ///< "mlcloud"
inline constexpr std::string_view tag_max_runtime = "mlcloud:max-runtime"; ///< seconds
inline constexpr std::string_view tag_output = "mlcloud:output";      ///< the model's storage URI
/// Written by the instance itself before it powers off:
inline constexpr std::string_view tag_result = "mlcloud:result";      ///< succeeded | failed | timed_out
inline constexpr std::string_view tag_exit_code = "mlcloud:exit-code";
inline constexpr std::string_view tag_finished_at = "mlcloud:finished-at"; ///< Unix seconds

/// Everything RunInstances needs for one candidate instance type.
struct run_instances_input
{
    std::string image_id;
    std::string instance_type;
    std::string client_token;
    std::string user_data; ///< the script; base64-encoded here
    bool spot = false;
    std::optional<double> spot_max_price; ///< USD per hour
    std::string subnet_id;
    std::vector<std::string> security_group_ids;
    std::string instance_profile; ///< a name, or an ARN ("arn:...")
    std::string key_name;
    int root_volume_gb = 0;
    std::string root_device_name = "/dev/sda1";
    std::map<std::string, std::string> tags; ///< on the instance and its volumes
};

/// The Query parameters of RunInstances (without Action and Version).
MLCLOUD_DECL net::query_params run_instances_params(run_instances_input const& in);

/// One instance as DescribeInstances / RunInstances describe it.
struct ec2_instance
{
    std::string id;
    std::string type;
    std::string state;      ///< pending, running, shutting-down, terminated, stopping, stopped
    int state_code = -1;    ///< low byte: 0, 16, 32, 48, 64, 80
    std::string state_reason_code;    ///< "Server.SpotInstanceTermination", "Client.UserInitiatedShutdown"
    std::string state_reason_message;
    std::string state_transition_reason; ///< "User initiated (2026-11-28 18:09:00 GMT)"
    std::string lifecycle;  ///< "spot" or empty
    std::string client_token;
    std::optional<std::chrono::system_clock::time_point> launch_time;
    std::map<std::string, std::string> tags;
};

/// Every instance of a RunInstances, DescribeInstances or TerminateInstances answer (for
/// Terminate, `state` is the current state). Also returns DescribeInstances' nextToken.
struct instances_page
{
    std::vector<ec2_instance> instances;
    std::string next_token;
};
MLCLOUD_DECL result<instances_page> parse_instances(std::string_view xml, std::string_view operation);

/// The ClientToken of one launch attempt: derived from the idempotency key and what is
/// launched, so the same launch repeated is deduplicated by EC2 and another candidate type
/// gets another token (EC2 rejects one token with different parameters). At most 64 ASCII
/// characters.
MLCLOUD_DECL std::string client_token(std::string_view idempotency_key, std::string_view instance_type, bool spot);

/// "i-" + 8 or 17 lower-case hex digits.
MLCLOUD_DECL bool is_instance_id(std::string_view id) noexcept;

/// How the status of a job follows from its instance.
struct instance_verdict
{
    job_status status;
    /// The instance shut itself down without a result tag: whether it succeeded can only be
    /// read from the completion marker in its log.
    bool consult_log = false;
    /// When the job stopped running (for the cost), when known.
    std::optional<std::chrono::system_clock::time_point> ended_at;
};
MLCLOUD_DECL instance_verdict judge_instance(ec2_instance const& i, std::chrono::system_clock::time_point now);

/// True for the EC2 states after which the instance no longer runs the job.
MLCLOUD_DECL bool is_stopped_state(std::string_view state) noexcept;

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/ec2.ipp>
#endif

#endif

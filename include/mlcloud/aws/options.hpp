//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_OPTIONS_HPP
#define MLCLOUD_AWS_OPTIONS_HPP

#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/aws/client.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/messages/pricing.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlcloud::aws {

/// The settings of the AWS backend: one aggregate for training, storage and prediction.
/// Empty account fields follow the AWS SDK conventions (docs/aws.md, "Configuration").
///
///     mlcloud::cloud<mlcloud::aws::backend> c(ex, {.bucket = "my-ml-bucket",
///                                                 .image_id = "ami-0123456789abcdef0",
///                                                 .instance_profile = "mlcloud-worker",
///                                                 .lambda_function = "mlcloud-predict"});
struct options
{
    // --- Account, region, endpoints ---------------------------------------------------
    /// Empty: AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
    std::string region;
    /// Credentials given in code; unset: AWS_ACCESS_KEY_ID..., the shared files, the profile.
    std::optional<auth::aws_credentials> credentials;
    /// Where the chain reads (environment, profile, file paths); tests point it elsewhere.
    auth::aws_config_options config;
    /// Endpoint URLs by SDK service id ("S3", "EC2", "Lambda", "CloudWatch Logs", "STS"),
    /// over AWS_ENDPOINT_URL[_<SERVICE>]. An S3 endpoint override switches to path-style URLs.
    std::map<std::string, std::string, std::less<>> endpoints;
    /// Transport settings (timeouts, retries, TLS, proxy); the AWS retry classifier is set.
    net::client_options http = default_http_options();

    // --- Storage ----------------------------------------------------------------------
    /// The bucket `mlcloud setup` creates and default model locations use.
    std::string bucket;
    /// Key prefix for what mlcloud writes on its own (default model locations).
    std::string prefix = "mlcloud/";
    std::uint64_t multipart_threshold = 16ull << 20;
    std::uint64_t part_size = 8ull << 20;
    /// Upload parts in flight at once (streamed from the file: memory does not grow with it).
    std::size_t transfer_concurrency = 8;
    /// Download ranges in flight at once, each held in memory until written.
    std::size_t download_concurrency = 4;
    std::uint64_t download_chunk_size = 8ull << 20;

    // --- Training (EC2 + CloudWatch Logs) ----------------------------------------------
    /// The AMI: Linux with docker, the NVIDIA container toolkit, the AWS CLI v2, curl and
    /// coreutils' timeout (e.g. an AWS Deep Learning Base AMI).
    std::string image_id;
    std::string subnet_id;
    std::vector<std::string> security_group_ids;
    /// Instance profile name or ARN; its role needs the permissions in docs/aws.md.
    std::string instance_profile;
    std::string key_name;
    int root_volume_gb = 0; ///< 0: the AMI's size
    std::string root_device_name = "/dev/sda1";
    /// One log stream per job (named by the instance id) in this group.
    std::string log_group = "/mlcloud/jobs";
    /// Instance types tried, in order, when a job names no compute.
    std::vector<std::string> default_instance_types = {"g4dn.xlarge", "g5.xlarge", "g6.xlarge"};
    /// Pass the GPUs to the container (docker --gpus all) when the job asks for any.
    bool docker_gpus = true;
    /// The instance's watchdog powers it off this long after the job's max_runtime.
    std::chrono::seconds shutdown_grace{std::chrono::minutes(10)};
    /// A stopped job's log stream is reported complete only after this long, so late
    /// CloudWatch deliveries are not cut off.
    std::chrono::seconds log_settle_time{10};
    /// Events per GetLogEvents page.
    int log_page_limit = 1000;
    /// Extra tags on every instance and volume.
    std::map<std::string, std::string> tags;

    // --- Prediction (Lambda) -------------------------------------------------------------
    /// The function running examples/lambda_worker (name, name:alias or ARN).
    std::string lambda_function;
    std::string lambda_qualifier;
    /// The function's memory, for the cost estimate when Lambda sends no REPORT line.
    int lambda_memory_mb = 1024;
    /// HeadObject on the model before invoking, so a missing model is errc::not_found
    /// without paying for an invocation.
    bool check_model_before_invoke = true;

    // --- Prices ------------------------------------------------------------------------
    /// Hourly prices of instance types; unset: the built-in table (messages/pricing.hpp).
    std::shared_ptr<messages::pricing_table const> pricing;
};

/// Options from MLCLOUD_AWS_* environment variables (docs/aws.md): BUCKET, PREFIX, AMI,
/// SUBNET, SECURITY_GROUPS (comma-separated), INSTANCE_PROFILE, KEY_NAME, LOG_GROUP,
/// INSTANCE_TYPES (comma-separated), LAMBDA_FUNCTION, LAMBDA_MEMORY_MB, ROOT_VOLUME_GB,
/// plus AWS_REGION etc. through the AWS chain. errc::invalid_argument for a malformed number.
MLCLOUD_DECL result<options> options_from_environment(auth::environment const& env = auth::environment::process());

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/options.ipp>
#endif

#endif

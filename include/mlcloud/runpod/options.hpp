//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_OPTIONS_HPP
#define MLCLOUD_RUNPOD_OPTIONS_HPP

#include <mlcloud/auth/runpod_credentials.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/net/client.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlcloud {
namespace runpod {

/// How `training::launch` walks RunPod's create-pod retry table (docs/runpod.md).
struct launch_options
{
    /// Attempts on one GPU candidate after a 5xx, a timeout or a lost connection; the pod list
    /// is checked for an orphan before each new attempt.
    unsigned attempts_per_candidate = 3;
    /// Backoff between those attempts: base * 2^(n-1), capped, with full jitter.
    std::chrono::milliseconds backoff{1000};
    std::chrono::milliseconds max_backoff{std::chrono::seconds(20)};
    /// After an answer that leaves the outcome open, the pod list is read this many times, this
    /// far apart, before a create is sent again (a new pod may take a moment to be listed).
    unsigned orphan_checks = 2;
    std::chrono::milliseconds orphan_check_interval{std::chrono::seconds(2)};
    /// Longest total wait on 429s during one launch (and one network-volume create of setup);
    /// beyond it the launch fails with errc::throttled.
    std::chrono::seconds max_throttle_wait{120};
    /// A 429 that names no wait (neither Retry-After nor an exhausted RateLimit window) waits
    /// this long.
    std::chrono::milliseconds default_retry_after{std::chrono::seconds(5)};
};

/// How `prediction::predict` talks to a serverless endpoint.
struct prediction_options
{
    enum class mode
    {
        run,     ///< POST /run, then poll /status (bodies up to 10 MB)
        runsync, ///< POST /runsync?wait=..., then poll /status if it is still running (up to 20 MB)
    };
    prediction_options::mode mode = mode::runsync;
    /// The `wait` of /runsync (RunPod accepts 1 s to 300 s).
    std::chrono::milliseconds runsync_wait{std::chrono::seconds(60)};
    /// /status polling: starts at `poll_initial`, grows by half each time up to `poll_max`.
    std::chrono::milliseconds poll_initial{std::chrono::milliseconds(250)};
    std::chrono::milliseconds poll_max{std::chrono::seconds(5)};
    /// A job still IN_QUEUE after this long is cancelled and reported (workers missing or
    /// crash-looping); the endpoint's /health goes into the message.
    std::chrono::milliseconds max_queue_wait{std::chrono::minutes(5)};
    /// Sent as policy.executionTimeout and policy.ttl (RunPod's own limits).
    std::chrono::milliseconds execution_timeout{std::chrono::minutes(10)};
    std::chrono::milliseconds ttl{std::chrono::hours(1)};
    /// The request size limits of RunPod, checked before a request is sent.
    std::size_t max_run_bytes = 10u << 20;
    std::size_t max_runsync_bytes = 20u << 20;
    /// Attempts of /run or /runsync after a 5xx or a lost connection. A repeated submission can
    /// run the prediction twice (it is billed twice, it changes nothing else).
    unsigned submit_attempts = 3;
};

/// How `storage` moves files through RunPod's S3 API.
struct storage_options
{
    /// Files above this size go up in parts (RunPod refuses a PutObject of 500 MB or more).
    std::uint64_t multipart_threshold = 64ull << 20;
    std::uint64_t part_size = 32ull << 20; ///< raised when a file would need more than 10000 parts
    std::size_t concurrency = 4;           ///< upload parts, and download ranges, in flight at once
    std::uint64_t download_chunk_size = 16ull << 20;
    int list_page_size = 1000; ///< keys per ListObjectsV2 page (1 to 1000)
    /// Attempts per request (RunPod advises AWS_MAX_ATTEMPTS=10 against its transient 502s).
    unsigned max_attempts = 10;
};

/// Everything the RunPod providers are built from. Every member has a working default except
/// the ones that name your account's resources (volume, endpoint, image).
///
///     mlcloud::runpod::options o{.datacenter = "EU-RO-1", .network_volume_id = "agv6w2qcg7",
///                                .image = "ghcr.io/me/mlcloud-trainer:1", .endpoint_id = "abc123"};
///     mlcloud::cloud<mlcloud::runpod::backend> c(ctx.get_executor(), o);
struct options
{
    /// API key, REST and serverless base URLs, S3 endpoint and keys; by default from the
    /// environment (RUNPOD_API_KEY, RUNPOD_REST_URL, ..., see docs/credentials.md).
    auth::runpod_config_options credentials;

    /// The datacenter of pods and volumes when the job's dataset does not say ("EU-RO-1").
    std::string datacenter;
    /// The network volume mounted into pods when neither dataset nor output is on one, and the
    /// volume `setup` finds or creates.
    std::string network_volume_id;
    /// Where pods see the network volume: MLCLOUD_DATASET and MLCLOUD_OUTPUT point below it.
    std::string mount_path = "/workspace";
    /// The container image of a job whose job_spec::image is empty (built from
    /// examples/trainer/Dockerfile).
    std::string image;
    /// GPU candidates of a job whose job_spec::compute is empty, best first.
    std::vector<std::string> default_gpus{"NVIDIA RTX A5000"};
    int container_disk_gb = 20;
    /// Exposed ports ("8888/http", "22/tcp"); none by default: training needs no inbound access.
    std::vector<std::string> ports;

    /// Terminate the pod as soon as its log shows the completion marker or the workload's exit,
    /// so billing stops. Turn off only to inspect a finished pod (it then bills until terminated).
    bool terminate_on_completion = true;

    /// One read_logs on a running pod returns after at most this long (or `log_max_bytes`).
    std::chrono::milliseconds log_window{std::chrono::milliseconds(1500)};
    std::size_t log_max_bytes = 256 * 1024;
    /// status() of a running pod reads the tail of its log this long to notice a finished
    /// workload.
    std::chrono::milliseconds status_log_window{std::chrono::milliseconds(400)};
    /// Lines of the log tail status() looks at for the completion marker or the exit line
    /// (1 to 5000, RunPod's limit; outside it, the nearest). When an ended pod's tail shows
    /// neither, its last 5000 lines are read before it is judged.
    int status_log_tail = 50;

    /// The pricing table used for cost estimates and the max-price filter. Unset: the built-in
    /// table, refreshed from GET /v2/catalog/gpus (see refresh_catalog). Share one table between
    /// providers to refresh it once.
    std::shared_ptr<messages::pricing_table> pricing;
    /// Refresh RunPod's rows of the pricing table from the GPU catalog before a launch when the
    /// last refresh is older than `catalog_max_age`; a failed refresh keeps the table as it is.
    bool refresh_catalog = true;
    std::chrono::seconds catalog_max_age{std::chrono::hours(1)};

    launch_options launch;

    /// The serverless endpoint that serves predictions (examples/runpod_worker).
    std::string endpoint_id;
    /// The GPU pool of that endpoint, for cost ("AMPERE_24", see the pricing table).
    std::string serverless_pool = "AMPERE_24";
    prediction_options prediction;

    storage_options storage;

    /// The HTTP transport (timeouts, retries of idempotent requests, TLS, proxy).
    net::client_options http;
};

} // namespace runpod
} // namespace mlcloud

#endif

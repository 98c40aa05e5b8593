//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_DETAIL_WIRE_HPP
#define MLCLOUD_RUNPOD_DETAIL_WIRE_HPP

// RunPod's wire formats (REST v2, serverless, pod log events) as plain structs, with the
// builders and parsers between them and JSON text. Pure functions: no I/O, unit-tested on
// their own (tests/unit/runpod). Field names follow shared/reference/runpod-api.md.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/runpod/health.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud {
namespace runpod {
namespace detail {

using time_point = std::chrono::system_clock::time_point;

// ---------------------------------------------------------------------------------------------
// Time

/// Parses an RFC 3339 timestamp ("2026-06-01T12:02:03Z", "...T12:02:03.25+02:00"); nullopt when
/// it is not one.
MLCLOUD_DECL std::optional<time_point> parse_rfc3339(std::string_view text) noexcept;

/// "2026-06-01T12:02:03Z" (UTC, whole seconds).
MLCLOUD_DECL std::string format_rfc3339(time_point t);

// ---------------------------------------------------------------------------------------------
// Errors

/// An RFC 9457 problem (REST v2), or the {"message": ...} / plain-text body of the other APIs.
struct problem
{
    int status = 0;
    std::string title;
    std::string detail;
    std::vector<std::string> errors; ///< validation errors of a 422
};

/// Reads whatever error body RunPod sent; never fails (an unreadable body yields its first
/// line as the detail).
MLCLOUD_DECL problem parse_problem(std::string_view body, int status);

/// "detail (errors: a; b)" or the title, redacted, one line, bounded.
MLCLOUD_DECL std::string describe(problem const& p);

/// The longest reset among the exhausted windows of a RateLimit header
/// ('"minute";r=0;t=12, "hour";r=2800;t=1812' -> 12 s): what to wait when a 429 came without
/// Retry-After. nullopt when no window is exhausted or the header cannot be read.
MLCLOUD_DECL std::optional<std::chrono::seconds> rate_limit_reset(std::string_view header) noexcept;

/// What a 429 asks to wait: the longer of `retry_after` (already parsed) and the longest
/// exhausted window of the RateLimit header. RunPod's Retry-After may name the minute window
/// while the hour is exhausted too, and a retry at the shorter wait meets another 429. At
/// least 1 ms; nullopt when neither says anything.
MLCLOUD_DECL std::optional<std::chrono::milliseconds> throttle_wait(std::optional<std::chrono::milliseconds> retry_after,
                                                                    std::optional<std::string_view> rate_limit) noexcept;

// ---------------------------------------------------------------------------------------------
// Pods

/// The body of POST /v2/pods.
struct pod_create
{
    std::string name;
    std::string image;
    std::string args; ///< one string (v2); see join_args
    std::string gpu_id;
    int gpu_count = 1;
    std::string cloud = "SECURE"; ///< SECURE or COMMUNITY
    std::vector<std::string> datacenters;
    int disk_gb = 20;
    std::map<std::string, std::string> env;
    std::string volume_id; ///< mounts.network[0], when not empty
    std::string mount_path = "/workspace";
    std::vector<std::string> ports;
};

MLCLOUD_DECL std::string to_json(pod_create const& p);

/// A pod as GET /v2/pods/{id} returns it (the fields mlcloud uses).
struct pod_info
{
    std::string id;
    std::string name;
    std::string status; ///< PROVISIONING, STARTING, RUNNING, EXITED, ERROR, TERMINATED
    std::string image;
    std::string cloud;
    std::string datacenter;
    std::string gpu_id;
    int gpu_count = 0;
    double cost_per_hour = 0.0; ///< USD for the whole pod; 0 once EXITED or TERMINATED
    std::map<std::string, std::string> env;
    std::optional<time_point> created_at;
    std::optional<time_point> started_at;
    std::optional<std::chrono::seconds> uptime; ///< runtime.uptime, only while RUNNING
    std::vector<std::string> actions;
    std::string volume_id;
    std::string mount_path;
};

MLCLOUD_DECL result<pod_info> parse_pod(std::string_view body);
/// GET /v2/pods: {"pods": [...]}.
MLCLOUD_DECL result<std::vector<pod_info>> parse_pod_list(std::string_view body);

/// The portable state of a pod status word (without what its log says).
MLCLOUD_DECL job_state state_of(std::string_view pod_status) noexcept;
MLCLOUD_DECL bool has_ended(std::string_view pod_status) noexcept;

/// The unique pod name of a launch: "mlcloud-<name slug>-<16 hex digits of SHA-256(key)>",
/// at most 63 characters. The same idempotency key always gives the same name.
MLCLOUD_DECL std::string pod_name(std::string_view job_name, std::string_view idempotency_key);

/// The argv of a workload as the one `args` string of REST v2: each argument in POSIX single
/// quotes when it needs any ("a b" -> 'a b', "it's" -> 'it'\''s').
MLCLOUD_DECL std::string join_args(std::vector<std::string> const& argv);

// ---------------------------------------------------------------------------------------------
// Logs

/// One pod log event: {"ts": "...", "source": "container", "line": "..."}.
struct log_event
{
    std::string ts;
    std::string source;
    std::string line;
};

/// Reads the data of one SSE event; data that is not that JSON object is taken as the line.
MLCLOUD_DECL log_event parse_log_event(std::string_view data);

/// What a log says about the end of the workload.
struct log_outcome
{
    bool completed = false;        ///< the completion marker was printed
    std::optional<int> exit_code;  ///< the entrypoint's exit line was printed (and no marker before it)
    std::optional<time_point> last_ts;

    bool decided() const noexcept { return completed || exit_code.has_value(); }
};

/// The line the trainer image's entrypoint prints when the workload exits without having
/// printed the completion marker (examples/trainer/entrypoint.sh).
inline constexpr std::string_view exit_line_prefix = "mlcloud: workload exited with status ";

/// Feeds one line into `o`: the first marker or exit line decides, later lines change nothing.
MLCLOUD_DECL void observe_line(log_outcome& o, std::string_view line);

// ---------------------------------------------------------------------------------------------
// GPU catalog

struct catalog_gpu
{
    std::string id;
    std::string name;
    std::string pool;
    int memory_gb = 0;
    bool secure = false;    ///< offered in the secure cloud
    bool community = false; ///< offered in the community cloud
    std::optional<double> secure_price;    ///< USD per GPU-hour
    std::optional<double> community_price;
    std::optional<double> serverless_price; ///< USD per hour
};

/// GET /v2/catalog/gpus: {"gpus": [...]}.
MLCLOUD_DECL result<std::vector<catalog_gpu>> parse_catalog(std::string_view body);

/// Updates RunPod's rows of `table` from the catalog: known ids get the catalog's prices
/// (secure = on demand, community = spot), unknown ids with a secure price are added. Returns
/// how many rows changed or were added.
MLCLOUD_DECL std::size_t apply_catalog(messages::pricing_table& table, std::vector<catalog_gpu> const& gpus,
                                       std::string_view as_of);

// ---------------------------------------------------------------------------------------------
// Network volumes

struct volume_info
{
    std::string id;
    std::string name;
    std::string datacenter;
    std::string type;
    int size_gb = 0;
};

MLCLOUD_DECL result<volume_info> parse_volume(std::string_view body);
/// GET /v2/network-volumes: {"networkVolumes": [...]}.
MLCLOUD_DECL result<std::vector<volume_info>> parse_volume_list(std::string_view body);
MLCLOUD_DECL std::string volume_create_body(std::string_view name, std::string_view datacenter, int size_gb);

// ---------------------------------------------------------------------------------------------
// Serverless

/// The body of /run and /runsync for a prediction (the contract of examples/runpod_worker).
struct prediction_input
{
    std::string model;       ///< runpod://DC/volume/key of the model
    std::string rows;        ///< CSV with a header, inline; or
    std::string input;       ///< runpod://DC/volume/key of the CSV
    std::string request_key; ///< the caller's idempotency key, for the worker's log
    std::chrono::milliseconds execution_timeout{0};
    std::chrono::milliseconds ttl{0};
};

MLCLOUD_DECL std::string to_json(prediction_input const& in);

/// A serverless job object.
struct job_object
{
    std::string id;
    std::string status; ///< IN_QUEUE, IN_PROGRESS, COMPLETED, FAILED, CANCELLED, TIMED_OUT
    std::optional<std::chrono::milliseconds> delay;
    std::optional<std::chrono::milliseconds> execution;
    bool has_output = false;
    std::string predictions; ///< output.predictions
    std::string output_text; ///< the output, serialized, when it has no predictions member
    std::string error;       ///< as sent (a string; runpod-python may JSON-encode it)
};

MLCLOUD_DECL result<job_object> parse_job(std::string_view body);
MLCLOUD_DECL bool is_final(std::string_view job_status) noexcept;

/// The error of a FAILED job made readable: a JSON-encoded runpod-python error
/// ({"error_type", "error_message", ...}) is unpacked, and the worker's "<code>: message"
/// convention (examples/runpod_worker) selects the errc (not_found, invalid_argument, ...;
/// job_failed otherwise).
MLCLOUD_DECL mlcloud::error decode_job_error(std::string_view error_text);

/// GET /health; missing counters are 0.
MLCLOUD_DECL result<endpoint_health> parse_health(std::string_view body);

} // namespace detail
} // namespace runpod
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/runpod/impl/wire.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TYPES_HPP
#define MLCLOUD_TYPES_HPP

// The portable vocabulary shared by every backend. This header is deliberately light:
// no Beast, no SSL, no JSON, so code that only names the API compiles fast.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/storage_uri.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud {

/// The line a workload prints once its model is safely stored (the workload contract).
inline constexpr std::string_view completion_marker = "\xE2\x9C\x85 Model saved successfully!";

/// Environment variables every backend sets for the workload (the workload contract):
/// the local path of the dataset, the local path where the model must be written, the job id.
inline constexpr char const* dataset_env = "MLCLOUD_DATASET";
inline constexpr char const* output_env = "MLCLOUD_OUTPUT";
inline constexpr char const* job_id_env = "MLCLOUD_JOB_ID";
/// The column the example trainer predicts when no --target is given (set by the bot and CLI).
inline constexpr char const* target_env = "MLCLOUD_TARGET";

/// Portable lifecycle of a training job.
enum class job_state
{
    pending,      ///< accepted, nothing is running yet
    provisioning, ///< a machine is being acquired or started
    running,      ///< the workload runs
    succeeded,    ///< the workload finished and printed the completion marker
    failed,       ///< the workload or its machine failed
    cancelled,    ///< terminated on request
    preempted,    ///< the provider reclaimed a spot/interruptible machine
    timed_out,    ///< the max-runtime limit ended the job
    unknown,      ///< the provider reported a state we cannot map
};

/// True for states a job never leaves.
constexpr bool is_terminal(job_state s) noexcept
{
    switch (s)
    {
    case job_state::succeeded:
    case job_state::failed:
    case job_state::cancelled:
    case job_state::preempted:
    case job_state::timed_out:
        return true;
    default:
        return false;
    }
}

constexpr std::string_view to_string(job_state s) noexcept
{
    switch (s)
    {
    case job_state::pending:      return "pending";
    case job_state::provisioning: return "provisioning";
    case job_state::running:      return "running";
    case job_state::succeeded:    return "succeeded";
    case job_state::failed:       return "failed";
    case job_state::cancelled:    return "cancelled";
    case job_state::preempted:    return "preempted";
    case job_state::timed_out:    return "timed_out";
    case job_state::unknown:      return "unknown";
    }
    return "unknown";
}

/// How a machine is bought.
enum class market
{
    on_demand, ///< full price, kept until released
    spot,      ///< cheaper, may be reclaimed by the provider at any time
};

constexpr std::string_view to_string(market m) noexcept
{
    return m == market::spot ? "spot" : "on_demand";
}

/// What to run on: the provider's exact id ("NVIDIA RTX A5000", "g5.xlarge", "local").
struct compute_type
{
    std::string id;
    int gpu_count = 1;

    friend bool operator==(compute_type const&, compute_type const&) = default;
};

/// Money in US dollars and how it was computed.
struct cost
{
    double usd = 0.0;
    std::chrono::seconds billed{0}; ///< billable time the figure covers
    std::string basis;              ///< e.g. "per second at $0.29/h"; why, when not `known`
    /// False when the provider could not price the work (no rate for the machine, no start
    /// time): `usd` is then 0 for one machine, and for a sum only what the priced parts cost
    /// (a lower bound). Show costs with messages::format_cost, which says so.
    bool known = true;
};

/// A portable training job.
struct job_spec
{
    std::string name;            ///< human-readable; backends derive machine names from it
    std::string idempotency_key; ///< unique per logical launch; a retried launch reuses it
    std::vector<std::string> command; ///< argv of the workload; never passed through a shell
    std::string image;                ///< container image (cloud backends)
    std::map<std::string, std::string> env;
    std::optional<storage_uri> dataset; ///< fetched for the workload; path in MLCLOUD_DATASET
    std::optional<storage_uri> output;  ///< where the model goes; local path in MLCLOUD_OUTPUT
    std::vector<compute_type> compute;  ///< candidates, best first
    mlcloud::market market = mlcloud::market::on_demand;
    std::optional<double> max_price_per_hour; ///< USD; spot bid cap or a filter on candidates
    std::chrono::seconds max_runtime{std::chrono::hours(4)}; ///< the job is killed after this; at most max_runtime_limit
    std::map<std::string, std::string> labels; ///< become tags / names on the provider side
};

/// The longest `job_spec::max_runtime` a backend accepts: 366 days. A longer one (such as
/// `seconds::max()` meant as "no limit") is refused with errc::invalid_argument, because it
/// would overflow the clocks' arithmetic and end the job at once.
inline constexpr std::chrono::seconds max_runtime_limit{std::chrono::hours(24 * 366)};

/// The words of that refusal, the same from every backend.
inline constexpr char const* max_runtime_refusal = "max_runtime must be at most 366 days (mlcloud::max_runtime_limit)";

/// Whether `job_spec::max_price_per_hour` can be honoured: unset, or a finite price above zero.
/// The AWS and RunPod backends refuse any other with errc::invalid_argument (a NaN cap compares
/// false with every price and would let any through); local jobs cost nothing and ignore it.
constexpr bool valid_price_cap(std::optional<double> const& cap) noexcept
{
    return !cap || (*cap > 0.0 && *cap <= std::numeric_limits<double>::max());
}

/// The words of that refusal, the same from every backend that refuses.
inline constexpr char const* price_cap_refusal = "max_price_per_hour must be a finite price above zero";

/// What `launch` returns and every later call takes. Only `provider` and `id` are required
/// to address a job again (after a restart, from the CLI); the rest is what was launched.
struct job_handle
{
    std::string provider;   ///< "local", "aws", "runpod", ...
    std::string id;         ///< local job id, EC2 instance id, RunPod pod id
    std::string name;
    compute_type compute;
    mlcloud::market market = mlcloud::market::on_demand;
    double price_per_hour = 0.0; ///< USD at launch, used for cost so far
    std::chrono::system_clock::time_point launched_at{};
    std::string region; ///< AWS region or RunPod datacenter, when known
    std::optional<storage_uri> output;
};

/// A status observation.
struct job_status
{
    job_state state = job_state::unknown;
    std::string detail;            ///< the provider's own words ("RUNNING", "Server.SpotInstanceTermination")
    std::optional<int> exit_code;  ///< when the workload's exit status is known
    mlcloud::cost cost_so_far;
};

/// An opaque, resumable position in a job's log. Providers define the token; it is a short
/// printable string so it can be stored in a database column and handed back after a restart.
struct log_cursor
{
    std::string token; ///< empty = from the beginning

    friend bool operator==(log_cursor const&, log_cursor const&) = default;
};

/// The cursor of a log's first line (see default_transfer_options for why it is a reference).
inline log_cursor const& log_start() noexcept
{
    static log_cursor const start{};
    return start;
}

/// New log lines since a cursor, and the cursor to continue from.
struct log_chunk
{
    std::vector<std::string> lines; ///< complete lines, without line terminators
    log_cursor next;
    bool end_of_stream = false; ///< the job has ended and every line has been delivered

    /// True when one of the lines carries the completion marker.
    bool has_completion_marker() const noexcept
    {
        for (auto const& l : lines)
            if (l.find(completion_marker) != std::string::npos)
                return true;
        return false;
    }
};

/// One stored object.
struct object_info
{
    storage_uri uri;
    std::uint64_t size = 0;
    std::string etag;
    std::chrono::system_clock::time_point last_modified{};
};

/// Progress of a transfer: bytes done and bytes in all (0 when unknown).
using progress_callback = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct transfer_options
{
    progress_callback on_progress;
};

// Default arguments of provider operations are references to these static objects, never `= {}`:
// operations are coroutines that keep their reference parameters until they are awaited, and
// GCC 12 destroys a temporary bound to such a parameter twice (`co_await op(x, {})`). Overloads
// without the argument pass these instead.

/// No progress callback.
inline transfer_options const& default_transfer_options() noexcept
{
    static transfer_options const defaults{};
    return defaults;
}

/// A prediction with a saved model.
struct prediction_request
{
    storage_uri model;                    ///< the trained model
    std::string input;                    ///< CSV rows with a header (inline)
    std::optional<storage_uri> input_uri; ///< or an object holding them
    std::string idempotency_key;
    std::chrono::seconds timeout{300};
};

struct prediction_result
{
    std::string request_id; ///< prefixed by provider: "aws-…", "runpod-…", "local-…"
    std::string output;     ///< CSV predictions
    mlcloud::cost cost;
    std::chrono::milliseconds duration{0};
};

/// Method of a presigned URL.
enum class presign_method
{
    get,
    put,
};

} // namespace mlcloud

#endif

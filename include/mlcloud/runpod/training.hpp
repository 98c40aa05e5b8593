//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_TRAINING_HPP
#define MLCLOUD_RUNPOD_TRAINING_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/runpod/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <vector>

namespace mlcloud {
namespace runpod {

namespace detail {
struct training_state;
} // namespace detail

/// Training jobs as RunPod GPU pods (REST v2, docs/runpod.md).
///
/// `launch` creates one pod running the job's image with `job_spec::command` as its args and
/// the network volume of the dataset mounted at `options::mount_path`; MLCLOUD_DATASET,
/// MLCLOUD_OUTPUT, MLCLOUD_JOB_ID (the pod name) and MLCLOUD_MAX_RUNTIME_SECONDS point the
/// workload at it. GPU candidates (`job_spec::compute`, else `options::default_gpus`) are tried
/// in order following RunPod's retry table: 422 stops (errc::invalid_argument), 400 moves on
/// to the next candidate (no capacity, or a rule the request breaks), 402 stops
/// (errc::quota: the balance), 403 skips the candidate, 429 waits the longer of Retry-After and
/// the longest exhausted RateLimit window, 5xx and lost answers retry the same candidate. `market::spot` rents in the community cloud.
///
/// No second pod is ever billed: every launch has a unique pod name derived from the
/// idempotency key; before creating, and after any answer that leaves the outcome open (a
/// timeout, a lost connection, a 5xx), the provider lists the pods and adopts the one with that
/// name. So a relaunch with the same key, even from another process after a restart, returns the
/// pod already running. (Two launches with one key racing in two processes can still create two
/// pods: RunPod has no server-side idempotency.)
///
/// Success is read from the log: the workload prints `mlcloud::completion_marker` once the model
/// is stored; the trainer image's entrypoint ends the log with a verdict line, the marker again
/// ("mlcloud: workload finished: ...") or "mlcloud: workload exited with status N" when the
/// workload did not print it. As soon as either shows up (in read_logs or status), the provider
/// terminates the pod, so billing stops. Pod states map as: PROVISIONING, STARTING ->
/// provisioning; RUNNING -> running; EXITED, ERROR -> failed; TERMINATED -> cancelled; unless
/// the log says succeeded (marker) or failed (exit line; status 124 = timed_out). A pod past
/// its job's max_runtime is terminated by status() and reported timed_out.
///
/// Logs come from the SSE endpoint GET /v2/pods/{id}/logs (container output only); the cursor
/// is the last event id, so reading resumes with Last-Event-ID after a cut or a restart.
class training
{
public:
    static constexpr capability_set capabilities{capability::on_demand, capability::spot,
                                                 capability::log_stream, capability::idempotent_launch,
                                                 capability::cost_report, capability::gpu_catalog};

    MLCLOUD_DECL training(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<job_handle> launch(job_spec const& spec);
    MLCLOUD_DECL task<job_status> status(job_handle const& job);
    MLCLOUD_DECL task<log_chunk> read_logs(job_handle const& job, log_cursor const& from);
    task<log_chunk> read_logs(job_handle const& job) { return read_logs(job, log_start()); }
    /// Terminates the pod (tolerating one already gone) and returns the final status with the
    /// cost: pod price per hour x time since creation, per second.
    MLCLOUD_DECL task<job_status> terminate(job_handle const& job);

    /// Every pod this account runs whose name mlcloud gave it (to find forgotten ones).
    MLCLOUD_DECL task<std::vector<job_handle>> list_jobs();

    /// Reads GET /v2/catalog/gpus and updates RunPod's rows of the pricing table with the live
    /// prices; returns how many rows changed. The table is left as it was on an error.
    MLCLOUD_DECL task<std::size_t> refresh_pricing();

    /// The pricing table in use (shared with `options::pricing` when that was set). A refresh
    /// updates it in place: do not read it from another thread while a launch may refresh it.
    MLCLOUD_DECL std::shared_ptr<messages::pricing_table const> pricing() const;

private:
    std::shared_ptr<detail::training_state> state_;
};

static_assert(check_training_provider<training>());

} // namespace runpod
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/runpod/impl/training.ipp>
#endif

#endif

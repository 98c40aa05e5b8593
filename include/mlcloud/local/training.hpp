//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_TRAINING_HPP
#define MLCLOUD_LOCAL_TRAINING_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/local/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <vector>

namespace mlcloud {
namespace local {

/// Training jobs as child processes of this machine.
///
/// `launch` runs `job_spec::command` as an argv vector (never through a shell) under a small
/// supervisor process in its own session, so a job outlives the program that launched it and
/// any provider instance, in any process, can address it again from `job_handle{"local", id}`.
/// The workload gets the parent's environment plus `job_spec::env` plus MLCLOUD_JOB_ID,
/// MLCLOUD_DATASET and MLCLOUD_OUTPUT; "{job_id}", "{dataset}" and "{output}" in its arguments
/// are replaced by the same values. Dataset and output are local storage keys, resolved below
/// `options::root` with the rules of `local::storage`. stdout and stderr go to the job's log.
///
/// A job succeeds when it exits with 0 after printing `mlcloud::completion_marker`. The
/// supervisor enforces `job_spec::max_runtime` (timed_out) and turns `terminate` into SIGTERM to
/// the job's whole process group, then SIGKILL after `options::terminate_grace` (cancelled).
/// Job state lives in `options::state_dir`, one directory per job (docs/local.md).
///
/// The object holds no state of its own beyond its options: instances are interchangeable.
class training
{
public:
    static constexpr capability_set capabilities{capability::on_demand, capability::idempotent_launch,
                                                 capability::self_terminating, capability::cost_report};

    MLCLOUD_DECL explicit training(boost::asio::any_io_executor ex, options const& opts = {});

    /// Starts the job and returns once its command runs. A command that cannot be started is an
    /// error here (not_found, forbidden, ...), not a failed job. A second launch with the same
    /// non-empty idempotency key returns the first job. s3:// or runpod:// datasets are
    /// not_supported: copy them to local storage first.
    MLCLOUD_DECL task<job_handle> launch(job_spec const& spec);

    /// The job's state, read from its files: running while its supervisor lives, then the
    /// recorded outcome. Cost is always zero, with basis "local".
    MLCLOUD_DECL task<job_status> status(job_handle const& job);

    /// Complete lines of the job's log from `from` (a byte offset; empty = the start), at most
    /// `options::max_log_chunk_bytes` per call. A line longer than that arrives in pieces; a last
    /// line without a newline arrives once the job has ended. `end_of_stream` is set when the job
    /// has ended and everything was delivered.
    MLCLOUD_DECL task<log_chunk> read_logs(job_handle const& job, log_cursor const& from);
    task<log_chunk> read_logs(job_handle const& job) { return read_logs(job, log_start()); }

    /// Stops the job (SIGTERM to its process group, SIGKILL after the grace period it was
    /// launched with) and returns its final status. Terminating a finished job returns its status.
    MLCLOUD_DECL task<job_status> terminate(job_handle const& job);

    /// Every job whose state `options::state_dir` holds, as launch returned it (for reconciling
    /// jobs nobody tracks any more). Directories that are not jobs, and jobs whose record cannot
    /// be read (a launch in progress), are skipped; a missing state directory lists nothing.
    MLCLOUD_DECL task<std::vector<job_handle>> list_jobs();

    /// The directory holding the job's state, once the handle is checked (not_found when missing).
    MLCLOUD_DECL result<std::filesystem::path> job_directory(job_handle const& job) const;

    /// The options in effect (defaults filled in, paths absolute).
    options const& settings() const noexcept { return opts_; }

private:
    boost::asio::any_io_executor ex_;
    options opts_;
};

static_assert(training_provider<training>);
static_assert(check_training_provider<training>());

} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/training.ipp>
#endif

#endif

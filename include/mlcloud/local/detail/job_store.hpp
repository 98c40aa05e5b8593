//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_DETAIL_JOB_STORE_HPP
#define MLCLOUD_LOCAL_DETAIL_JOB_STORE_HPP

// The on-disk state of local jobs (docs/local.md, "Job state"). Everything a provider needs
// to address a job again lives in these files, so a new provider instance in a new process
// can resume any job from its id alone.

#include <mlcloud/types.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace mlcloud {
namespace local {
namespace detail {

/// The files of one job: <state_dir>/<job id>/...
struct job_paths
{
    std::filesystem::path dir;

    job_paths(std::filesystem::path const& state_dir, std::string_view id) : dir(state_dir / id) {}

    std::filesystem::path record() const { return dir / "job.json"; }      ///< written by launch
    std::filesystem::path log() const { return dir / "output.log"; }       ///< stdout + stderr
    std::filesystem::path lock() const { return dir / "supervisor.lock"; } ///< locked while supervised
    std::filesystem::path lock_staging() const { return dir / "supervisor.lock.new"; }
    std::filesystem::path result() const { return dir / "result.json"; }   ///< written once, at the end
    std::filesystem::path result_staging() const { return dir / "result.json.new"; }
    std::filesystem::path work() const { return dir / "work"; }            ///< default working directory
};

/// Where launches record which job claimed an idempotency key: <state_dir>/keys/<sha256 of key>.
MLCLOUD_DECL std::filesystem::path idempotency_key_path(std::filesystem::path const& state_dir,
                                                        std::string_view key);

/// "local-20261128T171000-1a2b3c4d": launch time (UTC) and 32 random bits.
MLCLOUD_DECL std::string make_job_id(std::chrono::system_clock::time_point now);

/// True for strings make_job_id can produce; anything else must never become a path.
MLCLOUD_DECL bool is_job_id(std::string_view id) noexcept;

/// What launch recorded about a job (job.json): the handle it returned, in the JSON form of
/// <mlcloud/serialization.hpp>, and what the supervisor and status need besides.
struct job_record
{
    job_handle handle;
    std::string idempotency_key;
    std::vector<std::string> command;
    std::chrono::seconds max_runtime{0};
    std::chrono::milliseconds grace{0};
};

MLCLOUD_DECL std::string serialize(job_record const& r);
MLCLOUD_DECL result<job_record> parse_job_record(std::string_view json);

/// How the supervised job ended (result.json).
struct job_outcome
{
    enum kind_t
    {
        exited = 0,       ///< the workload ended by itself (exit code or signal)
        cancelled = 1,    ///< stopped by terminate
        timed_out = 2,    ///< stopped after max_runtime
        start_failed = 3, ///< never ran (step and errno say why)
    };
    kind_t kind = exited;
    std::optional<int> exit_code;
    std::optional<int> signal;
    int step = 0; ///< start_failure::step_t when start_failed
    int err = 0;
    std::chrono::system_clock::time_point finished{};
};

/// Formats result.json into `buf` for the supervisor: async-signal-safe, no allocation.
/// Returns the length, or 0 when `cap` is too small.
MLCLOUD_DECL std::size_t format_job_outcome(char* buf, std::size_t cap, job_outcome::kind_t kind, int wait_status,
                                            int step, int err, long long finished_ms) noexcept;

MLCLOUD_DECL result<job_outcome> parse_job_outcome(std::string_view json);

/// The pid of the process holding a write lock on `lock` (the supervisor), or 0 when none does.
MLCLOUD_DECL pid_t lock_holder(std::filesystem::path const& lock) noexcept;

} // namespace detail
} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/job_store.ipp>
#endif

#endif

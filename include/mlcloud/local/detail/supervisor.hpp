//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_DETAIL_SUPERVISOR_HPP
#define MLCLOUD_LOCAL_DETAIL_SUPERVISOR_HPP

// The supervisor of a local training job: a small process, forked (never exec'd) from the
// launcher, in its own session, that outlives the launcher. It starts the workload in its own
// process group with output to the job's log, holds the job's lock while it lives, enforces
// max_runtime, turns SIGTERM into "stop the job" (SIGTERM to the group, SIGKILL after the grace
// period), kills what is left of the group when the workload ends, and writes result.json
// atomically. It runs only async-signal-safe system calls: the launcher may have threads.

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/local/detail/job_store.hpp>
#include <mlcloud/local/detail/process.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include <sys/types.h>

namespace mlcloud {
namespace local {
namespace detail {

/// What the supervisor tells its launcher once, through the handshake pipe.
struct handshake
{
    enum kind_t : std::int32_t
    {
        started = 1, ///< the workload runs (exec succeeded); pid is its process id
        failed = 2,  ///< nothing runs; step and err say why (also recorded in result.json)
    };
    std::int32_t kind = 0;
    std::int32_t step = 0;
    std::int32_t err = 0;
    std::int32_t pid = 0;
};

/// Everything the supervisor reads, prepared before fork.
struct supervisor_plan
{
    /// The job's file names as C strings that outlive the fork.
    MLCLOUD_DECL supervisor_plan(job_paths const& paths, exec_plan const& workload, std::chrono::milliseconds max_runtime,
                                 std::chrono::milliseconds grace);
    supervisor_plan(supervisor_plan const&) = delete;
    supervisor_plan& operator=(supervisor_plan const&) = delete;

    std::string log;
    std::string lock_staging;
    std::string lock;
    std::string result_staging;
    std::string result;
    exec_arrays workload;
    long long max_runtime_ns;
    long long grace_ns;
};

/// A supervisor on its way: the read end of its handshake pipe, and the short-lived middle
/// process that must be reaped (it exits as soon as it has forked the supervisor, so that the
/// supervisor is nobody's child and survives its launcher).
struct supervisor_start
{
    unique_fd handshake;
    pid_t middle = -1;
};

MLCLOUD_DECL result<supervisor_start> start_supervisor(supervisor_plan const& plan);

} // namespace detail
} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/supervisor.ipp>
#endif

#endif

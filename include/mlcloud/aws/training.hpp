//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_TRAINING_HPP
#define MLCLOUD_AWS_TRAINING_HPP

#include <mlcloud/aws/options.hpp>
#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>
#include <vector>

namespace mlcloud::aws {

namespace detail {
struct backend_context;
} // namespace detail

/// Training jobs on EC2 instances that end themselves (docs/aws.md).
///
/// `launch` starts one instance (spot or on-demand, the job's compute candidates tried in
/// order while AWS reports no capacity or quota for one) with a UserData bootstrap that
/// fetches the dataset from S3, runs the job's container with its output in CloudWatch Logs
/// (one log stream per job, named by the instance id), uploads the model, tags the instance
/// with the result and powers off; the instance was launched with
/// InstanceInitiatedShutdownBehavior=terminate, so power-off ends the billing, and a watchdog
/// powers off after max_runtime plus options::shutdown_grace whatever happens.
///
/// The job id is the instance id. The launch is idempotent: its ClientToken derives from the
/// idempotency key (EC2 deduplicates a repeated request), and a launch with a key whose
/// instance exists (tag mlcloud:job) returns that instance instead of starting another.
///
/// Status comes from DescribeInstances: pending -> provisioning, running -> running; after
/// the instance stopped, the result tag the bootstrap wrote decides (succeeded, failed,
/// timed_out), else the state reason: a spot interruption is preempted, a TerminateInstances
/// from outside cancelled, a shutdown without a result the completion marker in the log.
class training
{
public:
    static constexpr capability_set capabilities{capability::on_demand, capability::spot,
                                                 capability::idempotent_launch, capability::self_terminating,
                                                 capability::cost_report};

    MLCLOUD_DECL explicit training(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<job_handle> launch(job_spec const& spec);
    MLCLOUD_DECL task<job_status> status(job_handle const& job);
    /// GetLogEvents from the cursor (a CloudWatch forward token; empty = the start). The
    /// stream ends when the instance has stopped, no new events arrive and
    /// options::log_settle_time has passed. Tokens expire after 24 hours.
    MLCLOUD_DECL task<log_chunk> read_logs(job_handle const& job, log_cursor const& from);
    /// From the start of the log.
    task<log_chunk> read_logs(job_handle const& job)
    {
        static log_cursor const start;
        return read_logs(job, start);
    }
    /// TerminateInstances (idempotent), then the job's status. A job that already finished
    /// keeps its result.
    MLCLOUD_DECL task<job_status> terminate(job_handle const& job);

    /// Every instance tagged as an mlcloud job (any state still visible), for reconciling
    /// jobs nobody tracks any more.
    MLCLOUD_DECL task<std::vector<job_handle>> list_jobs();

    /// The bootstrap script `launch` would send for `spec` (for review and dry runs).
    MLCLOUD_DECL result<std::string> user_data(job_spec const& spec) const;

    MLCLOUD_DECL options const& settings() const noexcept;

private:
    std::shared_ptr<detail::backend_context> ctx_;
};

static_assert(training_provider<training>);

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/training.ipp>
#endif

#endif

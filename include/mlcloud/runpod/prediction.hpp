//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_PREDICTION_HPP
#define MLCLOUD_RUNPOD_PREDICTION_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/runpod/health.hpp>
#include <mlcloud/runpod/options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

namespace mlcloud {
namespace runpod {

namespace detail {
struct prediction_state;
} // namespace detail

/// Predictions on a RunPod serverless endpoint running examples/runpod_worker (docs/runpod.md).
///
/// The model and an input file must be on the network volume attached to the endpoint
/// (runpod:// locations); input rows may also travel inline. Requests above RunPod's limits
/// (10 MB for /run, 20 MB for /runsync) are refused before they are sent
/// (errc::payload_too_large). The job is submitted with /runsync (or /run, see
/// `prediction_options::mode`) and polled on /status with a growing interval until it ends;
/// a job that outlives `prediction_request::timeout`, or waits IN_QUEUE longer than
/// `prediction_options::max_queue_wait`, is cancelled and reported (errc::timeout, with the
/// endpoint's health). A FAILED job's error, JSON-encoded or not, becomes a readable message
/// whose code follows the worker's "<code>: message" convention (a missing model is
/// errc::not_found); a job whose result expired (404 after its TTL) is errc::expired.
/// The cost is delayTime + executionTime at the pool's per-second serverless rate, and the
/// request id is "runpod-<job id>".
class prediction
{
public:
    static constexpr capability_set capabilities{capability::cost_report};

    MLCLOUD_DECL prediction(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<prediction_result> predict(prediction_request const& request);

    /// POST /cancel/{job_id} (the id without the "runpod-" prefix, or with it).
    MLCLOUD_DECL task<void> cancel(std::string const& job_id);

    /// GET /health of the endpoint.
    MLCLOUD_DECL task<endpoint_health> health();

private:
    std::shared_ptr<detail::prediction_state> state_;
};

static_assert(check_prediction_provider<prediction>());

} // namespace runpod
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/runpod/impl/prediction.ipp>
#endif

#endif

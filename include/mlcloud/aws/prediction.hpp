//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_PREDICTION_HPP
#define MLCLOUD_AWS_PREDICTION_HPP

#include <mlcloud/aws/options.hpp>
#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace mlcloud::aws {

namespace detail {
struct backend_context;
} // namespace detail

/// Predictions by a Lambda function running examples/lambda_worker (synchronous Invoke).
///
/// The payload names the model (s3://) and carries the rows, or names an s3:// object holding
/// them; above Lambda's 6 MB request limit it is errc::payload_too_large before anything is
/// sent. A function error (X-Amz-Function-Error) becomes an error with the function's own
/// message: errc::not_found for a missing model, errc::invalid_argument for bad rows,
/// errc::job_failed otherwise. The result carries "aws-<request id>", the billed duration
/// (REPORT line of the log tail, else the measured time) and its cost (messages::lambda_cost).
class prediction
{
public:
    static constexpr capability_set capabilities{capability::cost_report};

    MLCLOUD_DECL explicit prediction(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<prediction_result> predict(prediction_request const& req);

    MLCLOUD_DECL options const& settings() const noexcept;

private:
    std::shared_ptr<detail::backend_context> ctx_;
};

static_assert(prediction_provider<prediction>);

} // namespace mlcloud::aws

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/prediction.ipp>
#endif

#endif

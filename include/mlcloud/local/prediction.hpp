//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_PREDICTION_HPP
#define MLCLOUD_LOCAL_PREDICTION_HPP

#include <mlcloud/concepts.hpp>
#include <mlcloud/local/options.hpp>

#include <boost/asio/any_io_executor.hpp>

namespace mlcloud {
namespace local {

/// Predictions by a child process: `options::predictor_command` with "{model}", "{input}" and
/// "{output}" replaced by absolute paths, run without a shell in a scratch directory that is
/// removed afterwards. The model and `prediction_request::input_uri` are local storage keys
/// (root rules of `local::storage`); inline input rows are written to a file first. The answer
/// is the content of the output file.
///
/// A missing model is not_found; a predictor that exits non-zero is job_failed with the last
/// lines of its stderr; one that outlives `prediction_request::timeout` is stopped (SIGTERM to
/// its process group, SIGKILL after `options::terminate_grace`) and reported as timeout.
class prediction
{
public:
    static constexpr capability_set capabilities{};

    MLCLOUD_DECL explicit prediction(boost::asio::any_io_executor ex, options const& opts = {});

    MLCLOUD_DECL task<prediction_result> predict(prediction_request const& request);

    /// The options in effect (defaults filled in, paths absolute).
    options const& settings() const noexcept { return opts_; }

private:
    boost::asio::any_io_executor ex_;
    options opts_;
};

static_assert(prediction_provider<prediction>);
static_assert(check_prediction_provider<prediction>());

} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/prediction.ipp>
#endif

#endif

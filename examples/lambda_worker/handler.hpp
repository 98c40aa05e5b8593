//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LAMBDA_WORKER_HANDLER_HPP
#define MLCLOUD_LAMBDA_WORKER_HANDLER_HPP

// What the prediction function does with one event, apart from the Lambda Runtime API: read
// the event (aws::detail::prediction_call), fetch the model (and the rows, when they are in
// S3), apply the model with the trainer's own code, answer {"output": csv, "rows": n} or an
// error document with a type the provider maps (mlcloud.NotFound, mlcloud.InvalidInput,
// mlcloud.Failed).

#include <mlcloud/error.hpp>
#include <mlcloud/storage_uri.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace mlcloud_lambda {

/// Reads a whole object (the model, the input rows).
using fetch_function = std::function<mlcloud::result<std::string>(mlcloud::storage_uri const&)>;

/// The answer to one event.
struct outcome
{
    bool ok = false;
    std::string body;          ///< the response document, when ok
    std::string error_type;    ///< otherwise: mlcloud.NotFound, mlcloud.InvalidInput, mlcloud.Failed
    std::string error_message;

    /// {"errorType": ..., "errorMessage": ...}
    std::string error_document() const;
};

outcome handle_event(std::string_view event, fetch_function const& fetch);

/// The input rows with a "prediction" column added, as CSV; `rows` gets the row count.
/// Throws mlcloud_trainer::failure for a bad model or bad rows.
std::string predict_csv(std::string_view model_json, std::string_view input_csv, std::size_t& rows);

} // namespace mlcloud_lambda

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_LAMBDA_HPP
#define MLCLOUD_AWS_DETAIL_LAMBDA_HPP

// Lambda Invoke: the path, the prediction payload, the answer, the function's error and the
// REPORT line of the log tail. Pure functions. The payload and answer formats are the
// contract with examples/lambda_worker (docs/aws.md, "The prediction worker").

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::aws::detail {

/// Largest synchronous Invoke request (and response) payload: 6 MB.
inline constexpr std::size_t lambda_max_payload = 6 * 1024 * 1024;

/// Error types the worker reports (errorType of its error document).
inline constexpr std::string_view worker_error_not_found = "mlcloud.NotFound";
inline constexpr std::string_view worker_error_invalid_input = "mlcloud.InvalidInput";
inline constexpr std::string_view worker_error_failed = "mlcloud.Failed";

/// "/2015-03-31/functions/<name, encoded>/invocations[?Qualifier=...]".
MLCLOUD_DECL std::string invoke_target(std::string_view function, std::string_view qualifier);

/// {"model": "s3://...", "input": "<csv>"} or {"model": ..., "input_uri": "s3://..."}, plus
/// "request" (the idempotency key) when set.
MLCLOUD_DECL result<std::string> prediction_payload(prediction_request const& r);

/// A parsed prediction payload, as the worker reads it.
struct prediction_call
{
    std::string model;     ///< storage URI text
    std::string input;     ///< inline CSV, when given
    std::string input_uri; ///< or the object holding it
    std::string request;
};
MLCLOUD_DECL result<prediction_call> parse_prediction_payload(std::string_view json);

/// The worker's answer: {"output": "<csv>", "rows": N}.
MLCLOUD_DECL std::string prediction_answer(std::string_view output_csv, std::size_t rows);
MLCLOUD_DECL result<std::string> parse_prediction_answer(std::string_view json);

/// A function error document: {"errorMessage": ..., "errorType": ...}.
struct function_error
{
    std::string type;
    std::string message;
};
MLCLOUD_DECL function_error parse_function_error(std::string_view body);
MLCLOUD_DECL std::string function_error_document(std::string_view type, std::string_view message);

/// The portable code of a function error: the worker's NotFound/InvalidInput, an oversized
/// answer, else errc::job_failed.
MLCLOUD_DECL errc errc_from_function_error(function_error const& e) noexcept;

/// The REPORT line of a log tail (X-Amz-Log-Result, base64):
/// "REPORT RequestId: ... Duration: 12.34 ms Billed Duration: 13 ms Memory Size: 128 MB ...".
struct lambda_report
{
    std::optional<std::chrono::milliseconds> billed;
    std::optional<double> duration_ms;
    std::optional<int> memory_mb;
};
MLCLOUD_DECL lambda_report parse_log_tail(std::string_view base64_tail);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/lambda.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "handler.hpp"

#include "csv.hpp"
#include "data.hpp"
#include "files.hpp"
#include "model.hpp"

#include <mlcloud/aws/detail/lambda.hpp>

namespace mlcloud_lambda {
namespace {

namespace aws_detail = mlcloud::aws::detail;

outcome fail(std::string_view type, std::string message)
{
    outcome o;
    o.error_type = type;
    o.error_message = std::move(message);
    return o;
}

// An object named in the event: only s3:// locations exist for the function.
mlcloud::result<mlcloud::storage_uri> s3_location(std::string const& text, std::string_view what)
{
    auto u = mlcloud::storage_uri::parse(text);
    if (!u || !u->is_s3() || u->bucket.empty() || u->key.empty())
        return mlcloud::error(mlcloud::errc::invalid_argument,
                              "the " + std::string(what) + " must be an s3://bucket/key location, not '" + text + "'");
    return *u;
}

outcome fetch_failure(mlcloud::error const& e, std::string const& what, std::string const& where)
{
    if (e.is(mlcloud::errc::not_found))
        return fail(aws_detail::worker_error_not_found, "the " + what + " " + where + " does not exist");
    return fail(aws_detail::worker_error_failed, "cannot read the " + what + " " + where + ": " + e.what());
}

} // namespace

std::string outcome::error_document() const
{
    return aws_detail::function_error_document(error_type, error_message);
}

std::string predict_csv(std::string_view model_json, std::string_view input_csv, std::size_t& rows)
{
    using namespace mlcloud_trainer;
    auto const m = model_from_json(model_json);
    csv_error error;
    auto table = parse_csv(input_csv, error);
    if (!table)
        throw failure("input: " + error.what());
    if (table->column("prediction"))
        throw failure("the input already has a column named 'prediction'");
    auto const x = feature_matrix(*table, m.feature_names);
    auto header = table->header;
    header.push_back("prediction");
    std::string out = csv_record(header);
    for (std::size_t r = 0; r < table->rows.size(); ++r)
    {
        auto fields = table->rows[r];
        fields.push_back(m.predict(x.row(r)));
        out += csv_record(fields);
    }
    rows = table->rows.size();
    return out;
}

outcome handle_event(std::string_view event, fetch_function const& fetch)
{
    auto call = aws_detail::parse_prediction_payload(event);
    if (!call)
        return fail(aws_detail::worker_error_invalid_input, call.error().message);
    auto model_uri = s3_location(call->model, "model");
    if (!model_uri)
        return fail(aws_detail::worker_error_invalid_input, model_uri.error().message);
    auto model = fetch(*model_uri);
    if (!model)
        return fetch_failure(model.error(), "model", call->model);

    std::string input = call->input;
    if (!call->input_uri.empty())
    {
        auto input_uri = s3_location(call->input_uri, "input");
        if (!input_uri)
            return fail(aws_detail::worker_error_invalid_input, input_uri.error().message);
        auto rows = fetch(*input_uri);
        if (!rows)
            return fetch_failure(rows.error(), "input", call->input_uri);
        input = std::move(*rows);
    }

    try
    {
        std::size_t rows = 0;
        auto csv = predict_csv(*model, input, rows);
        outcome o;
        o.body = aws_detail::prediction_answer(csv, rows);
        if (o.body.size() > aws_detail::lambda_max_payload)
            return fail(aws_detail::worker_error_failed,
                        "the predictions (" + std::to_string(o.body.size()) +
                            " bytes) exceed Lambda's 6 MB response limit: send fewer rows per request");
        o.ok = true;
        return o;
    }
    catch (mlcloud_trainer::failure const& e)
    {
        return fail(aws_detail::worker_error_invalid_input, e.what());
    }
    catch (std::exception const& e)
    {
        return fail(aws_detail::worker_error_failed, e.what());
    }
}

} // namespace mlcloud_lambda

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_LAMBDA_IPP
#define MLCLOUD_AWS_IMPL_LAMBDA_IPP

#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/lambda.hpp>
#include <mlcloud/net/url.hpp>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdlib>

namespace mlcloud::aws::detail {
namespace lambda_impl {

inline std::string member(boost::json::object const& o, std::string_view name)
{
    auto const* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// The number after `label` in a REPORT line ("Billed Duration: 13 ms").
inline std::optional<double> number_after(std::string_view text, std::string_view label)
{
    auto at = text.find(label);
    if (at == std::string_view::npos)
        return std::nullopt;
    std::string rest(text.substr(at + label.size(), 32));
    char* end = nullptr;
    double v = std::strtod(rest.c_str(), &end);
    // The figures are milliseconds and megabytes: anything negative, not finite or beyond 1e9
    // is not a REPORT line Lambda wrote (and would overflow the integer it is stored in).
    if (end == rest.c_str() || !std::isfinite(v) || v < 0 || v > 1e9)
        return std::nullopt;
    return v;
}

} // namespace lambda_impl

MLCLOUD_DECL std::string invoke_target(std::string_view function, std::string_view qualifier)
{
    std::string out = "/2015-03-31/functions/" + net::encode_path_segment(function) + "/invocations";
    if (!qualifier.empty())
        out += "?Qualifier=" + net::encode_query_value(qualifier);
    return out;
}

MLCLOUD_DECL result<std::string> prediction_payload(prediction_request const& r)
{
    if (!r.model.is_s3())
        return error(errc::invalid_argument, "the model must be an s3:// object, not " + r.model.str());
    boost::json::object o;
    o["model"] = r.model.str();
    if (r.input_uri)
    {
        if (!r.input_uri->is_s3())
            return error(errc::invalid_argument, "the input must be inline rows or an s3:// object, not " +
                                                     r.input_uri->str());
        o["input_uri"] = r.input_uri->str();
    }
    else
        o["input"] = r.input;
    if (!r.idempotency_key.empty())
        o["request"] = r.idempotency_key;
    return boost::json::serialize(o);
}

MLCLOUD_DECL result<prediction_call> parse_prediction_payload(std::string_view json)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object())
        return error(errc::invalid_argument, "the event is not a JSON object");
    auto const& o = v.get_object();
    prediction_call c;
    c.model = lambda_impl::member(o, "model");
    c.input = lambda_impl::member(o, "input");
    c.input_uri = lambda_impl::member(o, "input_uri");
    c.request = lambda_impl::member(o, "request");
    if (c.model.empty())
        return error(errc::invalid_argument, "the event has no \"model\"");
    if (c.input.empty() && c.input_uri.empty())
        return error(errc::invalid_argument, "the event has neither \"input\" nor \"input_uri\"");
    return c;
}

MLCLOUD_DECL std::string prediction_answer(std::string_view output_csv, std::size_t rows)
{
    return boost::json::serialize(boost::json::object{{"output", output_csv}, {"rows", rows}});
}

MLCLOUD_DECL result<std::string> parse_prediction_answer(std::string_view json)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (!ec && v.is_object())
        if (auto const* out = v.get_object().if_contains("output"); out && out->is_string())
            return std::string(out->get_string());
    std::string start(json.substr(0, 120));
    return error(errc::protocol_error, "the function's answer has no \"output\" member (is it the mlcloud "
                                       "prediction worker?): " + start);
}

MLCLOUD_DECL function_error parse_function_error(std::string_view body)
{
    function_error e;
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object())
    {
        e.type = lambda_impl::member(v.get_object(), "errorType");
        e.message = lambda_impl::member(v.get_object(), "errorMessage");
    }
    if (e.type.empty() && e.message.empty())
        e.message = std::string(body.substr(0, 300));
    return e;
}

MLCLOUD_DECL std::string function_error_document(std::string_view type, std::string_view message)
{
    return boost::json::serialize(boost::json::object{{"errorType", type}, {"errorMessage", message}});
}

MLCLOUD_DECL errc errc_from_function_error(function_error const& e) noexcept
{
    if (e.type == worker_error_not_found)
        return errc::not_found;
    if (e.type == worker_error_invalid_input)
        return errc::invalid_argument;
    if (e.type == "Function.ResponseSizeTooLarge" || e.message.find("ResponseSizeTooLarge") != std::string::npos)
        return errc::payload_too_large;
    return errc::job_failed;
}

MLCLOUD_DECL lambda_report parse_log_tail(std::string_view base64_tail)
{
    lambda_report r;
    auto text = base64_decode(base64_tail);
    if (!text)
        return r;
    auto at = text->rfind("REPORT ");
    if (at == std::string::npos)
        return r;
    std::string_view line(*text);
    line = line.substr(at);
    line = line.substr(0, line.find('\n'));
    if (auto billed = lambda_impl::number_after(line, "Billed Duration:"))
        r.billed = std::chrono::milliseconds(static_cast<long long>(*billed));
    // "Duration:" also occurs inside "Billed Duration:" and "Init Duration:"; the plain one
    // comes first on the line.
    if (auto d = lambda_impl::number_after(line, "\tDuration:"))
        r.duration_ms = d;
    else if (auto d2 = lambda_impl::number_after(line, " Duration:"))
        r.duration_ms = d2;
    if (auto m = lambda_impl::number_after(line, "Memory Size:"))
        r.memory_mb = static_cast<int>(*m);
    return r;
}

} // namespace mlcloud::aws::detail

#endif

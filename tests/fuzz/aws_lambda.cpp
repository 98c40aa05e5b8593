//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Lambda's JSON: the prediction payload (what the worker reads), the worker's answer, a
// function error document, and the base64 log tail's REPORT line. The first byte chooses;
// for the log tail the rest is taken both as the header's text and, encoded, as the text of
// the log (so the fuzzer reaches the REPORT parser without having to write base64).

#include "fuzz.hpp"

#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/lambda.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud::aws::detail;
    mlcloud_fuzz::input in(data, size);
    auto const which = in.byte() % 4;
    auto const text = in.rest();
    switch (which)
    {
    case 0:
        if (auto call = parse_prediction_payload(text))
        {
            mlcloud_fuzz::check(!call->model.empty(), "a payload names its model");
            mlcloud_fuzz::check(!call->input.empty() || !call->input_uri.empty(),
                                "a payload has inline rows or an input URI");
        }
        break;
    case 1:
        (void)parse_prediction_answer(text);
        break;
    case 2:
        (void)errc_from_function_error(parse_function_error(text));
        break;
    default:
        (void)parse_log_tail(text);
        (void)parse_log_tail(base64_encode(text));
        break;
    }
    return 0;
}

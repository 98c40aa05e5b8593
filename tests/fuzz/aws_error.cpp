//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// AWS error answers of every protocol: S3/EC2/Query XML, Lambda/CloudWatch Logs JSON, the
// X-Amzn-ErrorType header, and what the backend makes of a whole response (portable code,
// retry class, the mlcloud::error a caller sees).
//
// Input: two bytes of HTTP status, the X-Amzn-ErrorType header up to the first '\n', then
// the body.

#include "fuzz.hpp"

#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/net/redact.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    using namespace mlcloud::aws::detail;
    mlcloud_fuzz::input in(data, size);
    int const status = 100 + (in.byte() << 8 | in.byte()) % 500;
    auto const errortype = in.until('\n');
    auto const body = in.rest();

    (void)parse_xml_error(body);
    (void)parse_json_error(body, errortype);

    mlcloud::net::response r;
    r.status = status;
    if (!errortype.empty())
        r.headers.add("X-Amzn-ErrorType", errortype);
    r.headers.add("x-amz-request-id", "FUZZREQUEST");
    r.body = std::string(body);
    auto const parsed = parse_error(r);
    (void)errc_from_code(parsed.code, status);
    (void)is_throttling_code(parsed.code);
    (void)is_transient_code(parsed.code);
    (void)classify_response(r);

    auto const e = make_error(r, "aws", "GetObject");
    mlcloud_fuzz::check(static_cast<bool>(e.code), "a failed response is an error");
    mlcloud_fuzz::check(mlcloud::net::redact_text(e.message) == e.message, "the error message is redacted");
    (void)e.what();
    return 0;
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_PROTOCOL_HPP
#define MLCLOUD_AWS_DETAIL_PROTOCOL_HPP

// AWS error responses, whatever the protocol: parsing (XML of S3, EC2 and the Query
// services; JSON of Lambda and CloudWatch Logs), the portable code of an AWS error code, and
// the retry class of a response (error codes in bodies the transport cannot see by status).

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/response.hpp>
#include <mlcloud/net/retry.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::aws::detail {

/// What an AWS error response says.
struct service_error
{
    std::string code;       ///< "NoSuchKey", "InvalidInstanceID.NotFound", "ThrottlingException"
    std::string message;    ///< the service's own words
    std::string request_id; ///< from the body, when it carries one
};

/// `<Error><Code>` documents: S3's `<Error>`, EC2's `<Response><Errors><Error>`, the Query
/// services' `<ErrorResponse><Error>`. Nothing when the text is not such a document.
MLCLOUD_DECL std::optional<service_error> parse_xml_error(std::string_view body);

/// JSON errors: `{"__type": "ns#Code", "message": ...}` (also "Message", "code"), with the
/// code from the X-Amzn-ErrorType header taking precedence when given. The code is cut after
/// the last '#' and before the first ':'.
MLCLOUD_DECL std::optional<service_error> parse_json_error(std::string_view body, std::string_view errortype_header = {});

/// The error of any response: header, JSON, XML; for a body-less answer (HEAD) a code from
/// the status ("NotFound", "Forbidden", "BadRequest", ...). The request id falls back to the
/// x-amz-request-id / x-amzn-RequestId headers.
MLCLOUD_DECL service_error parse_error(net::response const& r);

/// The portable code of an AWS error code; unknown codes fall back to the HTTP status.
MLCLOUD_DECL errc errc_from_code(std::string_view code, int http_status) noexcept;

/// The throttling codes of the AWS SDKs' standard retry mode.
MLCLOUD_DECL bool is_throttling_code(std::string_view code) noexcept;

/// Codes that name a transient fault (RequestTimeout, InternalError, ServiceUnavailable, ...).
MLCLOUD_DECL bool is_transient_code(std::string_view code) noexcept;

/// The retry class of a complete response by its error code; nullopt leaves the decision
/// to the transport's status rules. Installed by aws::default_http_options().
MLCLOUD_DECL std::optional<net::retry_class> classify_response(net::response const& r);

/// The mlcloud::error of a failed response: portable code, "Code: message" (redacted), HTTP
/// status, request id, provider and operation.
MLCLOUD_DECL error make_error(net::response const& r, std::string_view provider, std::string_view operation);

/// The same from an already parsed error (CompleteMultipartUpload's 200-with-error).
MLCLOUD_DECL error make_error(service_error const& e, int http_status, std::string_view provider,
                              std::string_view operation);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/protocol.ipp>
#endif

#endif

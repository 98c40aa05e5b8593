//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_PROTOCOL_IPP
#define MLCLOUD_AWS_IMPL_PROTOCOL_IPP

#include <mlcloud/aws/detail/protocol.hpp>
#include <mlcloud/aws/detail/xml.hpp>
#include <mlcloud/net/redact.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>

namespace mlcloud::aws::detail {
namespace protocol_impl {

inline bool starts_with_xml(std::string_view body)
{
    auto at = body.find_first_not_of(" \t\r\n");
    return at != std::string_view::npos && body[at] == '<';
}

inline std::string_view trim_code(std::string_view code)
{
    auto hash = code.rfind('#');
    if (hash != std::string_view::npos)
        code.remove_prefix(hash + 1);
    auto colon = code.find(':');
    if (colon != std::string_view::npos)
        code = code.substr(0, colon);
    while (!code.empty() && (code.back() == ' ' || code.back() == '\t'))
        code.remove_suffix(1);
    return code;
}

inline std::string json_string(boost::json::object const& o, std::initializer_list<std::string_view> names)
{
    for (auto name : names)
        if (auto const* v = o.if_contains(name); v && v->is_string())
            return std::string(v->get_string());
    return {};
}

inline std::string code_from_status(int status)
{
    switch (status)
    {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 412: return "PreconditionFailed";
    case 413: return "RequestEntityTooLarge";
    case 416: return "InvalidRange";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return "HTTP" + std::to_string(status);
    }
}

template <std::size_t N>
bool one_of(std::string_view code, std::array<std::string_view, N> const& set) noexcept
{
    return std::find(set.begin(), set.end(), code) != set.end();
}

inline bool ends_with(std::string_view s, std::string_view tail) noexcept
{
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

} // namespace protocol_impl

MLCLOUD_DECL std::optional<service_error> parse_xml_error(std::string_view body)
{
    if (!protocol_impl::starts_with_xml(body))
        return std::nullopt;
    auto doc = xml::parse(body, "error");
    if (!doc)
        return std::nullopt;
    xml::tree const* err = xml::find(*doc, {"Error"});                     // S3
    xml::tree const* holder = err ? &*doc : nullptr;
    if (!err)
    {
        if ((err = xml::find(*doc, {"Response", "Errors", "Error"})))       // EC2
            holder = xml::child(*doc, "Response");
        else if ((err = xml::find(*doc, {"ErrorResponse", "Error"})))       // Query services
            holder = xml::child(*doc, "ErrorResponse");
    }
    if (!err)
        return std::nullopt;
    service_error e;
    e.code = xml::text(*err, "Code");
    e.message = xml::text(*err, "Message");
    e.request_id = xml::text(*err, "RequestId");
    if (e.request_id.empty() && holder)
    {
        e.request_id = xml::text(*holder, "RequestID");
        if (e.request_id.empty())
            e.request_id = xml::text(*holder, "RequestId");
    }
    if (e.code.empty())
        return std::nullopt;
    return e;
}

MLCLOUD_DECL std::optional<service_error> parse_json_error(std::string_view body, std::string_view errortype_header)
{
    service_error e;
    if (!errortype_header.empty())
        e.code = protocol_impl::trim_code(errortype_header);
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (!ec && v.is_object())
    {
        auto const& o = v.get_object();
        if (e.code.empty())
            e.code = protocol_impl::trim_code(protocol_impl::json_string(o, {"__type", "code", "Code"}));
        e.message = protocol_impl::json_string(o, {"message", "Message", "errorMessage"});
    }
    if (e.code.empty())
        return std::nullopt;
    return e;
}

MLCLOUD_DECL service_error parse_error(net::response const& r)
{
    std::optional<service_error> e;
    auto const header = r.headers.value_or("x-amzn-errortype", "");
    if (protocol_impl::starts_with_xml(r.body))
        e = parse_xml_error(r.body);
    if (!e)
        e = parse_json_error(r.body, header);
    if (!e)
    {
        e.emplace();
        e->code = protocol_impl::code_from_status(r.status);
        if (!r.body.empty())
        {
            // Not an AWS error document (a proxy's page, an emulator's crash): keep the start.
            std::string text = r.body.substr(0, 200);
            std::replace(text.begin(), text.end(), '\n', ' ');
            std::replace(text.begin(), text.end(), '\r', ' ');
            e->message = text;
        }
    }
    if (e->request_id.empty())
        e->request_id = std::string(r.request_id());
    return std::move(*e);
}

MLCLOUD_DECL bool is_throttling_code(std::string_view code) noexcept
{
    static constexpr std::array<std::string_view, 15> codes{
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
        "PriorRequestNotComplete", "EC2ThrottledException", "TooManyRequests"};
    return protocol_impl::one_of(code, codes);
}

MLCLOUD_DECL bool is_transient_code(std::string_view code) noexcept
{
    static constexpr std::array<std::string_view, 9> codes{
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "ServiceUnavailableException", "Unavailable", "ServiceException", "InternalServerError"};
    return protocol_impl::one_of(code, codes);
}

MLCLOUD_DECL errc errc_from_code(std::string_view code, int http_status) noexcept
{
    using protocol_impl::one_of;
    static constexpr std::array<std::string_view, 8> not_found{
        "NoSuchKey", "NoSuchBucket", "NoSuchUpload", "NotFound", "NoSuchEntity", "ResourceNotFoundException",
        "NoSuchVersion", "InvalidInstanceID.Malformed"};
    static constexpr std::array<std::string_view, 16> unauthorized{
        "AuthFailure", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId",
        "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException", "InvalidToken", "RequestExpired",
        "RequestTimeTooSkewed", "MissingAuthenticationToken", "IncompleteSignature", "AuthorizationHeaderMalformed",
        "InvalidSignatureException", "Unauthorized", "MissingAuthenticationTokenException"};
    static constexpr std::array<std::string_view, 7> forbidden{
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AllAccessDisabled", "Forbidden",
        "OptInRequired", "Blocked"};
    static constexpr std::array<std::string_view, 8> capacity{
        "InsufficientInstanceCapacity", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity",
        "InsufficientCapacity", "UnfulfillableCapacity", "SpotMaxPriceTooLow", "InsufficientFreeAddressesInSubnet",
        "InsufficientCapacityOnHost"};
    static constexpr std::array<std::string_view, 8> quota{
        "InstanceLimitExceeded", "VcpuLimitExceeded", "MaxSpotInstanceCountExceeded", "ResourceLimitExceeded",
        "ServiceQuotaExceededException", "CodeStorageExceededException", "TooManyBuckets", "PendingVerification"};
    static constexpr std::array<std::string_view, 5> already_exists{
        "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "ResourceAlreadyExistsException", "InvalidGroup.Duplicate",
        "EntityAlreadyExists"};
    static constexpr std::array<std::string_view, 9> conflict{
        "IdempotentParameterMismatch", "ResourceConflictException", "OperationAborted", "IncorrectState",
        "IncorrectInstanceState", "PreconditionFailed", "InvalidObjectState", "Conflict", "ResourceInUseException"};
    static constexpr std::array<std::string_view, 6> too_large{
        "EntityTooLarge", "RequestTooLargeException", "RequestEntityTooLargeException", "KeyTooLongError",
        "RequestEntityTooLarge", "MaxMessageLengthExceeded"};
    static constexpr std::array<std::string_view, 5> timeout{
        "RequestTimeout", "RequestTimeoutException", "GatewayTimeout", "Timeout", "TimeoutException"};
    static constexpr std::array<std::string_view, 3> not_supported{"Unsupported", "UnsupportedOperation",
                                                                   "NotImplemented"};

    if (code.empty())
        return net::errc_from_status(http_status);
    if (one_of(code, not_found) || protocol_impl::ends_with(code, ".NotFound"))
        return errc::not_found;
    if (one_of(code, unauthorized))
        return errc::unauthorized;
    if (one_of(code, forbidden))
        return errc::forbidden;
    if (one_of(code, capacity))
        return errc::capacity;
    if (one_of(code, quota))
        return errc::quota;
    if (is_throttling_code(code))
        return errc::throttled;
    if (one_of(code, already_exists))
        return errc::already_exists;
    if (one_of(code, conflict))
        return errc::conflict;
    if (one_of(code, too_large))
        return errc::payload_too_large;
    if (one_of(code, timeout))
        return errc::timeout;
    if (one_of(code, not_supported))
        return errc::not_supported;
    if (is_transient_code(code))
        return errc::provider_error;
    if (protocol_impl::ends_with(code, ".Malformed") || code.starts_with("Invalid") || code.starts_with("Malformed") ||
        code.starts_with("Missing") || code == "ValidationException" || code == "ValidationError" ||
        code == "EntityTooSmall" || code == "BadRequest")
        return errc::invalid_argument;
    auto by_status = net::errc_from_status(http_status);
    return by_status == errc::protocol_error ? errc::provider_error : by_status;
}

MLCLOUD_DECL std::optional<net::retry_class> classify_response(net::response const& r)
{
    if (r.ok())
        return std::nullopt;
    auto e = parse_error(r);
    if (is_throttling_code(e.code))
        return net::retry_class::throttling;
    if (is_transient_code(e.code))
        return net::retry_class::transient;
    return std::nullopt;
}

MLCLOUD_DECL error make_error(service_error const& e, int http_status, std::string_view provider,
                              std::string_view operation)
{
    std::string message = e.code;
    if (!e.message.empty())
        message += ": " + e.message;
    error out(errc_from_code(e.code, http_status), net::redact_text(message));
    out.with_provider(provider).with_operation(operation).with_http(http_status, e.request_id);
    return out;
}

MLCLOUD_DECL error make_error(net::response const& r, std::string_view provider, std::string_view operation)
{
    return make_error(parse_error(r), r.status, provider, operation);
}

} // namespace mlcloud::aws::detail

#endif

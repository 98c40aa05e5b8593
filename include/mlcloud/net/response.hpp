//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_RESPONSE_HPP
#define MLCLOUD_NET_RESPONSE_HPP

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/fields.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace mlcloud::net {

/// A complete HTTP response. Every status is a response, not an error: a backend reads
/// the error body (AWS XML, RunPod problem+json) to pick the right `errc`, or calls
/// `http_error()` for the generic mapping.
struct response
{
    int status = 0;
    std::string reason{}; ///< the reason phrase, as sent
    fields headers{};
    std::string body{};                 ///< empty when the body went to `body_file`
    std::filesystem::path body_file{};  ///< the file written (request::response_file), for a 2xx
    std::uint64_t body_size = 0;      ///< bytes of body received (in memory or in the file)
    unsigned attempts = 1;            ///< how many attempts `send` made

    bool ok() const noexcept { return status >= 200 && status < 300; }

    /// The provider's request id: x-amz-request-id, x-amzn-RequestId, x-request-id or
    /// request-id, the first that is present; empty when none is.
    MLCLOUD_DECL std::string_view request_id() const noexcept;
};

/// The portable code for an HTTP error status: 400 invalid_argument, 401 unauthorized,
/// 402 quota, 403 forbidden, 404/410 not_found, 408 timeout, 409/412 conflict,
/// 413 payload_too_large, 422 invalid_argument, 429 throttled, 503 throttled, other 5xx
/// provider_error, anything else protocol_error.
MLCLOUD_DECL errc errc_from_status(int status) noexcept;

/// A generic `mlcloud::error` for a non-2xx response: the code from `errc_from_status`,
/// the HTTP status and request id, and the start of the body (redacted, one line) as the
/// message. `retry_safe` is left false: only the caller knows.
MLCLOUD_DECL error http_error(response const& r, std::string_view operation = {});

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/message.ipp>
#endif

#endif

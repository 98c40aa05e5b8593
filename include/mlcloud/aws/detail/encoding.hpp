//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_ENCODING_HPP
#define MLCLOUD_AWS_DETAIL_ENCODING_HPP

// Small encodings the AWS protocols need: base64 (UserData, Lambda log tails; OpenSSL's
// codec), the timestamps AWS writes, and the form encoding of the Query protocol.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlcloud::aws::detail {

/// Standard base64 with padding (RFC 4648 section 4).
MLCLOUD_DECL std::string base64_encode(std::string_view bytes);

/// Decodes standard base64 (whitespace ignored); errc::protocol_error when it is not base64.
MLCLOUD_DECL result<std::string> base64_decode(std::string_view text);

/// "2026-11-28T18:10:38.000Z", "2026-11-28T18:10:38Z", "2026-11-28T18:10:38+00:00" (ISO 8601
/// as EC2 and S3 write it).
MLCLOUD_DECL std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

/// "Sat, 28 Nov 2026 18:10:40 GMT" (the HTTP date of Last-Modified).
MLCLOUD_DECL std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// The time inside EC2's StateTransitionReason: "User initiated (2026-11-28 18:09:00 GMT)".
MLCLOUD_DECL std::optional<std::chrono::system_clock::time_point> parse_transition_time(std::string_view reason);

/// Milliseconds since the Unix epoch (CloudWatch Logs timestamps).
inline std::int64_t to_epoch_ms(std::chrono::system_clock::time_point t) noexcept
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// The body of a Query-protocol request: "Action=...&Version=...&Name.1=..." with every name
/// and value percent-encoded (RFC 3986 unreserved characters kept).
MLCLOUD_DECL std::string form_encode(std::vector<std::pair<std::string, std::string>> const& params);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/encoding.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_REDACT_HPP
#define MLCLOUD_NET_REDACT_HPP

// Secrets never reach a log or an error message. Everything the transport puts into an
// error or hands to a logging hook has been through these functions; backends use them for
// their own messages too.
//
// What is replaced by "<redacted>":
//  - header values: Authorization and Proxy-Authorization (the scheme word is kept:
//    "Bearer <redacted>", "AWS4-HMAC-SHA256 <redacted>"), X-Amz-Security-Token, Cookie,
//    Set-Cookie, X-Api-Key, Api-Key, X-Auth-Token, X-Telegram-Bot-Api-Secret-Token and the
//    SSE-C key headers;
//  - query and form parameters: X-Amz-Signature, X-Amz-Security-Token, Signature,
//    api_key, apikey, api-key, access_token, token, password, client_secret; and
//    X-Amz-Credential / Credential keep their scope but lose the access key id
//    ("<redacted>/20260101/us-east-1/s3/aws4_request");
//  - Telegram bot tokens inside URLs and text: "bot123456:AAH..." -> "bot123456:<redacted>";
//  - the password of a URL's user information ("http://user:<redacted>@proxy:3128");
//  - "Bearer <token>" anywhere in text;
//  - JSON string members whose name is a secret ("password", "token", "api_key", "apiKey",
//    "secret", "SecretAccessKey", "SessionToken", "Authorization", ...);
//  - AWS access key ids (AKIA..., ASIA...) anywhere in text.

#include <mlcloud/config.hpp>
#include <mlcloud/net/fields.hpp>

#include <string>
#include <string_view>

namespace mlcloud::net {

/// What a secret is replaced with.
inline constexpr std::string_view redacted = "<redacted>";

/// True for header names whose value is a secret (case-insensitive).
MLCLOUD_DECL bool is_sensitive_header(std::string_view name) noexcept;

/// The value to show for a header: `value` itself, or the redacted form for a secret one.
MLCLOUD_DECL std::string redact_header_value(std::string_view name, std::string_view value);

/// A copy of `headers` with the secret values redacted.
MLCLOUD_DECL fields redact_headers(fields const& headers);

/// A URL with its secret parts redacted (query parameters, user password, Telegram token).
MLCLOUD_DECL std::string redact_url(std::string_view url);

/// Any text (an error message, a response body, a log line, a dump of headers) with every
/// secret pattern above redacted. Idempotent: redacting twice changes nothing more.
MLCLOUD_DECL std::string redact_text(std::string_view text);

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/redact.ipp>
#endif

#endif

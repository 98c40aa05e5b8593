//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_URL_HPP
#define MLCLOUD_NET_URL_HPP

// URL building on Boost.URL. Nothing here parses URLs by hand; the functions only take
// and return std::string so that callers do not need Boost.URL's headers.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlcloud::net {

/// Percent-encodes everything except the RFC 3986 unreserved characters
/// (A-Z a-z 0-9 - . _ ~), so '/', '+', ' ', ':' and '@' all come out encoded: safe for one
/// path segment. Hex digits are upper case ("a b/c" -> "a%20b%2Fc").
MLCLOUD_DECL std::string encode_path_segment(std::string_view segment);

/// Encodes each '/'-separated segment of `path` and keeps the slashes
/// ("data/my file.csv" -> "data/my%20file.csv"); the form S3 object keys take in a path.
MLCLOUD_DECL std::string encode_path(std::string_view path);

/// Percent-encodes a query name or value with the same unreserved set: a space is "%20",
/// never '+', and '+', '&', '=' are encoded (what AWS SigV4 and strict servers expect).
MLCLOUD_DECL std::string encode_query_value(std::string_view value);

/// Decodes %XX escapes (a '+' stays a '+'); errc::invalid_argument on a malformed escape.
MLCLOUD_DECL result<std::string> percent_decode(std::string_view text);

/// Query parameters in order; names and values are raw (not yet encoded).
using query_params = std::vector<std::pair<std::string, std::string>>;

/// `base` (an absolute URL, possibly with a path and query) with raw path segments and
/// raw query parameters appended, each percent-encoded:
///
///     make_url("https://api.runpod.io/v2", {"pods", id, "logs"}, {{"tail", "100"}})
///         -> "https://api.runpod.io/v2/pods/abc/logs?tail=100"
///
/// errc::invalid_argument when `base` is not an absolute URL.
MLCLOUD_DECL result<std::string> make_url(std::string_view base, std::initializer_list<std::string_view> segments,
                                          query_params const& query = {});

/// The parts of an absolute http(s) URL the transport needs.
struct url_parts
{
    std::string scheme{};   ///< "http" or "https", lower case
    std::string host{};     ///< decoded host name or IP literal, without IPv6 brackets
    std::uint16_t port = 0; ///< explicit or the scheme's default
    std::string target{};   ///< encoded path and query ("/" when the path is empty), no fragment
    std::string user{};     ///< decoded user information, when present
    std::string password{};

    bool is_tls() const noexcept { return scheme == "https"; }
    bool has_default_port() const noexcept { return port == (is_tls() ? 443 : 80); }

    /// "host" or "host:port" (IPv6 in brackets), for the Host header and CONNECT.
    MLCLOUD_DECL std::string authority(bool always_port = false) const;
};

/// Parses an absolute http:// or https:// URL; errc::invalid_argument (with the URL
/// redacted in the message) when it is not one.
MLCLOUD_DECL result<url_parts> parse_url(std::string_view url);

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/url.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_PROXY_HPP
#define MLCLOUD_NET_PROXY_HPP

#include <mlcloud/config.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace mlcloud::net {

/// Which HTTP proxy a client uses. https:// requests go through `https_proxy` with a
/// CONNECT tunnel (TLS to the origin inside it, with SNI and hostname verification);
/// http:// requests go through `http_proxy` in absolute form. Proxy URLs are
/// "http://[user:password@]host[:port]" (a bare "host:port" means http://); credentials
/// become a Basic Proxy-Authorization header, which is redacted everywhere.
struct proxy_options
{
    std::string http_proxy{};
    std::string https_proxy{};
    /// Hosts that bypass the proxy; see no_proxy_matches() for the syntax.
    std::string no_proxy{};

    /// HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy and NO_PROXY/no_proxy (the upper-case
    /// name wins when both are set, as in Go). HTTP_PROXY is ignored when REQUEST_METHOD is
    /// set: in a CGI program it could come from a request header ("httpoxy").
    MLCLOUD_DECL static proxy_options from_environment();

    /// The proxy URL for a request to scheme://host:port, or "" for a direct connection.
    MLCLOUD_DECL std::string_view select(std::string_view scheme, std::string_view host, std::uint16_t port) const;
};

/// True when `host` (a name or an IP literal, port `port`) bypasses the proxy under the
/// NO_PROXY list `no_proxy`. Entries are separated by commas or spaces and compared without
/// case:
///  - `*` matches every host;
///  - `example.com`, `.example.com` and `*.example.com` all match example.com and every
///    subdomain (a.example.com), as curl and Python do;
///  - an IP address matches that address; `10.0.0.0/8` and `fd00::/8` match a range;
///  - `host:port` (or `[::1]:port`) matches only that port.
/// Loopback is not bypassed implicitly (as in curl); list `localhost,127.0.0.1` if wanted.
MLCLOUD_DECL bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/proxy.ipp>
#endif

#endif

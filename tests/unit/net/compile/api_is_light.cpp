//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compiled with -fsyntax-only under MLCLOUD_SEPARATE_COMPILATION: a translation unit that
// only names the transport API must not pull in Beast or OpenSSL.
#define MLCLOUD_SEPARATE_COMPILATION
#include <mlcloud/net/client.hpp>
#include <mlcloud/net/fields.hpp>
#include <mlcloud/net/proxy.hpp>
#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/request.hpp>
#include <mlcloud/net/response.hpp>
#include <mlcloud/net/retry.hpp>
#include <mlcloud/net/sse.hpp>
#include <mlcloud/net/url.hpp>

#if defined(BOOST_BEAST_CORE_DETAIL_CONFIG_HPP)
#error "a public net header includes Beast"
#endif
#if defined(OPENSSL_SSL_H) || defined(OPENSSL_OPENSSLV_H) || defined(BOOST_ASIO_SSL_CONTEXT_HPP)
#error "a public net header includes OpenSSL"
#endif

int main()
{
    mlcloud::net::request r{.method = mlcloud::net::method::post, .url = "https://example.com/", .body = "{}"};
    return r.is_replayable() ? 1 : 0;
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compiled with -fsyntax-only under MLCLOUD_SEPARATE_COMPILATION: a translation unit that
// names the RunPod backend must not pull in Beast, OpenSSL or Boost.JSON.
#define MLCLOUD_SEPARATE_COMPILATION
#include <mlcloud/runpod.hpp>

#if defined(BOOST_BEAST_CORE_DETAIL_CONFIG_HPP)
#error "a public RunPod header includes Beast"
#endif
#if defined(OPENSSL_SSL_H) || defined(OPENSSL_OPENSSLV_H) || defined(BOOST_ASIO_SSL_CONTEXT_HPP)
#error "a public RunPod header includes OpenSSL"
#endif
#if defined(BOOST_JSON_VALUE_HPP)
#error "a public RunPod header includes Boost.JSON"
#endif

int main()
{
    mlcloud::runpod::options o{.datacenter = "EU-RO-1", .network_volume_id = "agv6w2qcg7"};
    static_assert(mlcloud::backend<mlcloud::runpod::backend>);
    static_assert(!mlcloud::presigning_storage_provider<mlcloud::runpod::storage>);
    return o.datacenter.empty() ? 1 : 0;
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compiled with -fsyntax-only under MLCLOUD_SEPARATE_COMPILATION: a translation unit that
// only names the AWS backend's API must not pull in Beast, OpenSSL, PropertyTree or JSON.
#define MLCLOUD_SEPARATE_COMPILATION
#include <mlcloud/aws.hpp>

#if defined(BOOST_BEAST_CORE_DETAIL_CONFIG_HPP)
#error "a public aws header includes Beast"
#endif
#if defined(OPENSSL_SSL_H) || defined(OPENSSL_OPENSSLV_H) || defined(OPENSSL_EVP_H)
#error "a public aws header includes OpenSSL"
#endif
#if defined(BOOST_PROPERTY_TREE_PTREE_HPP_INCLUDED)
#error "a public aws header includes PropertyTree"
#endif
#if defined(BOOST_JSON_VALUE_HPP)
#error "a public aws header includes Boost.JSON"
#endif

static_assert(mlcloud::backend<mlcloud::aws::backend>);
static_assert(mlcloud::presigning_storage_provider<mlcloud::aws::storage>);
static_assert(mlcloud::supports<mlcloud::aws::training, mlcloud::capability::idempotent_launch>);

int main()
{
    mlcloud::aws::options o{.bucket = "b", .image_id = "ami-1", .lambda_function = "f"};
    return o.bucket.size() == 1 ? 0 : 1;
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Compile-time benchmark: a TU that uses the AWS backend (uploads a file to S3 and launches a
// job), compiled header-only or with MLCLOUD_SEPARATE_COMPILATION (then the bodies come from
// mlcloud::compiled). Compared with beast_https.cpp.
#include <mlcloud/aws.hpp>
#include <mlcloud/blocking.hpp>

#include <iostream>

int main()
{
    mlcloud::blocking<mlcloud::aws::backend> cloud;
    mlcloud::storage_uri const to = mlcloud::storage_uri::parse("s3://my-bucket/datasets/train.csv").value();
    auto uploaded = cloud.upload("train.csv", to);
    if (!uploaded)
    {
        std::cerr << uploaded.error().what() << "\n";
        return 1;
    }
    std::cout << uploaded->uri.str() << " " << uploaded->size << "\n";
    return 0;
}

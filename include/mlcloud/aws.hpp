//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_HPP
#define MLCLOUD_AWS_HPP

// The AWS backend: mlcloud::aws::backend (training on EC2 with CloudWatch Logs, storage in
// S3, prediction with Lambda), mlcloud::aws::s3_client for any S3-compatible store, and
// mlcloud::aws::setup.

#include <mlcloud/aws/backend.hpp>
#include <mlcloud/aws/s3_client.hpp>

#endif

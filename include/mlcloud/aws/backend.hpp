//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_BACKEND_HPP
#define MLCLOUD_AWS_BACKEND_HPP

#include <mlcloud/aws/options.hpp>
#include <mlcloud/aws/prediction.hpp>
#include <mlcloud/aws/setup.hpp>
#include <mlcloud/aws/storage.hpp>
#include <mlcloud/aws/training.hpp>
#include <mlcloud/cloud.hpp>

#include <string_view>

namespace mlcloud::aws {

/// EC2 + CloudWatch Logs training, S3 storage, Lambda prediction.
struct backend
{
    static constexpr std::string_view name = "aws";
    using options = aws::options;
    using training = aws::training;
    using storage = aws::storage;
    using prediction = aws::prediction;
};

static_assert(mlcloud::backend<backend>);

} // namespace mlcloud::aws

#endif

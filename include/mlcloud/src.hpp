//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_SRC_HPP
#define MLCLOUD_SRC_HPP

// Include this file in exactly one translation unit of a program built with
// MLCLOUD_SEPARATE_COMPILATION defined everywhere (the mlcloud::compiled CMake target does it).

#ifndef MLCLOUD_SEPARATE_COMPILATION
#  error "Define MLCLOUD_SEPARATE_COMPILATION to use <mlcloud/src.hpp>"
#endif

#include <mlcloud/config.hpp>

// core
#include <mlcloud/impl/error.ipp>
#include <mlcloud/impl/storage_uri.ipp>
#include <mlcloud/impl/serialization.ipp>

// messages
#include <mlcloud/messages/impl/pricing.ipp>
#include <mlcloud/messages/impl/cost.ipp>
#include <mlcloud/messages/impl/recommend.ipp>
#include <mlcloud/messages/impl/templates.ipp>

// auth
#include <mlcloud/auth/impl/secret.ipp>
#include <mlcloud/auth/impl/environment.ipp>
#include <mlcloud/auth/impl/crypto.ipp>
#include <mlcloud/auth/impl/ini.ipp>
#include <mlcloud/auth/impl/settings.ipp>
#include <mlcloud/auth/impl/aws_credentials.ipp>
#include <mlcloud/auth/impl/sigv4.ipp>
#include <mlcloud/auth/impl/runpod_credentials.ipp>

// net
#include <mlcloud/net/impl/fields.ipp>
#include <mlcloud/net/impl/redact.ipp>
#include <mlcloud/net/impl/message.ipp>
#include <mlcloud/net/impl/url.ipp>
#include <mlcloud/net/impl/retry.ipp>
#include <mlcloud/net/impl/proxy.ipp>
#include <mlcloud/net/impl/http_client.ipp>
#include <mlcloud/net/impl/sse.ipp>

// reliability (orphan reconciliation)
#include <mlcloud/impl/reconcile.ipp>

// local backend
#include <mlcloud/local/impl/options.ipp>
#include <mlcloud/local/impl/files.ipp>
#include <mlcloud/local/impl/root.ipp>
#include <mlcloud/local/impl/process.ipp>
#include <mlcloud/local/impl/job_store.ipp>
#include <mlcloud/local/impl/supervisor.ipp>
#include <mlcloud/local/impl/storage.ipp>
#include <mlcloud/local/impl/training.ipp>
#include <mlcloud/local/impl/prediction.ipp>

// aws
#include <mlcloud/aws/impl/encoding.ipp>
#include <mlcloud/aws/impl/files.ipp>
#include <mlcloud/aws/impl/protocol.ipp>
#include <mlcloud/aws/impl/client.ipp>
#include <mlcloud/aws/impl/s3_detail.ipp>
#include <mlcloud/aws/impl/s3_client.ipp>
#include <mlcloud/aws/impl/ec2.ipp>
#include <mlcloud/aws/impl/logs.ipp>
#include <mlcloud/aws/impl/lambda.ipp>
#include <mlcloud/aws/impl/bootstrap.ipp>
#include <mlcloud/aws/impl/options.ipp>
#include <mlcloud/aws/impl/context.ipp>
#include <mlcloud/aws/impl/training.ipp>
#include <mlcloud/aws/impl/storage.ipp>
#include <mlcloud/aws/impl/prediction.ipp>
#include <mlcloud/aws/impl/setup.ipp>

// runpod
#include <mlcloud/runpod/impl/wire.ipp>
#include <mlcloud/runpod/impl/api.ipp>
#include <mlcloud/runpod/impl/training.ipp>
#include <mlcloud/runpod/impl/prediction.ipp>
#include <mlcloud/runpod/impl/storage.ipp>
#include <mlcloud/runpod/impl/setup.ipp>

#endif

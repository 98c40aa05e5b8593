//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_CONTEXT_HPP
#define MLCLOUD_AWS_DETAIL_CONTEXT_HPP

// What the three AWS providers share: the options, the resolved session (or why it could not
// be resolved: a provider is constructed without failing and reports the problem on its
// first operation), the signed client and the S3 client on one transport.

#include <mlcloud/aws/client.hpp>
#include <mlcloud/aws/options.hpp>
#include <mlcloud/aws/s3_client.hpp>
#include <mlcloud/messages/pricing.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <mutex>
#include <optional>

namespace mlcloud::aws::detail {

struct backend_context
{
    aws::options opts;
    std::optional<error> failure;  ///< set when the session could not be resolved
    std::optional<aws::client> api;
    std::optional<s3_client> s3;

    /// The failure as an error of `operation`, or nothing when the context is usable.
    MLCLOUD_DECL std::optional<error> unusable(std::string_view operation) const;

    /// The hourly prices: opts.pricing, or the built-in table, made on first use. Only job
    /// launches and handles need them, so a program that only moves files neither builds
    /// the table nor (header-only) compiles the code that does.
    MLCLOUD_DECL messages::pricing_table const& prices() const;

private:
    mutable std::once_flag pricing_once_;
    mutable std::shared_ptr<messages::pricing_table const> pricing_;
};

MLCLOUD_DECL std::shared_ptr<backend_context> make_context(boost::asio::any_io_executor ex, aws::options const& opts);

/// The session of `opts`: explicit settings first, then the AWS configuration chain.
MLCLOUD_DECL result<session> resolve_session(aws::options const& opts);

} // namespace mlcloud::aws::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/aws/impl/context.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_HTTP_CLIENT_IPP
#define MLCLOUD_NET_IMPL_HTTP_CLIENT_IPP

#include <mlcloud/net/client.hpp>
#include <mlcloud/net/detail/client_impl.hpp>

namespace mlcloud::net {

MLCLOUD_DECL http_client::http_client(boost::asio::any_io_executor ex, client_options options)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), std::move(options)))
{
}

MLCLOUD_DECL http_client::~http_client() = default;
MLCLOUD_DECL http_client::http_client(http_client&&) noexcept = default;
MLCLOUD_DECL http_client& http_client::operator=(http_client&&) noexcept = default;

MLCLOUD_DECL task<response> http_client::send(request req)
{
    // The coroutine owns a reference to the engine: the request completes (or times out)
    // even if this client object goes away meanwhile.
    return detail::client_impl::send(impl_, std::move(req));
}

MLCLOUD_DECL boost::asio::any_io_executor http_client::get_executor() const noexcept
{
    return impl_->executor();
}

MLCLOUD_DECL client_options const& http_client::options() const noexcept
{
    return impl_->options();
}

MLCLOUD_DECL std::size_t http_client::idle_connections() const
{
    return impl_->pool().idle_count();
}

MLCLOUD_DECL void http_client::close_idle_connections()
{
    impl_->pool().close_idle();
}

MLCLOUD_DECL unsigned http_client::retry_quota_available() const
{
    return impl_->retry().quota().available();
}

} // namespace mlcloud::net

#endif

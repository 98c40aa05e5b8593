//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_CLIENT_HPP
#define MLCLOUD_NET_CLIENT_HPP

// The HTTP(S) client every backend stands on. This header names the API only: Beast and
// OpenSSL stay in net/impl, compiled once under MLCLOUD_SEPARATE_COMPILATION.

#include <mlcloud/concepts.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/proxy.hpp>
#include <mlcloud/net/request.hpp>
#include <mlcloud/net/response.hpp>
#include <mlcloud/net/retry.hpp>
#include <mlcloud/version.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::net {

namespace detail {
class client_impl;
} // namespace detail

/// TLS settings. Verification is on by default and should stay on: the peer's chain is
/// checked against the system CA store (plus `ca_file`), its name against the URL's host
/// (DNS name or IP address), SNI is sent, and nothing older than TLS 1.2 is accepted.
struct tls_options
{
    /// An extra PEM file of CA certificates trusted in addition to the system store (e.g. a
    /// company proxy's CA, or a test CA).
    std::string ca_file{};
    /// Trust the system CA store (OpenSSL's default paths; SSL_CERT_FILE/SSL_CERT_DIR apply).
    bool use_system_store = true;
    /// Turning this off accepts any certificate: for debugging against a box you own, never
    /// in production.
    bool verify_peer = true;
};

/// The keep-alive pool: one set of connections per scheme, host, port and proxy.
struct pool_options
{
    std::size_t max_connections_per_host = 32; ///< open at once (idle or busy); further requests wait; 0: no limit
    std::size_t max_idle_per_host = 8;         ///< idle connections kept for reuse
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(50)}; ///< an idle connection older than this is closed
};

/// One line of the optional request log. Every string in it is already redacted.
struct log_event
{
    std::string_view method{};
    std::string_view url{};   ///< redacted
    int status = 0;         ///< 0 when no response arrived
    std::chrono::microseconds duration{0};
    unsigned attempt = 1;
    bool reused_connection = false;
    std::string_view error{}; ///< redacted; empty on a response
};

struct client_options
{
    net::timeouts timeouts{};
    retry_options retry{};
    tls_options tls{};
    pool_options pool{};
    /// Unset: proxy_options::from_environment() when the client is made. Set it to `{}` to
    /// ignore the environment and connect directly.
    std::optional<proxy_options> proxy{};

    std::uint64_t max_body_size = 64ull << 20;      ///< largest response body kept in memory
    std::uint64_t max_file_body_size = 5ull << 40;  ///< largest response body written to a file (S3's 5 TiB)
    std::size_t buffer_size = 64 * 1024;            ///< read/write chunk: the memory a stream uses
    /// A file_body over plain TCP (no TLS) goes from the page cache to the socket with
    /// sendfile(2) on Linux, never copied through `buffer_size`. Off: read through the buffer.
    bool zero_copy_file_bodies = true;

    std::string user_agent = "mlcloud/" MLCLOUD_VERSION_STRING;
    /// When set (e.g. "Idempotency-Key"), request::idempotency_key is also sent under this name.
    std::string idempotency_header{};

    /// Called once per attempt with redacted text only.
    std::function<void(log_event const&)> on_log{};
};

/// An HTTP/1.1 client with a keep-alive pool, timeouts on every phase, retries and proxies.
///
///     net::http_client http(ctx.get_executor());
///     auto r = co_await http.send({.url = "https://api.telegram.org/bot" + token + "/getMe"});
///     if (!r) log(r.error().what());        // already redacted
///     else if (!r->ok()) return net::http_error(*r, "getMe");
///
/// `send` returns a `response` for every HTTP status (after the retries the policy allows)
/// and an `mlcloud::error` when no complete response arrived: errc::timeout,
/// errc::network_error, errc::outcome_unknown (the request went out and may have taken
/// effect), errc::protocol_error, errc::payload_too_large, errc::io_error,
/// errc::invalid_argument. See docs/transport.md for the rules.
///
/// One client serves any number of concurrent requests from coroutines on its executor; its
/// pool, retry quota and TLS context are guarded by mutexes. With an io_context run by several
/// threads, give the client (and its callers) a strand. In-flight requests keep what they
/// need alive, so the client may be destroyed before they finish; destroy it before its
/// io_context. A moved-from client may only be assigned to or destroyed.
class http_client
{
public:
    MLCLOUD_DECL explicit http_client(boost::asio::any_io_executor ex, client_options options = {});
    MLCLOUD_DECL ~http_client();

    MLCLOUD_DECL http_client(http_client&&) noexcept;
    MLCLOUD_DECL http_client& operator=(http_client&&) noexcept;
    http_client(http_client const&) = delete;
    http_client& operator=(http_client const&) = delete;

    /// Sends `req` (with retries) and reads the whole response.
    MLCLOUD_DECL task<response> send(request req);

    MLCLOUD_DECL boost::asio::any_io_executor get_executor() const noexcept;
    MLCLOUD_DECL client_options const& options() const noexcept;

    /// Idle keep-alive connections in the pool now (all hosts).
    MLCLOUD_DECL std::size_t idle_connections() const;
    /// Closes every idle connection.
    MLCLOUD_DECL void close_idle_connections();
    /// Tokens left in the retry quota.
    MLCLOUD_DECL unsigned retry_quota_available() const;

private:
    friend class sse_reader;
    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/http_client.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_REQUEST_HPP
#define MLCLOUD_NET_REQUEST_HPP

// What the transport sends. No Beast, no SSL here: a translation unit that builds requests
// compiles fast.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/fields.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace mlcloud::net {

/// HTTP request methods.
enum class method
{
    get,
    head,
    post,
    put,
    patch,
    delete_,
    options,
};

/// "GET", "HEAD", ...
MLCLOUD_DECL std::string_view to_string(method m) noexcept;

/// True for the methods RFC 9110 §9.2.2 defines as idempotent (GET, HEAD, PUT, DELETE,
/// OPTIONS); POST and PATCH are not.
MLCLOUD_DECL bool is_idempotent(method m) noexcept;

/// Timeouts of one attempt. Every phase has a finite default; the defaults follow the AWS
/// SDKs (a minute without a byte is a dead peer) and leave room for big transfers.
struct timeouts
{
    std::chrono::milliseconds resolve{std::chrono::seconds(15)};       ///< DNS lookup
    std::chrono::milliseconds connect{std::chrono::seconds(15)};       ///< TCP connect (to the proxy, if any)
    std::chrono::milliseconds tls_handshake{std::chrono::seconds(15)}; ///< TLS handshake (and the proxy CONNECT exchange)
    std::chrono::milliseconds idle{std::chrono::seconds(60)};          ///< longest silence while sending or receiving
    std::chrono::milliseconds request{std::chrono::minutes(15)};       ///< one whole attempt, connecting to last byte
};

/// Per-request changes to `client_options::timeouts`; unset members keep the client's value.
///
///     req.timeouts = {.idle = 70s};   // a Telegram long poll with timeout=60
struct timeout_overrides
{
    std::optional<std::chrono::milliseconds> resolve{};
    std::optional<std::chrono::milliseconds> connect{};
    std::optional<std::chrono::milliseconds> tls_handshake{};
    std::optional<std::chrono::milliseconds> idle{};
    std::optional<std::chrono::milliseconds> request{};

    /// `base` with the overrides applied.
    timeouts apply_to(timeouts base) const noexcept
    {
        base.resolve = resolve.value_or(base.resolve);
        base.connect = connect.value_or(base.connect);
        base.tls_handshake = tls_handshake.value_or(base.tls_handshake);
        base.idle = idle.value_or(base.idle);
        base.request = request.value_or(base.request);
        return base;
    }
};

/// A byte range of a file sent as the request body, e.g. one S3 multipart part straight
/// from the dataset file. The file is opened again for every attempt. Over plain TCP on
/// Linux it goes from the page cache to the socket with sendfile(2); over TLS it is read
/// through a fixed buffer. Either way memory use does not depend on the size.
struct file_body
{
    std::filesystem::path path{};
    std::uint64_t offset = 0;
    std::optional<std::uint64_t> length{}; ///< unset: to the end of the file
};

/// Fills `out` with the next bytes of a body and returns how many it wrote; it is called
/// until the declared length is reached. Returning 0 before that, or an error, fails the
/// attempt (errc::io_error, or the error returned).
using body_chunk_source = std::function<result<std::size_t>(std::span<char> out)>;

/// A body of known length produced on the fly. `open` is called once per attempt and must
/// start again from the first byte, so a retried request sends the same bytes.
struct generator_body
{
    std::uint64_t length = 0;
    std::function<body_chunk_source()> open{};
};

/// The body of a request: nothing, bytes in memory, a file range, or a generator.
class request_body
{
public:
    request_body() = default;
    request_body(std::string text) : v_(std::move(text)) {}
    request_body(std::string_view text) : v_(std::string(text)) {}
    request_body(char const* text) : v_(std::string(text)) {}
    request_body(file_body f) : v_(std::move(f)) {}
    request_body(generator_body g) : v_(std::move(g)) {}

    /// The in-memory bytes, or null when the body is a file or a generator.
    std::string const* text() const noexcept { return std::get_if<std::string>(&v_); }
    file_body const* file() const noexcept { return std::get_if<file_body>(&v_); }
    generator_body const* generator() const noexcept { return std::get_if<generator_body>(&v_); }

    /// The number of bytes that will be sent; for a file range without a length this looks
    /// at the file (errc::io_error when it cannot, errc::invalid_argument when the range is
    /// outside the file).
    MLCLOUD_DECL result<std::uint64_t> size() const;

private:
    std::variant<std::string, file_body, generator_body> v_;
};

struct request;

/// Called before every attempt with the request as it will be sent: the transport has
/// restored the headers and URL given to `send` and added Host, User-Agent,
/// Content-Length and the idempotency header. A signer sets X-Amz-Date and Authorization
/// here, so each retry carries a fresh signature. An error stops the request and is
/// returned by `send` as is.
using prepare_hook = std::function<result<void>(request& req, unsigned attempt)>;

/// One HTTP request.
///
///     net::request r{.method = net::method::post,
///                    .url = "https://api.runpod.io/v2/pods",
///                    .headers = {{"Content-Type", "application/json"}},
///                    .body = json_text,
///                    .idempotency_key = spec.idempotency_key};
struct request
{
    net::method method = net::method::get;
    std::string url{}; ///< absolute http:// or https:// URL, already percent-encoded (see url.hpp)
    fields headers{};
    request_body body{};

    /// Whether sending the request twice has the effect of sending it once. Unset: from the
    /// method (see is_idempotent(method)). Set it to true for a POST the server deduplicates.
    std::optional<bool> idempotent{};

    /// A key the server uses to deduplicate (AWS ClientToken, Stripe-style Idempotency-Key).
    /// A request that carries one may be retried even when it is not idempotent. The
    /// transport sends it as a header only when client_options::idempotency_header is set.
    std::string idempotency_key{};

    timeout_overrides timeouts{};

    /// Attempts for this request, first included; unset: client_options::retry.max_attempts.
    /// 1 turns retries off (e.g. a long poll the caller repeats anyway).
    std::optional<unsigned> max_attempts{};

    /// Whether an attempt that timed out after the request went out may be sent again (when
    /// the request is replayable). Off for a call the server goes on working on after the
    /// client gives up, e.g. a synchronous Lambda invocation: a retry would run it again and
    /// wait as long once more. Failures before sending, 429s and 5xx answers still retry.
    bool retry_timeouts = true;

    progress_callback on_upload_progress{};   ///< (bytes sent, body size); restarts at 0 on a retry
    progress_callback on_download_progress{}; ///< (bytes received, Content-Length or 0); restarts on a retry

    /// When set, a 2xx response body is streamed into this file (through a temporary file
    /// next to it, renamed on success: no partial file is ever left at this path). Other
    /// responses keep their (bounded) body in memory.
    std::filesystem::path response_file{};

    /// Largest response body accepted; unset: client_options::max_body_size (in memory) or
    /// client_options::max_file_body_size (to a file). Larger bodies fail with
    /// errc::payload_too_large.
    std::optional<std::uint64_t> max_body_size{};

    prepare_hook prepare{};

    /// `idempotent` or the method's default.
    bool is_idempotent() const noexcept { return idempotent.value_or(net::is_idempotent(method)); }

    /// True when the request may be sent again after it may have reached the server.
    bool is_replayable() const noexcept { return is_idempotent() || !idempotency_key.empty(); }
};

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/message.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_ERROR_HPP
#define MLCLOUD_ERROR_HPP

#include <mlcloud/config.hpp>

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace mlcloud {

/// The portable error conditions every provider reports. Provider-specific detail
/// (the cloud's own message, the HTTP status, the request id) travels in `mlcloud::error`.
enum class errc
{
    invalid_argument = 1, ///< the request is wrong; retrying it unchanged cannot help
    not_found,            ///< the job, object, bucket or endpoint does not exist (any more)
    already_exists,       ///< a resource with that name or key exists
    unauthorized,         ///< credentials missing, malformed, expired or rejected
    forbidden,            ///< credentials accepted but not allowed to do this
    quota,                ///< balance, spend limit or service quota exhausted
    capacity,             ///< no machine of the requested type is available now
    throttled,            ///< rate limited and the retry budget is spent
    timeout,              ///< a deadline passed before the operation finished
    outcome_unknown,      ///< the request was sent but no answer arrived: it may have taken effect
    not_supported,        ///< this provider cannot do that (the message says why)
    conflict,             ///< the resource is in a state that forbids the operation
    payload_too_large,    ///< the request body is above the provider's limit
    expired,              ///< the result existed once but the provider has dropped it
    provider_error,       ///< the provider reported an error that fits no other code
    protocol_error,       ///< the provider's answer could not be understood
    network_error,        ///< no connection could be made or kept (DNS, TCP, TLS, proxy)
    io_error,             ///< a local file could not be read or written
    job_failed,           ///< the training or prediction workload itself failed
    cancelled,            ///< the operation was cancelled by the caller
};

/// The error category of `mlcloud::errc`; its name is "mlcloud".
MLCLOUD_DECL boost::system::error_category const& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), error_category()};
}

/// A failed operation: the portable code plus what the provider told us.
///
/// Invariant: nothing in here is ever a credential. Providers build `message` from the
/// provider's error body and redact it (see net/redact.hpp) before it reaches this type.
struct error
{
    boost::system::error_code code;
    std::string message;     ///< the provider's own words, or ours when we found the fault
    std::string provider;    ///< "aws", "runpod", "local", "memory" or a user provider's name
    std::string operation;   ///< e.g. "RunInstances", "POST /v2/pods", "upload"
    std::string request_id;  ///< the provider's request id, when it sent one
    int http_status = 0;     ///< 0 when no HTTP exchange took place
    bool retry_safe = false; ///< true when repeating the same call cannot cause a second effect

    error() = default;
    error(boost::system::error_code c, std::string msg = {}) : code(c), message(std::move(msg)) {}
    error(errc c, std::string msg = {}) : code(make_error_code(c)), message(std::move(msg)) {}

    /// True when the code compares equal to `e`.
    bool is(errc e) const noexcept { return code == make_error_code(e); }

    /// One line for people: "provider operation: message (code; HTTP 404; request id ...)".
    MLCLOUD_DECL std::string what() const;

    // Builder-style setters so providers can decorate an error in one expression.
    error& with_provider(std::string_view p) { provider = p; return *this; }
    error& with_operation(std::string_view op) { operation = op; return *this; }
    error& with_http(int status, std::string_view rid = {}) { http_status = status; request_id = rid; return *this; }
    error& with_retry_safe(bool safe = true) { retry_safe = safe; return *this; }
};

/// The exception thrown by `result<T>::value()` on an error: a `system_error` that keeps
/// the diagnostics.
class system_error : public boost::system::system_error
{
public:
    explicit system_error(mlcloud::error e)
        : boost::system::system_error(e.code, e.what()), error_(std::move(e)) {}
    mlcloud::error const& diagnostics() const noexcept { return error_; }

private:
    mlcloud::error error_;
};

/// Found by argument-dependent lookup from `boost::system::result<T, error>::value()`.
[[noreturn]] MLCLOUD_DECL void throw_exception_from_error(error const& e, boost::source_location const& loc);

/// Every operation returns this: a value or an `mlcloud::error`.
template <class T>
using result = boost::system::result<T, error>;

} // namespace mlcloud

template <>
struct boost::system::is_error_code_enum<mlcloud::errc> : std::true_type {};

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/impl/error.ipp>
#endif

#endif

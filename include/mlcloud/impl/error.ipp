//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_IMPL_ERROR_IPP
#define MLCLOUD_IMPL_ERROR_IPP

#include <mlcloud/error.hpp>

#include <boost/throw_exception.hpp>

namespace mlcloud {
namespace detail {

class error_category_impl final : public boost::system::error_category
{
public:
    // A fixed id keeps the category unique across shared libraries.
    constexpr error_category_impl() noexcept : boost::system::error_category(0x6d6c636c6f756401ull) {}

    char const* name() const noexcept override { return "mlcloud"; }

    std::string message(int ev) const override { return message(ev, nullptr, 0); }

    char const* message(int ev, char*, std::size_t) const noexcept override
    {
        switch (static_cast<errc>(ev))
        {
        case errc::invalid_argument:  return "invalid argument";
        case errc::not_found:         return "not found";
        case errc::already_exists:    return "already exists";
        case errc::unauthorized:      return "unauthorized";
        case errc::forbidden:         return "forbidden";
        case errc::quota:             return "quota or balance exhausted";
        case errc::capacity:          return "no capacity available";
        case errc::throttled:         return "rate limited";
        case errc::timeout:           return "timed out";
        case errc::outcome_unknown:   return "outcome unknown";
        case errc::not_supported:     return "not supported";
        case errc::conflict:          return "conflict";
        case errc::payload_too_large: return "payload too large";
        case errc::expired:           return "expired";
        case errc::provider_error:    return "provider error";
        case errc::protocol_error:    return "protocol error";
        case errc::network_error:     return "network error";
        case errc::io_error:          return "i/o error";
        case errc::job_failed:        return "job failed";
        case errc::cancelled:         return "cancelled";
        }
        return "unknown mlcloud error";
    }
};

} // namespace detail

MLCLOUD_DECL boost::system::error_category const& error_category() noexcept
{
    static constexpr detail::error_category_impl instance;
    return instance;
}

MLCLOUD_DECL std::string error::what() const
{
    std::string out;
    if (!provider.empty())
        out += provider + " ";
    if (!operation.empty())
        out += operation;
    if (!out.empty())
        out += ": ";
    out += message.empty() ? code.message() : message;
    out += " (" + code.message();
    if (http_status != 0)
        out += "; HTTP " + std::to_string(http_status);
    if (!request_id.empty())
        out += "; request id " + request_id;
    out += ")";
    return out;
}

[[noreturn]] MLCLOUD_DECL void throw_exception_from_error(error const& e, boost::source_location const& loc)
{
    boost::throw_exception(system_error(e), loc);
}

} // namespace mlcloud

#endif

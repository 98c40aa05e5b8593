//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_MESSAGE_IPP
#define MLCLOUD_NET_IMPL_MESSAGE_IPP

#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/request.hpp>
#include <mlcloud/net/response.hpp>

#include <system_error>

namespace mlcloud::net {

MLCLOUD_DECL std::string_view to_string(method m) noexcept
{
    switch (m)
    {
    case method::get:     return "GET";
    case method::head:    return "HEAD";
    case method::post:    return "POST";
    case method::put:     return "PUT";
    case method::patch:   return "PATCH";
    case method::delete_: return "DELETE";
    case method::options: return "OPTIONS";
    }
    return "GET";
}

MLCLOUD_DECL bool is_idempotent(method m) noexcept
{
    return m != method::post && m != method::patch;
}

MLCLOUD_DECL result<std::uint64_t> request_body::size() const
{
    if (auto const* t = text())
        return t->size();
    if (auto const* g = generator())
        return g->length;
    auto const& f = *file();
    std::error_code ec;
    auto file_size = std::filesystem::file_size(f.path, ec);
    if (ec)
        return error(errc::io_error, "cannot read the size of " + f.path.string() + ": " + ec.message());
    if (f.offset > file_size || (f.length && *f.length > file_size - f.offset))
        return error(errc::invalid_argument, "the body range [" + std::to_string(f.offset) + ", +" +
                                                 std::to_string(f.length.value_or(0)) + ") is outside " +
                                                 f.path.string() + " (" + std::to_string(file_size) + " bytes)");
    return f.length.value_or(file_size - f.offset);
}

MLCLOUD_DECL std::string_view response::request_id() const noexcept
{
    for (std::string_view name : {"x-amz-request-id", "x-amzn-requestid", "x-amzn-request-id", "x-request-id", "request-id"})
        if (auto v = headers.get(name))
            return *v;
    return {};
}

MLCLOUD_DECL errc errc_from_status(int status) noexcept
{
    switch (status)
    {
    case 400: return errc::invalid_argument;
    case 401: return errc::unauthorized;
    case 402: return errc::quota;
    case 403: return errc::forbidden;
    case 404: return errc::not_found;
    case 408: return errc::timeout;
    case 409: return errc::conflict;
    case 410: return errc::not_found;
    case 412: return errc::conflict;
    case 413: return errc::payload_too_large;
    case 422: return errc::invalid_argument;
    case 429: return errc::throttled;
    case 503: return errc::throttled;
    default: break;
    }
    if (status >= 500 && status < 600)
        return errc::provider_error;
    return errc::protocol_error;
}

MLCLOUD_DECL error http_error(response const& r, std::string_view operation)
{
    // At most 300 bytes of the body, on one line: enough for a problem+json "detail" or an
    // XML <Message>, never a wall of HTML.
    std::string snippet = r.body.substr(0, 300);
    for (char& c : snippet)
        if (c == '\r' || c == '\n' || c == '\t')
            c = ' ';
    std::string message = "HTTP " + std::to_string(r.status);
    if (!r.reason.empty())
        message += " " + r.reason;
    if (!snippet.empty())
        message += ": " + snippet + (r.body.size() > 300 ? "..." : "");
    if (r.attempts > 1)
        message += " (after " + std::to_string(r.attempts) + " attempts)";
    error e(errc_from_status(r.status), redact_text(message));
    e.with_http(r.status, r.request_id());
    if (!operation.empty())
        e.with_operation(redact_text(operation));
    return e;
}

} // namespace mlcloud::net

#endif

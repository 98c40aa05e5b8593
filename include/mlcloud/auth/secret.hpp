//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_SECRET_HPP
#define MLCLOUD_AUTH_SECRET_HPP

#include <mlcloud/config.hpp>

#include <iosfwd>
#include <string>
#include <string_view>

namespace mlcloud::auth {

/// A string that must never be printed: a secret access key, a session token, an API key.
///
/// Streaming or formatting it (`operator<<`, `to_string`) yields `<redacted>` (or `<none>` when
/// empty), so a secret cannot leak through a log line, a Catch2 failure message or an error
/// built by concatenation. The value is reached only through `reveal()`, which makes every use
/// visible in review. The storage is wiped (OPENSSL_cleanse) when the object dies or is
/// overwritten.
class secret_string
{
public:
    secret_string() = default;
    explicit secret_string(std::string value) noexcept : value_(std::move(value)) {}
    explicit secret_string(std::string_view value) : value_(value) {}
    explicit secret_string(char const* value) : value_(value) {}

    MLCLOUD_DECL secret_string(secret_string const& other);
    MLCLOUD_DECL secret_string(secret_string&& other) noexcept;
    MLCLOUD_DECL secret_string& operator=(secret_string const& other);
    MLCLOUD_DECL secret_string& operator=(secret_string&& other) noexcept;
    MLCLOUD_DECL ~secret_string();

    /// The secret itself. Use it only to sign or to put it on the wire.
    std::string_view reveal() const noexcept { return value_; }

    bool empty() const noexcept { return value_.empty(); }
    std::size_t size() const noexcept { return value_.size(); }

    /// Wipes the value.
    MLCLOUD_DECL void clear() noexcept;

    /// Constant-time comparison (no early exit on the first differing byte).
    friend MLCLOUD_DECL bool operator==(secret_string const& a, secret_string const& b) noexcept;

private:
    std::string value_;
};

/// "<redacted>" for a non-empty secret, "<none>" for an empty one.
MLCLOUD_DECL std::string to_string(secret_string const& s);
MLCLOUD_DECL std::ostream& operator<<(std::ostream& os, secret_string const& s);

/// An identifier that is not secret but is best not printed in full (an access key id):
/// all but the last four characters are masked, as `aws configure list` shows them.
/// "AKIDEXAMPLE" -> "*******MPLE"; identifiers of 4 characters or fewer are fully masked.
MLCLOUD_DECL std::string mask_identifier(std::string_view id);

} // namespace mlcloud::auth

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/secret.ipp>
#endif

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_ENVIRONMENT_HPP
#define MLCLOUD_AUTH_ENVIRONMENT_HPP

#include <mlcloud/config.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mlcloud::auth {

/// Where configuration reads its environment variables from.
///
/// Every credential and endpoint lookup takes one, so that tests (and programs that keep their
/// settings elsewhere) never depend on the real process environment or home directory.
/// An unset variable and a variable set to the empty string are both reported as unset, as
/// the AWS SDKs treat them.
class environment
{
public:
    using lookup_function = std::function<std::optional<std::string>(std::string_view name)>;
    using map_type = std::map<std::string, std::string, std::less<>>;

    /// The process environment (`std::getenv`).
    MLCLOUD_DECL static environment process();

    /// A fixed set of variables; everything else is unset.
    MLCLOUD_DECL static environment from_map(map_type vars);

    /// Any lookup: a secrets manager, a layered configuration, a test double.
    explicit environment(lookup_function f) : lookup_(std::move(f)) {}

    /// The value of `name`, or nothing when it is unset or empty.
    MLCLOUD_DECL std::optional<std::string> get(std::string_view name) const;

private:
    lookup_function lookup_;
};

} // namespace mlcloud::auth

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/environment.ipp>
#endif

#endif

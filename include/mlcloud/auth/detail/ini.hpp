//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_DETAIL_INI_HPP
#define MLCLOUD_AUTH_DETAIL_INI_HPP

#include <mlcloud/config.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// A small reader for the AWS shared `config` and `credentials` files, following what botocore
// (Python's configparser + botocore.configloader) accepts, with its limits written down:
//  - `[name]` starts a section; text after the closing ']' is ignored; section names are
//    case-sensitive and trimmed.
//  - `key = value` or `key: value` (split at the first '=' or ':'); keys are trimmed and
//    lower-cased, values trimmed. A value may be empty.
//  - Lines whose first non-blank character is '#' or ';' are comments. There are no inline
//    comments: "key = abc # x" has the value "abc # x" (as botocore reads it).
//  - An indented line right after a property continues it. When the property's own value is
//    empty, the continuation lines are `sub_key = sub_value` sub-properties (the form of
//    `s3 =` blocks and `[services ...]` sections); otherwise they are appended to the value,
//    separated by '\n'.
//  - A repeated section is merged into the first and a repeated key replaces the earlier value
//    (botocore refuses both; the newer SDKs merge).
//  - CRLF line endings and a UTF-8 byte order mark are accepted. Quotes are not interpreted.
//  - Anything else (a property before the first section, a line that is neither) is an error
//    that names the line number; the line's text is never quoted since it may hold a secret.
namespace mlcloud::auth::detail {

struct ini_property
{
    std::string value;
    std::map<std::string, std::string, std::less<>> sub; ///< sub-properties of an empty value
};

struct ini_section
{
    std::map<std::string, ini_property, std::less<>> properties;

    /// The value of `key` (lower-case), or nothing when the key is absent.
    MLCLOUD_DECL std::optional<std::string_view> get(std::string_view key) const;
};

struct ini_document
{
    std::map<std::string, ini_section, std::less<>> sections;

    MLCLOUD_DECL ini_section const* find(std::string_view name) const;
};

struct ini_parse_error
{
    std::size_t line = 0;
    std::string reason;
};

/// Parses `text`; on failure returns nothing and fills `error`.
MLCLOUD_DECL std::optional<ini_document> parse_ini(std::string_view text, ini_parse_error& error);

} // namespace mlcloud::auth::detail

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/auth/impl/ini.ipp>
#endif

#endif

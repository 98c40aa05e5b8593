//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_INI_IPP
#define MLCLOUD_AUTH_IMPL_INI_IPP

#include <mlcloud/auth/detail/ini.hpp>

namespace mlcloud::auth::detail {
namespace ini_impl {

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

inline std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\r' || s.front() == '\f' || s.front() == '\v'))
        s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r' || s.back() == '\f' || s.back() == '\v'))
        s.remove_suffix(1);
    return s;
}

inline std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline std::size_t indent_of(std::string_view line) noexcept
{
    std::size_t n = 0;
    while (n < line.size() && is_blank(line[n]))
        ++n;
    return n;
}

// "key = value" or "key: value", split at the first delimiter; false when there is none or
// the key is empty.
inline bool split_property(std::string_view text, std::string_view& key, std::string_view& value) noexcept
{
    auto const at = text.find_first_of("=:");
    if (at == std::string_view::npos)
        return false;
    key = trim(text.substr(0, at));
    value = trim(text.substr(at + 1));
    return !key.empty();
}

} // namespace ini_impl

MLCLOUD_DECL std::optional<std::string_view> ini_section::get(std::string_view key) const
{
    if (auto it = properties.find(key); it != properties.end())
        return std::string_view(it->second.value);
    return std::nullopt;
}

MLCLOUD_DECL ini_section const* ini_document::find(std::string_view name) const
{
    auto it = sections.find(name);
    return it == sections.end() ? nullptr : &it->second;
}

MLCLOUD_DECL std::optional<ini_document> parse_ini(std::string_view text, ini_parse_error& error)
{
    using namespace ini_impl;

    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);

    ini_document doc;
    ini_section* section = nullptr;
    ini_property* property = nullptr; // the property continuation lines attach to
    std::size_t property_indent = 0;

    auto fail = [&](std::size_t line, std::string reason) -> std::optional<ini_document> {
        error.line = line;
        error.reason = std::move(reason);
        return std::nullopt;
    };

    std::size_t line_no = 0;
    while (!text.empty())
    {
        auto const eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        ++line_no;

        std::string_view const content = trim(line);
        if (content.empty() || content.front() == '#' || content.front() == ';')
            continue;

        std::size_t const indent = indent_of(line);
        if (property && indent > property_indent)
        {
            // Continuation of the previous property.
            if (property->value.empty() || !property->sub.empty())
            {
                std::string_view k, v;
                if (!split_property(content, k, v))
                    return fail(line_no, "expected 'name = value' in an indented sub-property block");
                property->sub.insert_or_assign(lower(k), std::string(v));
            }
            else
            {
                property->value += '\n';
                property->value += content;
            }
            continue;
        }

        if (content.front() == '[')
        {
            auto const close = content.rfind(']');
            if (close == std::string_view::npos || close == 1)
                return fail(line_no, "malformed section header (expected '[name]')");
            std::string name(trim(content.substr(1, close - 1)));
            if (name.empty())
                return fail(line_no, "empty section name");
            section = &doc.sections[std::move(name)];
            property = nullptr;
            continue;
        }

        std::string_view key, value;
        if (!split_property(content, key, value))
            return fail(line_no, "expected '[section]' or 'name = value'");
        if (!section)
            return fail(line_no, "property before the first [section]");
        ini_property& p = section->properties[lower(key)];
        p.value.assign(value);
        p.sub.clear();
        property = &p;
        property_indent = indent;
    }
    return doc;
}

} // namespace mlcloud::auth::detail

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_FIELDS_IPP
#define MLCLOUD_NET_IMPL_FIELDS_IPP

#include <mlcloud/net/fields.hpp>

#include <algorithm>

namespace mlcloud::net {

MLCLOUD_DECL bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

MLCLOUD_DECL void fields::set(std::string_view name, std::string_view value)
{
    auto first = std::find_if(items_.begin(), items_.end(), [&](value_type const& f) { return iequals(f.first, name); });
    if (first == items_.end())
    {
        items_.emplace_back(name, value);
        return;
    }
    first->second.assign(value);
    // Drop later duplicates, keeping the position of the first one.
    items_.erase(std::remove_if(std::next(first), items_.end(),
                                [&](value_type const& f) { return iequals(f.first, name); }),
                 items_.end());
}

MLCLOUD_DECL std::size_t fields::erase(std::string_view name)
{
    auto before = items_.size();
    items_.erase(std::remove_if(items_.begin(), items_.end(), [&](value_type const& f) { return iequals(f.first, name); }),
                 items_.end());
    return before - items_.size();
}

MLCLOUD_DECL std::optional<std::string_view> fields::get(std::string_view name) const noexcept
{
    for (auto const& f : items_)
        if (iequals(f.first, name))
            return std::string_view(f.second);
    return std::nullopt;
}

} // namespace mlcloud::net

#endif

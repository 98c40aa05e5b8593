//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_FIELDS_HPP
#define MLCLOUD_NET_FIELDS_HPP

#include <mlcloud/config.hpp>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlcloud::net {

/// True when two header names are equal ignoring ASCII case (HTTP field names are
/// case-insensitive, RFC 9110 §5.1).
MLCLOUD_DECL bool iequals(std::string_view a, std::string_view b) noexcept;

/// HTTP header fields in the order they were added, with case-insensitive lookup.
///
///     net::fields h{{"Content-Type", "application/json"}};
///     h.set("x-amz-date", stamp);          // replaces every field of that name
///     if (auto id = h.get("X-Amz-Request-Id")) ...
///
/// Names and values are kept as given; the transport refuses (errc::invalid_argument)
/// a name that is not an RFC 9110 token or a value holding CR, LF or NUL, so a header
/// can never smuggle a second header or a second request onto the wire.
class fields
{
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    fields() = default;
    fields(std::initializer_list<value_type> init) : items_(init) {}

    /// Replaces every field named `name` by one field (appended if there was none).
    MLCLOUD_DECL void set(std::string_view name, std::string_view value);

    /// Appends a field, keeping fields of the same name (e.g. Set-Cookie).
    void add(std::string_view name, std::string_view value) { items_.emplace_back(name, value); }

    /// Removes every field named `name`; returns how many were removed.
    MLCLOUD_DECL std::size_t erase(std::string_view name);

    /// The value of the first field named `name`.
    MLCLOUD_DECL std::optional<std::string_view> get(std::string_view name) const noexcept;

    /// The value of the first field named `name`, or `fallback`.
    std::string_view value_or(std::string_view name, std::string_view fallback) const noexcept
    {
        auto v = get(name);
        return v ? *v : fallback;
    }

    bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    void clear() noexcept { items_.clear(); }

    friend bool operator==(fields const&, fields const&) = default;

private:
    std::vector<value_type> items_;
};

} // namespace mlcloud::net

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/net/impl/fields.ipp>
#endif

#endif

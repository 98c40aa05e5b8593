//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_DETAIL_XML_HPP
#define MLCLOUD_AWS_DETAIL_XML_HPP

// Reading AWS XML answers with Boost.PropertyTree's XML reader. Only .ipp files include this
// header: PropertyTree stays out of the API headers.
//
// Elements are matched by local name (a "prefix:" is ignored) and unknown elements are
// skipped, because emulators and AWS differ in namespaces, order and extra fields.

#include <mlcloud/error.hpp>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <initializer_list>
#include <sstream>
#include <string>
#include <string_view>

namespace mlcloud::aws::detail::xml {

using tree = boost::property_tree::ptree;

/// The document; errc::protocol_error naming `what` when it is not well-formed XML.
inline result<tree> parse(std::string_view body, std::string_view what)
{
    tree t;
    try
    {
        std::istringstream in{std::string(body)};
        boost::property_tree::read_xml(in, t);
    }
    catch (boost::property_tree::xml_parser_error const& e)
    {
        return error(errc::protocol_error, std::string(what) + ": the answer is not well-formed XML (" +
                                               e.message() + " at line " + std::to_string(e.line()) + ")");
    }
    return t;
}

inline std::string_view local_name(std::string_view name) noexcept
{
    auto colon = name.rfind(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

/// The first child element named `name`, or null.
inline tree const* child(tree const& t, std::string_view name)
{
    for (auto const& [k, v] : t)
        if (local_name(k) == name)
            return &v;
    return nullptr;
}

/// The element at a path of names, or null.
inline tree const* find(tree const& t, std::initializer_list<std::string_view> path)
{
    tree const* at = &t;
    for (auto name : path)
    {
        at = child(*at, name);
        if (!at)
            return nullptr;
    }
    return at;
}

/// The text of child `name` (empty when absent).
inline std::string text(tree const& t, std::string_view name)
{
    auto c = child(t, name);
    return c ? c->data() : std::string();
}

/// Calls `f(element)` for every child named `name`.
template <class F>
void for_each(tree const& t, std::string_view name, F&& f)
{
    for (auto const& [k, v] : t)
        if (local_name(k) == name)
            f(v);
}

} // namespace mlcloud::aws::detail::xml

#endif

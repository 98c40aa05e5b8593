//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_SERIALIZATION_HPP
#define MLCLOUD_SERIALIZATION_HPP

// JSON forms of the vocabulary types, for storing job records (the bot's database, the CLI's
// job files) and handing them back after a restart:
//
//     boost::json::value v = boost::json::value_from(handle);
//     auto back = mlcloud::from_json<mlcloud::job_handle>(v);   // result<job_handle>
//
// Unknown fields are ignored and missing optional fields take their defaults, so records
// written by an older version still load.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/types.hpp>

#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string_view>

namespace mlcloud {

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, compute_type const& c);
MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, cost const& c);
MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, storage_uri const& u);
MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, job_handle const& h);
MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, job_status const& s);
MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, log_cursor const& c);

/// Parses the JSON form of a vocabulary type; a wrong shape yields errc::invalid_argument
/// naming the field.
template <class T>
result<T> from_json(boost::json::value const& v);

template <>
MLCLOUD_DECL result<compute_type> from_json<compute_type>(boost::json::value const& v);
template <>
MLCLOUD_DECL result<cost> from_json<cost>(boost::json::value const& v);
template <>
MLCLOUD_DECL result<storage_uri> from_json<storage_uri>(boost::json::value const& v);
template <>
MLCLOUD_DECL result<job_handle> from_json<job_handle>(boost::json::value const& v);
template <>
MLCLOUD_DECL result<job_status> from_json<job_status>(boost::json::value const& v);
template <>
MLCLOUD_DECL result<log_cursor> from_json<log_cursor>(boost::json::value const& v);

/// Name <-> enum, for the JSON forms and for command lines.
MLCLOUD_DECL std::optional<job_state> job_state_from_string(std::string_view s) noexcept;
MLCLOUD_DECL std::optional<market> market_from_string(std::string_view s) noexcept;

} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/impl/serialization.ipp>
#endif

#endif

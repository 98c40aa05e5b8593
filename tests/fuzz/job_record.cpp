//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The JSON forms of handles, statuses, cursors, costs and storage URIs (serialization.hpp):
// what the CLI's job records and the bot's database hold, read back after a restart from
// files anyone could have edited. Whatever is accepted writes out as JSON that reads back to
// the same JSON.
//
// Input: one byte choosing the type, then the JSON text.

#include "fuzz.hpp"

#include <mlcloud/serialization.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

namespace {

template <class T>
void round_trip(boost::json::value const& v)
{
    auto first = mlcloud::from_json<T>(v);
    if (!first)
    {
        mlcloud_fuzz::check(!first.error().message.empty(), "a refused record says why");
        return;
    }
    auto const written = boost::json::value_from(*first);
    auto second = mlcloud::from_json<T>(written);
    mlcloud_fuzz::check(second.has_value(), "what was read writes out readable JSON");
    mlcloud_fuzz::check(boost::json::serialize(boost::json::value_from(*second)) == boost::json::serialize(written),
                        "a record reads back the same");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    mlcloud_fuzz::input in(data, size);
    auto const which = in.byte() % 6;
    boost::system::error_code ec;
    auto const v = boost::json::parse(in.rest(), ec);
    if (ec)
        return 0;
    switch (which)
    {
    case 0: round_trip<mlcloud::job_handle>(v); break;
    case 1: round_trip<mlcloud::job_status>(v); break;
    case 2: round_trip<mlcloud::log_cursor>(v); break;
    case 3: round_trip<mlcloud::cost>(v); break;
    case 4: round_trip<mlcloud::storage_uri>(v); break;
    default: round_trip<mlcloud::compute_type>(v); break;
    }
    return 0;
}

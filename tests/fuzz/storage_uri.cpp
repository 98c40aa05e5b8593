//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Storage URIs as people type them (s3://, runpod://, file://, plain paths): a parsed URI
// spells itself canonically (parse(u.str()) == u), and a refusal is an invalid_argument
// whose message is one bounded line.

#include "fuzz.hpp"

#include <mlcloud/storage_uri.hpp>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const text(reinterpret_cast<char const*>(data), size);
    auto uri = mlcloud::storage_uri::parse(text);
    if (!uri)
    {
        mlcloud_fuzz::check(uri.error().is(mlcloud::errc::invalid_argument), "a bad URI is invalid_argument");
        mlcloud_fuzz::check(uri.error().message.size() < 600, "the message about a bad URI is bounded");
        return 0;
    }
    auto again = mlcloud::storage_uri::parse(uri->str());
    mlcloud_fuzz::check(again && *again == *uri, "parse(u.str()) == u");
    (void)uri->filename();
    auto child = uri->child("model.json");
    mlcloud_fuzz::check(child.filename() == "model.json", "a child is named by its name");
    return 0;
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AWS_IMPL_ENCODING_IPP
#define MLCLOUD_AWS_IMPL_ENCODING_IPP

#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/net/url.hpp>

#include <openssl/evp.h>

#include <cctype>
#include <ctime>
#include <cstdio>

namespace mlcloud::aws::detail {

MLCLOUD_DECL std::string base64_encode(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    // EVP_EncodeBlock takes an int length; UserData and log tails are far below that.
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<unsigned char const*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n < 0 ? 0 : n));
    return out;
}

MLCLOUD_DECL result<std::string> base64_decode(std::string_view text)
{
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            clean.push_back(c);
    if (clean.size() % 4 != 0)
        return error(errc::protocol_error, "not base64: the length is not a multiple of 4");
    std::string out(3 * (clean.size() / 4), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<unsigned char const*>(clean.data()), static_cast<int>(clean.size()));
    if (n < 0)
        return error(errc::protocol_error, "not base64");
    // EVP_DecodeBlock counts the padding as zero bytes; drop them.
    std::size_t size = static_cast<std::size_t>(n);
    for (std::size_t i = clean.size(); i > 0 && clean[i - 1] == '=' && size > 0; --i)
        --size;
    out.resize(size);
    return out;
}

namespace encoding_impl {

inline std::optional<std::chrono::system_clock::time_point> from_tm(std::tm& tm, long millis = 0)
{
    // system_clock counts nanoseconds in 64 bits (about 1678-2262): a year beyond that in an
    // answer is refused rather than overflowing.
    if (tm.tm_year < 1900 - 1900 || tm.tm_year > 2200 - 1900)
        return std::nullopt;
    auto t = timegm(&tm);
    if (t == static_cast<std::time_t>(-1))
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(t) + std::chrono::milliseconds(millis);
}

} // namespace encoding_impl

MLCLOUD_DECL std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text)
{
    std::string s(text);
    std::tm tm{};
    char const* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return std::nullopt;
    long millis = 0;
    if (*rest == '.')
    {
        ++rest;
        long scale = 100;
        while (std::isdigit(static_cast<unsigned char>(*rest)))
        {
            millis += (*rest - '0') * scale;
            scale /= 10;
            ++rest;
        }
    }
    // "Z" or "+00:00"; other offsets do not occur in AWS answers and are rejected.
    std::string_view zone(rest);
    if (zone != "Z" && zone != "+00:00" && zone != "")
        return std::nullopt;
    return encoding_impl::from_tm(tm, millis);
}

MLCLOUD_DECL std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text)
{
    std::string s(text);
    std::tm tm{};
    char const* rest = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
    if (!rest)
        return std::nullopt;
    return encoding_impl::from_tm(tm);
}

MLCLOUD_DECL std::optional<std::chrono::system_clock::time_point> parse_transition_time(std::string_view reason)
{
    auto open = reason.rfind('(');
    if (open == std::string_view::npos)
        return std::nullopt;
    std::string s(reason.substr(open + 1));
    std::tm tm{};
    char const* rest = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
    if (!rest)
        return std::nullopt;
    return encoding_impl::from_tm(tm);
}

MLCLOUD_DECL std::string form_encode(std::vector<std::pair<std::string, std::string>> const& params)
{
    std::string out;
    for (auto const& [name, value] : params)
    {
        if (!out.empty())
            out += '&';
        out += net::encode_query_value(name);
        out += '=';
        out += net::encode_query_value(value);
    }
    return out;
}

} // namespace mlcloud::aws::detail

#endif

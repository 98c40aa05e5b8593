//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_URL_IPP
#define MLCLOUD_NET_IMPL_URL_IPP

#include <mlcloud/net/redact.hpp>
#include <mlcloud/net/url.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

namespace mlcloud::net {

MLCLOUD_DECL std::string encode_path_segment(std::string_view segment)
{
    return boost::urls::encode(segment, boost::urls::unreserved_chars);
}

MLCLOUD_DECL std::string encode_path(std::string_view path)
{
    std::string out;
    out.reserve(path.size() + path.size() / 4);
    std::size_t start = 0;
    while (true)
    {
        std::size_t slash = path.find('/', start);
        out += encode_path_segment(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
        if (slash == std::string_view::npos)
            break;
        out += '/';
        start = slash + 1;
    }
    return out;
}

MLCLOUD_DECL std::string encode_query_value(std::string_view value)
{
    return boost::urls::encode(value, boost::urls::unreserved_chars);
}

MLCLOUD_DECL result<std::string> percent_decode(std::string_view text)
{
    auto pct = boost::urls::make_pct_string_view(text);
    if (!pct)
        return error(errc::invalid_argument, "malformed percent-encoding in '" + redact_text(text.substr(0, 200)) + "'");
    std::string out;
    out.reserve(pct->decoded_size());
    pct->decode({}, boost::urls::string_token::append_to(out));
    return out;
}

MLCLOUD_DECL result<std::string> make_url(std::string_view base, std::initializer_list<std::string_view> segments,
                                          query_params const& query)
{
    auto parsed = boost::urls::parse_uri(base);
    if (!parsed)
        return error(errc::invalid_argument, "not an absolute URL: '" + redact_text(base.substr(0, 200)) + "'");
    boost::urls::url u(*parsed);
    if (u.encoded_path().empty())
        u.set_path_absolute(true);
    auto segs = u.encoded_segments();
    // "https://host/v2/" has a trailing empty segment: replace it rather than adding "//".
    if (segments.size() != 0 && !segs.empty() && segs.back().empty())
        segs.pop_back();
    for (std::string_view s : segments)
        segs.push_back(encode_path_segment(s));
    auto params = u.encoded_params();
    for (auto const& [name, value] : query)
        params.append({encode_query_value(name), encode_query_value(value)});
    return std::string(u.buffer());
}

MLCLOUD_DECL std::string url_parts::authority(bool always_port) const
{
    std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (always_port || !has_default_port())
        out += ":" + std::to_string(port);
    return out;
}

MLCLOUD_DECL result<url_parts> parse_url(std::string_view url)
{
    auto bad = [&](std::string_view why) {
        // redact_text, not just redact_url: a refused URL may hold anything, an access key id too.
        return error(errc::invalid_argument, "bad URL '" + redact_text(url.substr(0, 200)) + "': " + std::string(why));
    };
    auto parsed = boost::urls::parse_uri(url); // absolute, fragment allowed (and ignored)
    if (!parsed)
        return bad(parsed.error().message());
    auto const& u = *parsed;
    url_parts p;
    p.scheme = u.scheme();
    for (char& c : p.scheme)
        c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    if (p.scheme != "http" && p.scheme != "https")
        return bad("only http and https are supported");
    if (!u.has_authority() || u.encoded_host().empty())
        return bad("no host");
    switch (u.host_type())
    {
    case boost::urls::host_type::ipv6:
        p.host = u.host_ipv6_address().to_string();
        break;
    case boost::urls::host_type::ipv4:
        p.host = u.host_ipv4_address().to_string();
        break;
    case boost::urls::host_type::name:
        p.host = u.host_name();
        for (char& c : p.host)
            c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
        break;
    default:
        return bad("unsupported host form");
    }
    if (u.has_port())
    {
        // Boost.URL keeps the port text as written; the number must fit 1..65535.
        auto text = u.port();
        unsigned long value = 0;
        if (text.empty() || text.size() > 5)
            return bad("bad port");
        for (char c : text)
            value = value * 10 + static_cast<unsigned long>(c - '0');
        if (value == 0 || value > 65535)
            return bad("bad port");
        p.port = static_cast<std::uint16_t>(value);
    }
    else
        p.port = p.scheme == "https" ? 443 : 80;
    p.target = u.encoded_path();
    if (p.target.empty())
        p.target = "/";
    else if (p.target.front() != '/')
        return bad("the path must be absolute");
    if (u.has_query())
        p.target += "?" + std::string(u.encoded_query());
    if (u.has_userinfo())
    {
        p.user = u.user();
        p.password = u.password();
    }
    return p;
}

} // namespace mlcloud::net

#endif

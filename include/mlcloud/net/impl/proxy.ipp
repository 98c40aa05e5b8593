//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_PROXY_IPP
#define MLCLOUD_NET_IMPL_PROXY_IPP

#include <mlcloud/net/fields.hpp>
#include <mlcloud/net/proxy.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cstdlib>
#include <optional>

namespace mlcloud::net {
namespace detail {

inline std::string env_or_empty(char const* name)
{
    char const* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

inline std::string lower_trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
    return out;
}

inline std::optional<boost::asio::ip::address> parse_ip(std::string_view s)
{
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(std::string(s), ec);
    if (ec)
        return std::nullopt;
    return a;
}

// True when `a` lies in prefix/bits (both of the same family).
inline bool in_network(boost::asio::ip::address const& a, boost::asio::ip::address const& prefix, unsigned bits)
{
    if (a.is_v4() != prefix.is_v4())
        return false;
    auto compare = [bits](auto const& x, auto const& y) {
        unsigned left = bits;
        for (std::size_t i = 0; i < x.size() && left > 0; ++i)
        {
            unsigned take = left >= 8 ? 8 : left;
            unsigned mask = (0xFFu << (8 - take)) & 0xFFu;
            if ((x[i] & mask) != (y[i] & mask))
                return false;
            left -= take;
        }
        return true;
    };
    if (a.is_v4())
    {
        if (bits > 32)
            return false;
        return compare(a.to_v4().to_bytes(), prefix.to_v4().to_bytes());
    }
    if (bits > 128)
        return false;
    return compare(a.to_v6().to_bytes(), prefix.to_v6().to_bytes());
}

struct no_proxy_entry
{
    std::string host;          // lower case, no brackets, no leading "*." or "."
    std::optional<unsigned> bits; // CIDR prefix length
    std::optional<std::uint16_t> port;
};

inline std::optional<no_proxy_entry> parse_no_proxy_entry(std::string_view raw)
{
    std::string s = lower_trimmed(raw);
    if (s.empty())
        return std::nullopt;
    no_proxy_entry e;
    auto parse_port = [](std::string_view p) -> std::optional<std::uint16_t> {
        if (p.empty() || p.size() > 5)
            return std::nullopt;
        unsigned v = 0;
        for (char c : p)
        {
            if (c < '0' || c > '9')
                return std::nullopt;
            v = v * 10 + static_cast<unsigned>(c - '0');
        }
        if (v == 0 || v > 65535)
            return std::nullopt;
        return static_cast<std::uint16_t>(v);
    };
    if (s.front() == '[')
    {
        auto close = s.find(']');
        if (close == std::string::npos)
            return std::nullopt;
        e.host = s.substr(1, close - 1);
        std::string_view rest = std::string_view(s).substr(close + 1);
        if (!rest.empty())
        {
            if (rest.front() != ':' || !(e.port = parse_port(rest.substr(1))))
                return std::nullopt;
        }
    }
    else if (std::count(s.begin(), s.end(), ':') == 1)
    {
        auto colon = s.find(':');
        e.host = s.substr(0, colon);
        if (!(e.port = parse_port(std::string_view(s).substr(colon + 1))))
            return std::nullopt;
    }
    else
        e.host = s; // a name, an IPv4 address, a bare IPv6 address, or a CIDR range
    if (auto slash = e.host.find('/'); slash != std::string::npos)
    {
        auto bits = parse_port(std::string_view(e.host).substr(slash + 1));
        if (!bits && e.host.substr(slash + 1) != "0")
            return std::nullopt;
        e.bits = bits ? *bits : 0u;
        e.host.resize(slash);
    }
    if (e.host.rfind("*.", 0) == 0)
        e.host.erase(0, 2);
    else if (!e.host.empty() && e.host.front() == '.')
        e.host.erase(0, 1);
    while (!e.host.empty() && e.host.back() == '.')
        e.host.pop_back();
    return e;
}

inline bool entry_matches(no_proxy_entry const& e, std::string const& host, std::uint16_t port)
{
    if (e.port && *e.port != port)
        return false;
    if (e.host == "*")
        return true;
    auto host_ip = parse_ip(host);
    auto entry_ip = parse_ip(e.host);
    if (e.bits)
        return host_ip && entry_ip && in_network(*host_ip, *entry_ip, *e.bits);
    if (entry_ip)
        return host_ip && *host_ip == *entry_ip;
    if (host_ip || e.host.empty())
        return false;
    if (host == e.host)
        return true;
    return host.size() > e.host.size() && host.compare(host.size() - e.host.size(), e.host.size(), e.host) == 0 &&
           host[host.size() - e.host.size() - 1] == '.';
}

} // namespace detail

MLCLOUD_DECL proxy_options proxy_options::from_environment()
{
    auto pick = [](char const* upper, char const* lower) {
        std::string v = detail::env_or_empty(upper);
        return v.empty() ? detail::env_or_empty(lower) : v;
    };
    proxy_options p;
    p.https_proxy = pick("HTTPS_PROXY", "https_proxy");
    p.http_proxy = std::getenv("REQUEST_METHOD") ? detail::env_or_empty("http_proxy") : pick("HTTP_PROXY", "http_proxy");
    p.no_proxy = pick("NO_PROXY", "no_proxy");
    return p;
}

MLCLOUD_DECL std::string_view proxy_options::select(std::string_view scheme, std::string_view host,
                                                    std::uint16_t port) const
{
    std::string_view proxy = iequals(scheme, "https") ? std::string_view(https_proxy) : std::string_view(http_proxy);
    if (proxy.empty() || no_proxy_matches(no_proxy, host, port))
        return {};
    return proxy;
}

MLCLOUD_DECL bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port)
{
    std::string h = detail::lower_trimmed(host);
    if (!h.empty() && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    while (!h.empty() && h.back() == '.')
        h.pop_back();
    std::size_t i = 0;
    while (i <= no_proxy.size())
    {
        std::size_t end = no_proxy.find_first_of(", \t", i);
        if (end == std::string_view::npos)
            end = no_proxy.size();
        if (auto entry = detail::parse_no_proxy_entry(no_proxy.substr(i, end - i)))
            if (detail::entry_matches(*entry, h, port))
                return true;
        i = end + 1;
    }
    return false;
}

} // namespace mlcloud::net

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_IMPL_STORAGE_URI_IPP
#define MLCLOUD_IMPL_STORAGE_URI_IPP

#include <mlcloud/storage_uri.hpp>
#include <mlcloud/net/redact.hpp>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace mlcloud {
namespace detail {

inline error bad_uri(std::string_view text, std::string_view why)
{
    // Quote the input redacted (a "user:password@" or a key someone pasted into it is not
    // repeated), then at most 200 bytes of it with control characters shown as '?': error
    // messages stay one readable line. Redaction first, since a cut could leave half a secret
    // that redaction no longer recognises.
    std::string shown = net::redact_text(text);
    shown.resize(std::min<std::size_t>(shown.size(), 200));
    for (auto& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?'; // a line break or a control character would end or garble the line
    return error(errc::invalid_argument, "bad storage URI '" + shown + "': " + std::string(why));
}

inline bool is_lower_alnum(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// S3 general-purpose bucket naming rules (3-63 chars, lower case letters, digits, '.', '-',
// starting and ending with a letter or digit, no "..").
inline std::string_view s3_bucket_problem(std::string_view b) noexcept
{
    if (b.size() < 3 || b.size() > 63)
        return "the bucket name must be 3 to 63 characters long";
    if (!is_lower_alnum(b.front()) || !is_lower_alnum(b.back()))
        return "the bucket name must start and end with a lower-case letter or digit";
    for (char c : b)
        if (!is_lower_alnum(c) && c != '.' && c != '-')
            return "the bucket name may hold only lower-case letters, digits, '.' and '-'";
    if (b.find("..") != std::string_view::npos)
        return "the bucket name must not contain '..'";
    return {};
}

inline std::string_view key_problem(std::string_view k) noexcept
{
    if (k.size() > 1024)
        return "the key is longer than 1024 bytes";
    if (k.find('\0') != std::string_view::npos)
        return "the key contains a NUL byte";
    return {};
}

// RunPod datacenter ids look like "EU-RO-1", "US-KS-2", "EUR-IS-1".
inline bool valid_datacenter(std::string_view dc) noexcept
{
    if (dc.empty() || dc.size() > 32 || dc.front() == '-' || dc.back() == '-')
        return false;
    return std::all_of(dc.begin(), dc.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
    });
}

inline bool valid_volume_id(std::string_view v) noexcept
{
    return !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

inline result<storage_uri> parse_s3(std::string_view text, std::string_view rest)
{
    auto slash = rest.find('/');
    std::string_view bucket = rest.substr(0, slash);
    std::string_view key = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (bucket.empty())
        return bad_uri(text, "missing bucket name (expected s3://bucket/key)");
    if (auto p = s3_bucket_problem(bucket); !p.empty())
        return bad_uri(text, p);
    if (auto p = key_problem(key); !p.empty())
        return bad_uri(text, p);
    return storage_uri::s3(std::string(bucket), std::string(key));
}

inline result<storage_uri> parse_runpod(std::string_view text, std::string_view rest)
{
    auto first = rest.find('/');
    if (first == std::string_view::npos)
        return bad_uri(text, "expected runpod://DATACENTER/volume-id/key");
    std::string dc(rest.substr(0, first));
    std::transform(dc.begin(), dc.end(), dc.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    rest.remove_prefix(first + 1);
    auto second = rest.find('/');
    std::string_view volume = rest.substr(0, second);
    std::string_view key = second == std::string_view::npos ? std::string_view{} : rest.substr(second + 1);
    if (!valid_datacenter(dc))
        return bad_uri(text, "the datacenter id must look like EU-RO-1 (letters, digits and '-')");
    if (!valid_volume_id(volume))
        return bad_uri(text, "the network volume id must be 1 to 64 letters, digits, '-' or '_'");
    if (auto p = key_problem(key); !p.empty())
        return bad_uri(text, p);
    return storage_uri::runpod_volume(std::move(dc), std::string(volume), std::string(key));
}

inline result<storage_uri> parse_file(std::string_view text)
{
    auto u = boost::urls::parse_uri(text);
    if (!u)
        return bad_uri(text, "not a valid file:// URI (percent-encode spaces, or give a plain path)");
    if (!u->encoded_host().empty() && u->encoded_host() != "localhost")
        return bad_uri(text, "file:// URIs must name a local path (file:///path)");
    std::string path = u->path();
    if (path.empty() || path.front() != '/')
        return bad_uri(text, "file:// URIs must hold an absolute path");
    if (path.find('\0') != std::string::npos)
        return bad_uri(text, "the path contains a NUL byte");
    return storage_uri::local(std::move(path));
}

// RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ). Anything else before "://" is a path.
inline bool is_scheme(std::string_view s) noexcept
{
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s.front())))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

inline std::string lower_ascii(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

} // namespace detail

MLCLOUD_DECL result<storage_uri> storage_uri::parse(std::string_view text)
{
    if (text.empty())
        return detail::bad_uri(text, "it is empty");
    auto sep = text.find("://");
    if (sep == std::string_view::npos || !detail::is_scheme(text.substr(0, sep)))
    {
        if (text.find('\0') != std::string_view::npos)
            return detail::bad_uri(text, "the path contains a NUL byte");
        return storage_uri::local(std::string(text));
    }
    std::string scheme = detail::lower_ascii(text.substr(0, sep));
    std::string_view rest = text.substr(sep + 3);
    if (scheme == "s3")
        return detail::parse_s3(text, rest);
    if (scheme == "runpod")
        return detail::parse_runpod(text, rest);
    if (scheme == "file")
        return detail::parse_file(text);
    // The scheme is quoted again in the reason: at most 32 bytes of it, so that the message
    // stays one bounded line however long the input.
    auto const shown = scheme.size() > 32 ? scheme.substr(0, 32) + "..." : scheme;
    return detail::bad_uri(text, "unsupported scheme '" + shown + "' (use s3://, runpod://, file:// or a local path)");
}

MLCLOUD_DECL storage_uri storage_uri::child(std::string_view name) const
{
    storage_uri out = *this;
    if (!out.key.empty() && out.key.back() != '/')
        out.key += '/';
    out.key += name;
    return out;
}

MLCLOUD_DECL std::string_view storage_uri::filename() const noexcept
{
    std::string_view k = key;
    auto slash = k.rfind('/');
    return slash == std::string_view::npos ? k : k.substr(slash + 1);
}

MLCLOUD_DECL std::string storage_uri::str() const
{
    switch (scheme)
    {
    case kind::s3:
        return "s3://" + bucket + "/" + key;
    case kind::runpod_volume:
        return "runpod://" + datacenter + "/" + bucket + "/" + key;
    case kind::local:
        break;
    }
    return key;
}

} // namespace mlcloud

#endif

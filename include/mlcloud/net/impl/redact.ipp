//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_NET_IMPL_REDACT_IPP
#define MLCLOUD_NET_IMPL_REDACT_IPP

#include <mlcloud/net/redact.hpp>

#include <algorithm>
#include <array>

// The passes below scan for fixed patterns; they do not parse URLs or JSON (a message may
// hold half a URL or a truncated body). Each pass is written so that its own output does
// not match again: a redacted value starts with '<', which no pattern accepts as a secret.

namespace mlcloud::net {
namespace detail {

inline char ascii_lower(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool is_alnum(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

inline bool starts_with_icase(std::string_view text, std::size_t pos, std::string_view word) noexcept
{
    if (text.size() - pos < word.size())
        return false;
    for (std::size_t i = 0; i < word.size(); ++i)
        if (ascii_lower(text[pos + i]) != ascii_lower(word[i]))
            return false;
    return true;
}

// True when the byte before `pos` cannot be part of a longer name ("xtoken=" is not "token=").
inline bool at_name_boundary(std::string_view text, std::size_t pos) noexcept
{
    if (pos == 0)
        return true;
    char c = text[pos - 1];
    return !(is_alnum(c) || c == '-' || c == '_' || c == '.');
}

constexpr std::array<std::string_view, 12> sensitive_headers = {
    "authorization", "proxy-authorization", "x-amz-security-token", "cookie", "set-cookie", "x-api-key",
    "api-key", "x-auth-token", "x-telegram-bot-api-secret-token",
    "x-amz-server-side-encryption-customer-key", "x-amz-copy-source-server-side-encryption-customer-key",
    "x-runpod-api-key"};

// Query/form parameters whose whole value is a secret.
constexpr std::array<std::string_view, 10> sensitive_params = {
    "x-amz-signature", "x-amz-security-token", "signature", "api_key", "apikey", "api-key",
    "access_token", "token", "password", "client_secret"};

// Parameters whose value is "<access key id>/<scope>": the id goes, the scope stays.
constexpr std::array<std::string_view, 2> credential_params = {"x-amz-credential", "credential"};

constexpr std::array<std::string_view, 24> sensitive_json_keys = {
    "password", "passwd", "secret", "token", "access_token", "refresh_token", "id_token", "api_key",
    "apikey", "api-key", "authorization", "proxy-authorization", "secretaccesskey", "secret_access_key",
    "aws_secret_access_key", "sessiontoken", "session_token", "aws_session_token", "x-amz-security-token",
    "client_secret", "private_key", "bot_token", "bearer", "credentials"};

template <std::size_t N>
bool in_set_icase(std::array<std::string_view, N> const& set, std::string_view name) noexcept
{
    return std::any_of(set.begin(), set.end(), [&](std::string_view s) { return iequals(s, name); });
}

// Characters that end a parameter value inside free text.
inline bool ends_param_value(char c) noexcept
{
    switch (c)
    {
    case '&': case ' ': case '\t': case '\r': case '\n': case '"': case '\'': case '#':
    case '<': case '>': case ',': case ';': case ')': case '\\':
        return true;
    default:
        return false;
    }
}

// name=value for the parameters above, after '?', '&', ';', a space, a quote or ','.
inline std::string redact_params(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size())
    {
        std::size_t eq = in.find('=', i);
        if (eq == std::string_view::npos)
            break;
        // The name runs back from '=' over name characters.
        std::size_t start = eq;
        while (start > i && (is_alnum(in[start - 1]) || in[start - 1] == '-' || in[start - 1] == '_'))
            --start;
        std::string_view name = in.substr(start, eq - start);
        bool whole = !name.empty() && in_set_icase(sensitive_params, name);
        bool credential = !name.empty() && in_set_icase(credential_params, name);
        out.append(in.substr(i, eq + 1 - i));
        i = eq + 1;
        if (!(whole || credential) || !at_name_boundary(in, start))
            continue;
        std::size_t end = i;
        // A ':' followed by a space ends it too ("...&api_key=k: connection reset"); a ':'
        // inside a value (a Telegram token passed as token=123:ABC) does not.
        while (end < in.size() && !ends_param_value(in[end]) &&
               !(in[end] == ':' && (end + 1 == in.size() || in[end + 1] == ' ')))
            ++end;
        if (end == i)
            continue; // empty or already redacted
        std::string_view value = in.substr(i, end - i);
        out.append(redacted);
        if (credential)
        {
            // Keep "/<date>/<region>/<service>/aws4_request" (raw or percent-encoded).
            std::size_t slash = value.find('/');
            std::size_t encoded = std::string_view::npos;
            for (std::size_t k = 0; k + 2 < value.size(); ++k)
                if (value[k] == '%' && value[k + 1] == '2' && (value[k + 2] == 'F' || value[k + 2] == 'f'))
                {
                    encoded = k;
                    break;
                }
            std::size_t keep = std::min(slash, encoded);
            if (keep != std::string_view::npos)
            {
                // The scope is scanned like the rest of the text: what follows the '/' may
                // hold other parameters (a second X-Amz-Credential in a pasted URL).
                i += keep;
                continue;
            }
        }
        i = end;
    }
    out.append(in.substr(std::min(i, in.size())));
    return out;
}

// scheme://user:password@host -> scheme://user:<redacted>@host
inline std::string redact_userinfo(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (true)
    {
        std::size_t sep = in.find("://", i);
        if (sep == std::string_view::npos)
            break;
        std::size_t auth = sep + 3;
        std::size_t end = auth;
        while (end < in.size() && in[end] != '/' && in[end] != '?' && in[end] != '#' && in[end] != ' ' &&
               in[end] != '"' && in[end] != '\'' && in[end] != '\n' && in[end] != '\r' && in[end] != '\t')
            ++end;
        std::string_view authority = in.substr(auth, end - auth);
        std::size_t at = authority.rfind('@');
        out.append(in.substr(i, auth - i));
        if (at != std::string_view::npos)
        {
            std::string_view userinfo = authority.substr(0, at);
            std::size_t colon = userinfo.find(':');
            if (colon != std::string_view::npos && userinfo.substr(colon + 1) != redacted)
            {
                out.append(userinfo.substr(0, colon + 1));
                out.append(redacted);
                out.append(authority.substr(at));
            }
            else
                out.append(authority);
        }
        else
            out.append(authority);
        i = end;
    }
    out.append(in.substr(i));
    return out;
}

inline bool is_token_char(char c) noexcept { return is_alnum(c) || c == '_' || c == '-'; }

// bot<digits>:<secret> -> bot<digits>:<redacted>
inline std::string redact_telegram(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size())
    {
        std::size_t pos = i;
        bool found = false;
        while (pos + 3 < in.size())
        {
            pos = in.find("bot", pos);
            if (pos == std::string_view::npos)
                break;
            std::size_t d = pos + 3;
            std::size_t digits_end = d;
            while (digits_end < in.size() && is_digit(in[digits_end]))
                ++digits_end;
            if (digits_end > d && digits_end + 1 < in.size() && in[digits_end] == ':' &&
                is_token_char(in[digits_end + 1]) && (pos == 0 || !is_alnum(in[pos - 1])))
            {
                std::size_t secret_end = digits_end + 1;
                while (secret_end < in.size() && is_token_char(in[secret_end]))
                    ++secret_end;
                out.append(in.substr(i, digits_end + 1 - i));
                out.append(redacted);
                i = secret_end;
                found = true;
                break;
            }
            pos += 3;
        }
        if (!found)
            break;
    }
    out.append(in.substr(std::min(i, in.size())));
    return out;
}

inline bool is_b64_token_char(char c) noexcept
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

// "Bearer <token>" anywhere (RFC 6750 token68 characters).
inline std::string redact_bearer(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    std::size_t pos = 0;
    while (pos < in.size())
    {
        std::size_t hit = std::string_view::npos;
        for (std::size_t k = pos; k + 6 <= in.size(); ++k)
            if (ascii_lower(in[k]) == 'b' && starts_with_icase(in, k, "bearer") && at_name_boundary(in, k))
            {
                hit = k;
                break;
            }
        if (hit == std::string_view::npos)
            break;
        std::size_t t = hit + 6;
        std::size_t spaces = t;
        while (spaces < in.size() && in[spaces] == ' ')
            ++spaces;
        std::size_t end = spaces;
        while (end < in.size() && is_b64_token_char(in[end]))
            ++end;
        if (end - spaces == 6 && starts_with_icase(in, spaces, "bearer"))
        {
            pos = spaces; // "Bearer Bearer <token>": the second one is followed by the token
            continue;
        }
        if (spaces > t && end > spaces)
        {
            out.append(in.substr(i, spaces - i));
            out.append(redacted);
            i = end;
            pos = end;
        }
        else
            pos = t; // not a token after it ("Bearer+..."): a "Bearer <token>" may start inside the run
    }
    out.append(in.substr(std::min(i, in.size())));
    return out;
}

// "Authorization: <value>" lines in header dumps and messages.
inline std::string redact_header_lines(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    std::size_t pos = 0;
    while (pos < in.size())
    {
        std::size_t colon = in.find(':', pos);
        if (colon == std::string_view::npos)
            break;
        std::size_t name_end = colon;
        while (name_end > pos && in[name_end - 1] == ' ')
            --name_end;
        std::size_t start = name_end;
        while (start > i && (is_alnum(in[start - 1]) || in[start - 1] == '-' || in[start - 1] == '_'))
            --start;
        std::string_view name = in.substr(start, name_end - start);
        pos = colon + 1;
        if (name.empty() || !in_set_icase(sensitive_headers, name) || !at_name_boundary(in, start))
            continue;
        std::size_t v = colon + 1;
        while (v < in.size() && (in[v] == ' ' || in[v] == '\t'))
            ++v;
        std::size_t end = v;
        while (end < in.size() && in[end] != '\r' && in[end] != '\n')
            ++end;
        std::string_view value = in.substr(v, end - v);
        if (value.empty() || value.front() == '<' || value.front() == '"')
            continue; // already redacted, or a JSON member (the JSON pass handles those)
        out.append(in.substr(i, v - i));
        out.append(redact_header_value(name, value));
        i = end;
        pos = end;
    }
    out.append(in.substr(std::min(i, in.size())));
    return out;
}

// "name" : "value" for secret member names; escapes inside the value are skipped over.
inline std::string redact_json(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    std::size_t pos = 0;
    while (pos < in.size())
    {
        std::size_t q = in.find('"', pos);
        if (q == std::string_view::npos)
            break;
        std::size_t name_end = in.find('"', q + 1);
        if (name_end == std::string_view::npos)
            break;
        std::string_view name = in.substr(q + 1, name_end - q - 1);
        // Every quote may open a key: in text whose quotes do not pair up (a truncated body,
        // a quote inside a message, a value that is really a key) the pairing cannot be known.
        pos = q + 1;
        if (name.empty() || name.size() > 64 || !in_set_icase(sensitive_json_keys, name))
            continue;
        std::size_t k = name_end + 1;
        while (k < in.size() && (in[k] == ' ' || in[k] == '\t' || in[k] == '\r' || in[k] == '\n'))
            ++k;
        if (k >= in.size() || in[k] != ':')
            continue;
        ++k;
        while (k < in.size() && (in[k] == ' ' || in[k] == '\t' || in[k] == '\r' || in[k] == '\n'))
            ++k;
        if (k >= in.size() || in[k] != '"' || k + 1 < i)
            continue; // not a string value, or one inside a value already redacted
        std::size_t vstart = k + 1;
        std::size_t vend = vstart;
        while (vend < in.size() && in[vend] != '"')
            vend += (in[vend] == '\\') ? 2 : 1;
        vend = std::min(vend, in.size());
        std::string_view value = in.substr(vstart, vend - vstart);
        if (!value.empty() && value != redacted)
        {
            out.append(in.substr(i, vstart - i));
            out.append(redacted);
            i = vend;
        }
        // The value is looked at again as a key (`"passwd": "SecretAccessKey": "..."`).
        pos = vstart - 1;
    }
    out.append(in.substr(std::min(i, in.size())));
    return out;
}

// AKIA/ASIA followed by 16 upper-case letters or digits: an AWS access key id.
inline std::string redact_access_key_ids(std::string_view in)
{
    std::string out;
    out.reserve(in.size());
    std::size_t i = 0;
    for (std::size_t k = 0; k + 20 <= in.size(); ++k)
    {
        if (in[k] != 'A' || !(in.compare(k, 4, "AKIA") == 0 || in.compare(k, 4, "ASIA") == 0))
            continue;
        if (k > 0 && is_alnum(in[k - 1]))
            continue;
        bool ok = std::all_of(in.begin() + static_cast<std::ptrdiff_t>(k + 4),
                              in.begin() + static_cast<std::ptrdiff_t>(k + 20),
                              [](char c) { return (c >= 'A' && c <= 'Z') || is_digit(c); });
        if (!ok || (k + 20 < in.size() && is_alnum(in[k + 20])))
            continue;
        out.append(in.substr(i, k - i));
        out.append(redacted);
        i = k + 20;
        k = i - 1;
    }
    out.append(in.substr(std::min(i, in.size())));
    return out;
}

} // namespace detail

MLCLOUD_DECL bool is_sensitive_header(std::string_view name) noexcept
{
    return detail::in_set_icase(detail::sensitive_headers, name);
}

MLCLOUD_DECL std::string redact_header_value(std::string_view name, std::string_view value)
{
    if (!is_sensitive_header(name))
        return redact_text(value); // e.g. a Location header holding a presigned URL
    if (iequals(name, "authorization") || iequals(name, "proxy-authorization"))
    {
        // Keep the scheme ("Bearer", "Basic", "AWS4-HMAC-SHA256"): it helps debugging and
        // is no secret.
        // Only a word of letters, digits and '-' is a scheme: anything else before the first
        // space may be part of the secret. Nor is a word that holds an access key id
        // ("To-AKIA..."): kept, it would lose the key id to the later pass, and redacting the
        // result again would then mask the whole value (not idempotent; a fuzz find).
        std::size_t space = value.find(' ');
        auto const scheme = value.substr(0, space);
        bool const is_scheme = std::all_of(scheme.begin(), scheme.end(),
                                           [](char c) { return detail::is_alnum(c) || c == '-'; }) &&
                               detail::redact_access_key_ids(scheme) == scheme;
        if (space != std::string_view::npos && space > 0 && space < 32 && is_scheme)
            return std::string(scheme) + " " + std::string(redacted);
    }
    return std::string(redacted);
}

MLCLOUD_DECL fields redact_headers(fields const& headers)
{
    fields out;
    for (auto const& [name, value] : headers)
        out.add(name, redact_header_value(name, value));
    return out;
}

MLCLOUD_DECL std::string redact_url(std::string_view url)
{
    return detail::redact_telegram(detail::redact_userinfo(detail::redact_params(url)));
}

MLCLOUD_DECL std::string redact_text(std::string_view text)
{
    std::string s = detail::redact_header_lines(text);
    s = detail::redact_json(s);
    s = detail::redact_params(s);
    s = detail::redact_userinfo(s);
    s = detail::redact_telegram(s);
    s = detail::redact_bearer(s);
    return detail::redact_access_key_ids(s);
}

} // namespace mlcloud::net

#endif

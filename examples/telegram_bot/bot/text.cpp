//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/text.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace mlcloud_bot {
namespace {

struct token
{
    enum class kind
    {
        open_tag,
        close_tag,
        entity,
        character,
    };
    kind k = kind::character;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string_view tag; ///< tag name, for tags
    unsigned width = 0;   ///< visible characters (UTF-16 units)
    bool newline = false;
    bool space = false;
};

std::size_t utf8_length(unsigned char lead) noexcept
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0)
        return 2;
    if ((lead & 0xF0) == 0xE0)
        return 3;
    if ((lead & 0xF8) == 0xF0)
        return 4;
    return 1; // a stray continuation or invalid byte: one unit, as Telegram would reject it anyway
}

// A tag "<name ...>" or "</name>" starting at s[i]; its end (one past '>') or 0.
std::size_t tag_end(std::string_view s, std::size_t i) noexcept
{
    std::size_t k = i + 1;
    if (k < s.size() && s[k] == '/')
        ++k;
    if (k >= s.size() || !std::isalpha(static_cast<unsigned char>(s[k])))
        return 0;
    auto const close = s.find('>', k);
    return close == std::string_view::npos ? 0 : close + 1;
}

// An entity "&name;" or "&#123;" or "&#x1F600;" starting at s[i]; its end or 0.
std::size_t entity_end(std::string_view s, std::size_t i) noexcept
{
    std::size_t k = i + 1;
    if (k < s.size() && s[k] == '#')
        ++k;
    std::size_t const first = k;
    while (k < s.size() && k - first < 10 && std::isalnum(static_cast<unsigned char>(s[k])))
        ++k;
    if (k == first || k >= s.size() || s[k] != ';')
        return 0;
    return k + 1;
}

std::vector<token> tokenize(std::string_view s, bool html)
{
    std::vector<token> out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size())
    {
        token t;
        t.begin = i;
        if (html && s[i] == '<')
            if (auto const e = tag_end(s, i))
            {
                bool const closing = s[i + 1] == '/';
                std::size_t const name_begin = i + (closing ? 2 : 1);
                std::size_t name_end = name_begin;
                while (name_end < e - 1 && (std::isalnum(static_cast<unsigned char>(s[name_end])) || s[name_end] == '-'))
                    ++name_end;
                t.k = closing ? token::kind::close_tag : token::kind::open_tag;
                t.end = e;
                t.tag = s.substr(name_begin, name_end - name_begin);
                out.push_back(t);
                i = e;
                continue;
            }
        if (html && s[i] == '&')
            if (auto const e = entity_end(s, i))
            {
                t.k = token::kind::entity;
                t.end = e;
                t.width = 1;
                out.push_back(t);
                i = e;
                continue;
            }
        auto const n = std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i);
        t.end = i + n;
        t.width = n == 4 ? 2 : 1;
        t.newline = s[i] == '\n';
        t.space = s[i] == ' ';
        out.push_back(t);
        i += n;
    }
    return out;
}

struct open_tag
{
    std::string_view name;
    std::string_view text; ///< the whole opening tag, to open it again in the next part
};

void apply(std::vector<open_tag>& stack, token const& t, std::string_view s)
{
    if (t.k == token::kind::open_tag)
        stack.push_back({t.tag, s.substr(t.begin, t.end - t.begin)});
    else if (t.k == token::kind::close_tag)
    {
        auto it = std::find_if(stack.rbegin(), stack.rend(), [&](open_tag const& o) { return o.name == t.tag; });
        if (it != stack.rend())
            stack.erase(std::next(it).base());
    }
}

std::size_t width_of(std::string_view s, bool html)
{
    std::size_t n = 0;
    for (auto const& t : tokenize(s, html))
        n += t.width;
    return n;
}

std::vector<std::string> split(std::string_view s, std::size_t limit, bool html)
{
    if (limit < 2)
        throw std::invalid_argument("split: the limit must be at least 2 characters");
    auto const tokens = tokenize(s, html);
    std::vector<std::string> parts;
    std::vector<open_tag> stack;
    std::size_t i = 0;
    while (i < tokens.size())
    {
        // How far this part could reach, and where the good places to cut are.
        std::size_t visible = 0;
        std::size_t j = i;
        std::size_t newline_late = tokens.size(), newline_any = tokens.size(), space = tokens.size();
        for (; j < tokens.size(); ++j)
        {
            auto const& t = tokens[j];
            if (t.width > 0 && visible + t.width > limit)
                break;
            if (t.newline && j > i)
            {
                newline_any = j;
                if (visible >= limit / 2)
                    newline_late = j;
            }
            if (t.space && j > i)
                space = j;
            visible += t.width;
        }
        std::size_t cut = j;
        std::size_t skip = 0;
        if (j < tokens.size())
        {
            for (auto candidate : {newline_late, space, newline_any})
                if (candidate < tokens.size())
                {
                    cut = candidate;
                    skip = 1;
                    break;
                }
        }

        std::string part;
        for (auto const& o : stack)
            part += o.text;
        for (std::size_t k = i; k < cut; ++k)
        {
            part.append(s.substr(tokens[k].begin, tokens[k].end - tokens[k].begin));
            if (html)
                apply(stack, tokens[k], s);
        }
        for (auto it = stack.rbegin(); it != stack.rend(); ++it)
            part.append("</").append(it->name).append(">");
        if (width_of(part, html) > 0)
            parts.push_back(std::move(part));
        i = cut + skip;
    }
    return parts;
}

} // namespace

std::size_t visible_length(std::string_view html)
{
    return width_of(html, true);
}

std::vector<std::string> split_html(std::string_view html, std::size_t limit)
{
    return split(html, limit, true);
}

std::vector<std::string> split_plain(std::string_view text, std::size_t limit)
{
    return split(text, limit, false);
}

std::optional<std::string> encode(callback_data const& d)
{
    auto const bad = [](std::string_view part) { return part.empty() || part.find(':') != std::string_view::npos; };
    if (bad(d.nonce) || bad(d.verb))
        return std::nullopt;
    std::string out = d.nonce + ":" + d.verb;
    if (!d.arg.empty())
        out += ":" + d.arg;
    if (out.size() > max_callback_bytes)
        return std::nullopt;
    return out;
}

std::optional<callback_data> decode_callback(std::string_view data)
{
    if (data.empty() || data.size() > max_callback_bytes)
        return std::nullopt;
    auto const first = data.find(':');
    if (first == std::string_view::npos || first == 0)
        return std::nullopt;
    callback_data d;
    d.nonce = std::string(data.substr(0, first));
    auto rest = data.substr(first + 1);
    auto const second = rest.find(':');
    d.verb = std::string(rest.substr(0, second));
    if (d.verb.empty())
        return std::nullopt;
    if (second != std::string_view::npos)
        d.arg = std::string(rest.substr(second + 1));
    return d;
}

std::string random_hex(std::size_t bytes)
{
    std::vector<unsigned char> b(bytes);
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1)
        throw std::runtime_error("OpenSSL's random generator failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (auto c : b)
    {
        out += digits[c >> 4];
        out += digits[c & 0xF];
    }
    return out;
}

std::string make_nonce()
{
    return random_hex(4);
}

} // namespace mlcloud_bot

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_SIGV4_IPP
#define MLCLOUD_AUTH_IMPL_SIGV4_IPP

#include <mlcloud/auth/sigv4.hpp>
#include <mlcloud/auth/detail/wipe.hpp>

#include <boost/url/authority_view.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/grammar/lut_chars.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>

namespace mlcloud::auth::sigv4 {
namespace sigv4_impl {

inline constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

inline constexpr boost::urls::grammar::lut_chars query_safe_chars = boost::urls::unreserved_chars;
inline constexpr boost::urls::grammar::lut_chars path_safe_chars = boost::urls::unreserved_chars + '/';

// ---------------------------------------------------------------------------------------------
// Small string helpers

inline error make_error(errc code, std::string message)
{
    error e(code, "sigv4: " + std::move(message));
    e.with_provider("aws").with_operation("sign request");
    return e;
}

inline char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
inline char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

inline std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = to_lower(c);
    return out;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

inline void append_encoded(std::string& out, std::string_view s, boost::urls::grammar::lut_chars const& safe)
{
    boost::urls::encode(boost::urls::string_view(s.data(), s.size()), safe, {},
                        boost::urls::string_token::append_to(out));
}

// RFC 7230 token: the characters allowed in a header name and an HTTP method.
inline bool is_token(std::string_view s) noexcept
{
    static constexpr boost::urls::grammar::lut_chars tchars =
        boost::urls::grammar::lut_chars("!#$%&'*+-.^_`|~0123456789") +
        boost::urls::grammar::lut_chars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    if (s.empty())
        return false;
    for (char c : s)
        if (!tchars(c))
            return false;
    return true;
}

// Lower-case form of each token character, 0 for a character that cannot be in a header name.
struct lowercase_token_table
{
    std::array<char, 256> map{};
    constexpr lowercase_token_table() noexcept
    {
        for (char c = 'a'; c <= 'z'; ++c)
            map[static_cast<unsigned char>(c)] = c;
        for (char c = 'A'; c <= 'Z'; ++c)
            map[static_cast<unsigned char>(c)] = static_cast<char>(c - 'A' + 'a');
        for (char c = '0'; c <= '9'; ++c)
            map[static_cast<unsigned char>(c)] = c;
        for (char c : std::string_view("!#$%&'*+-.^_`|~"))
            map[static_cast<unsigned char>(c)] = c;
    }
};
inline constexpr lowercase_token_table lowercase_token{};

// Writes the lower-cased header name at `out`; nullptr when it is not an HTTP token.
inline char* write_lower_token(char* out, std::string_view name) noexcept
{
    if (name.empty())
        return nullptr;
    for (char c : name)
    {
        char const l = lowercase_token.map[static_cast<unsigned char>(c)];
        if (l == 0)
            return nullptr;
        *out++ = l;
    }
    return out;
}

// Control characters other than horizontal tab cannot be in a header value (CR and LF would
// inject headers on the wire).
inline bool is_control(unsigned char c) noexcept { return (c < 0x20 && c != '\t') || c == 0x7f; }

inline bool is_valid_header_value(std::string_view v) noexcept
{
    for (unsigned char c : v)
        if (is_control(c))
            return false;
    return true;
}

// Trimall: leading and trailing blanks removed, inner runs of blanks become one space.
// Writes at `out` (room for v.size() bytes) and returns the end; nullptr when the value holds
// a control character.
inline char* write_trimmed(char* out, std::string_view v) noexcept
{
    bool pending_space = false;
    bool any = false;
    for (char c : v)
    {
        if (c == ' ' || c == '\t')
        {
            pending_space = any;
            continue;
        }
        if (is_control(static_cast<unsigned char>(c)))
            return nullptr;
        if (pending_space)
            *out++ = ' ';
        pending_space = false;
        any = true;
        *out++ = c;
    }
    return out;
}

// Appends the trimmed value of `v`, which the caller has checked for control characters.
inline void append_trimmed(std::string& out, std::string_view v)
{
    std::size_t const at = out.size();
    out.resize(at + v.size());
    char* const end = write_trimmed(out.data() + at, v);
    out.resize(end ? static_cast<std::size_t>(end - out.data()) : at);
}

inline bool is_unsigned_header(std::string_view lname) noexcept
{
    // botocore's SIGNED_HEADERS_BLACKLIST: headers that proxies and clients add or change.
    switch (lname.size())
    {
    case 2: return lname == "te";
    case 6: return lname == "expect";
    case 7: return lname == "trailer" || lname == "upgrade";
    case 10: return lname == "connection" || lname == "keep-alive" || lname == "user-agent";
    case 15: return lname == "x-amzn-trace-id";
    case 17: return lname == "transfer-encoding";
    case 18: return lname == "proxy-authenticate";
    case 19: return lname == "proxy-authorization";
    default: return false;
    }
}

inline bool is_presign_auth_param(std::string_view name) noexcept
{
    static constexpr std::string_view names[] = {
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
    };
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

inline bool is_scope_part(std::string_view s) noexcept
{
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f || c == '/')
            return false;
    return true;
}

// ---------------------------------------------------------------------------------------------
// Path

// Remove "." and ".." segments and empty segments, keeping a trailing '/' (botocore's
// remove_dot_segments, which is what AWS services canonicalise with).
inline void normalize_path_into(std::string& out, std::string_view path)
{
    out.clear();
    if (path.empty())
    {
        out = "/";
        return;
    }
    bool const leading = path.front() == '/';
    bool const trailing = path.back() == '/';
    // Segments are appended as "/seg"; ".." erases the last one.
    std::size_t pos = 0;
    while (pos <= path.size())
    {
        auto const slash = path.find('/', pos);
        auto const end = slash == std::string_view::npos ? path.size() : slash;
        std::string_view const seg = path.substr(pos, end - pos);
        if (seg == "..")
        {
            auto const cut = out.rfind('/');
            out.erase(cut == std::string::npos ? 0 : cut);
        }
        else if (!seg.empty() && seg != ".")
        {
            out += '/';
            out.append(seg);
        }
        if (slash == std::string_view::npos)
            break;
        pos = slash + 1;
    }
    if (out.empty())
    {
        if (leading)
            out = "/";
        return;
    }
    if (!leading)
        out.erase(0, 1);
    if (trailing)
        out += '/';
}

inline result<void> check_path(request const& req)
{
    if (req.path.empty())
        return {};
    if (req.path.front() != '/')
        return make_error(errc::invalid_argument, "path must start with '/'");
    if (req.path_is_encoded)
        for (unsigned char c : req.path)
            if (c < 0x20 || c == 0x7f || c == '?' || c == '#')
                return make_error(errc::invalid_argument,
                                  "encoded path contains a control character, '?' or '#'");
    return {};
}

// The path as sent; `buffer` holds it when it has to be encoded.
inline std::string_view wire_path_of(request const& req, std::string& buffer)
{
    if (req.path.empty())
        return "/";
    if (req.path_is_encoded)
        return req.path;
    // Most keys need no encoding at all: then the path is its own wire form.
    if (std::all_of(req.path.begin(), req.path.end(), [](char c) { return path_safe_chars(c); }))
        return req.path;
    buffer.clear();
    append_encoded(buffer, req.path, path_safe_chars);
    return buffer;
}

// Appends to a buffer sized beforehand: building the canonical request piece by piece with
// std::string::operator+= costs as much as hashing it.
struct writer
{
    char* at;
    void put(char c) noexcept { *at++ = c; }
    void put(std::string_view s) noexcept
    {
        if (!s.empty())
            std::memcpy(at, s.data(), s.size());
        at += s.size();
    }
};

// ---------------------------------------------------------------------------------------------
// Per-thread workspace. Signing is synchronous and never re-entered on a thread, so one set
// of buffers per thread keeps the hot path free of allocations once they have grown. The
// workspace never holds the secret key; the session token is referenced, not copied.

// The first 8 bytes of a name as a big-endian number (zero-padded): comparing these orders
// names as memcmp would, and settles most comparisons without a call.
inline std::uint64_t name_prefix(std::string_view name) noexcept
{
    std::uint64_t k = 0;
    std::size_t const n = name.size() < 8 ? name.size() : 8;
    for (std::size_t i = 0; i < 8; ++i)
        k = (k << 8) | (i < n ? static_cast<unsigned char>(name[i]) : 0u);
    return k;
}

struct field
{
    std::string_view name;  // lower-case
    std::string_view value; // trimmed
    std::uint32_t order = 0;
    std::uint64_t prefix = 0;

    field() = default;
    field(std::string_view n, std::string_view v, std::uint32_t o) noexcept
        : name(n), value(v), order(o), prefix(name_prefix(n))
    {
    }

    // By name, then by position (repeated names keep their order).
    friend bool operator<(field const& a, field const& b) noexcept
    {
        if (a.prefix != b.prefix)
            return a.prefix < b.prefix;
        int const c = a.name.compare(b.name);
        return c != 0 ? c < 0 : a.order < b.order;
    }
};

struct param
{
    std::string_view name;  // encoded
    std::string_view value; // encoded
};

struct param_offsets
{
    std::size_t name_at = 0;
    std::size_t value_at = 0;
    std::size_t end = 0;
};

struct workspace
{
    std::string text;        // lower-cased header names and trimmed values
    std::vector<field> fields;
    std::string query_text;  // encoded query names and values
    std::vector<param_offsets> offsets;
    std::vector<param> params;
    std::string path;        // encoded wire path
    std::string normalized;  // normalised path
    std::string canonical_uri;
    std::string signed_names;
    std::string query;       // canonical query (presigning)
};

inline workspace& thread_workspace()
{
    thread_local workspace w;
    return w;
}

// ---------------------------------------------------------------------------------------------
// Canonical request pieces

struct prepared
{
    std::string method;
    std::string_view host;          // the signed Host value (thread-local storage)
    bool host_from_request = false; // the request had its own Host header
    std::array<char, 16> amz_date{};
    std::string_view date() const noexcept { return {amz_date.data(), amz_date.size()}; }
    std::string_view date8() const noexcept { return {amz_date.data(), 8}; }
};

inline void write_amz_date(std::array<char, 16>& out, std::chrono::system_clock::time_point t) noexcept
{
    using namespace std::chrono;
    auto const secs = floor<seconds>(t);
    // Requests signed within the same second share the date: skip the calendar arithmetic.
    thread_local sys_seconds last_second{};
    thread_local std::array<char, 16> last_text{};
    if (last_text[0] != 0 && secs == last_second)
    {
        out = last_text;
        return;
    }
    auto const day = floor<days>(secs);
    year_month_day const ymd{day};
    hh_mm_ss const hms{secs - day};
    auto put = [&](std::size_t at, unsigned value, int width) {
        for (int i = width - 1; i >= 0; --i)
        {
            out[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
            value /= 10;
        }
    };
    put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
    put(4, static_cast<unsigned>(ymd.month()), 2);
    put(6, static_cast<unsigned>(ymd.day()), 2);
    out[8] = 'T';
    put(9, static_cast<unsigned>(hms.hours().count()), 2);
    put(11, static_cast<unsigned>(hms.minutes().count()), 2);
    put(13, static_cast<unsigned>(hms.seconds().count()), 2);
    out[15] = 'Z';
    last_second = secs;
    last_text = out;
}

inline result<void> check_credentials(aws_credentials const& c)
{
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        return make_error(errc::unauthorized, "no credentials to sign with (empty access key id or secret key)");
    if (!is_scope_part(c.access_key_id))
        return make_error(errc::invalid_argument, "access key id contains whitespace, control characters or '/'");
    for (unsigned char ch : c.session_token.reveal())
        if (ch < 0x20 || ch == 0x7f)
            return make_error(errc::invalid_argument, "session token contains control characters");
    return {};
}

inline error control_character_error(std::string const& name)
{
    return make_error(errc::invalid_argument,
                      "value of header '" + name + "' contains CR, LF or another control character");
}

inline result<prepared> prepare(
    request const& req,
    std::string_view region,
    std::string_view service,
    aws_credentials const& creds,
    std::chrono::system_clock::time_point now)
{
    if (!is_scope_part(region))
        return make_error(errc::invalid_argument, "region is empty or contains whitespace or '/'");
    if (!is_scope_part(service))
        return make_error(errc::invalid_argument, "service is empty or contains whitespace or '/'");
    if (auto r = check_credentials(creds); !r)
        return r.error();
    if (!is_token(req.method))
        return make_error(errc::invalid_argument, "method is not an HTTP token");
    if (!iequals(req.scheme, "http") && !iequals(req.scheme, "https"))
        return make_error(errc::invalid_argument, "scheme must be http or https");
    if (auto r = check_path(req); !r)
        return r.error();

    prepared p;
    p.method.reserve(req.method.size());
    for (char c : req.method)
        p.method += to_upper(c);

    for (auto const& h : req.headers)
    {
        if (iequals(h.name, "host"))
        {
            // Two Host headers make a request servers reject (RFC 9112 §3.2).
            if (p.host_from_request)
                return make_error(errc::invalid_argument, "more than one Host header");
            if (!is_valid_header_value(h.value))
                return control_character_error(h.name);
            thread_local std::string given;
            given.clear();
            append_trimmed(given, h.value);
            p.host = given;
            p.host_from_request = true;
        }
    }
    if (!p.host_from_request)
    {
        // A thread signs for the same few endpoints again and again: remember the last one
        // rather than parse the authority each time.
        thread_local std::string last_scheme, last_authority, last_host;
        if (last_host.empty() || req.host != last_authority || req.scheme != last_scheme)
        {
            auto host = host_header(req.scheme, req.host);
            if (!host)
                return host.error();
            last_host = std::move(*host);
            last_scheme = req.scheme;
            last_authority = req.host;
        }
        p.host = last_host;
    }
    write_amz_date(p.amz_date, now);
    return p;
}

// Headers that are never signed as given: Host (signed from `prepared`), Authorization and
// X-Amz-Date (replaced), botocore's unsigned list, and the token and content hash when the
// signer sets them itself.
inline bool is_owned_or_unsigned(std::string_view lname, bool owns_token, bool owns_content_sha256) noexcept
{
    switch (lname.size())
    {
    case 4: return lname == "host";
    case 10: return lname == "x-amz-date" || is_unsigned_header(lname);
    case 13: return lname == "authorization";
    case 20:
        return (owns_token && lname == "x-amz-security-token") ||
               (owns_content_sha256 && lname == "x-amz-content-sha256");
    default: return is_unsigned_header(lname);
    }
}

// The request's headers (minus those the signer owns) and the signer's own, sorted, in
// `ws.fields`; repeated names stay in order. Also fills `ws.signed_names`.
inline result<void> collect_fields(
    request const& req,
    prepared const& p,
    bool owns_token,
    bool owns_content_sha256,
    std::span<std::pair<std::string_view, std::string_view> const> added,
    workspace& ws)
{
    std::size_t text_size = 0;
    for (auto const& h : req.headers)
        text_size += h.name.size() + h.value.size();
    // Written through a pointer into a buffer sized once: the views taken below stay valid.
    ws.text.resize(text_size);
    char* at = ws.text.data();
    ws.fields.clear();

    std::uint32_t order = 0;
    for (auto const& h : req.headers)
    {
        char* const name_at = at;
        at = write_lower_token(at, h.name);
        if (!at)
            return make_error(errc::invalid_argument, "header name '" + h.name + "' is not an HTTP token");
        std::string_view const lname(name_at, h.name.size());
        if (is_owned_or_unsigned(lname, owns_token, owns_content_sha256))
        {
            if (!is_valid_header_value(h.value))
                return control_character_error(h.name);
            at = name_at;
            continue;
        }
        char* const value_at = at;
        at = write_trimmed(at, h.value);
        if (!at)
            return control_character_error(h.name);
        ws.fields.emplace_back(lname, std::string_view(value_at, static_cast<std::size_t>(at - value_at)), order++);
    }
    ws.fields.emplace_back("host", p.host, order++);
    for (auto const& [name, value] : added)
        ws.fields.emplace_back(name, value, order++);

    // Insertion sort: a request has a handful of headers.
    for (std::size_t i = 1; i < ws.fields.size(); ++i)
        for (std::size_t j = i; j > 0 && ws.fields[j] < ws.fields[j - 1]; --j)
            std::swap(ws.fields[j], ws.fields[j - 1]);

    std::size_t size = 0;
    std::string_view previous;
    for (auto const& f : ws.fields)
    {
        if (f.name != previous)
            size += f.name.size() + 1;
        previous = f.name;
    }
    ws.signed_names.resize(size - 1); // there is always "host"
    writer w{ws.signed_names.data()};
    previous = {};
    for (auto const& f : ws.fields)
    {
        if (f.name == previous)
            continue;
        if (!previous.empty())
            w.put(';');
        w.put(f.name);
        previous = f.name;
    }
    return {};
}

inline void clear_params(workspace& ws)
{
    ws.query_text.clear();
    ws.offsets.clear();
    ws.params.clear();
}

// Offsets, not views: `query_text` may still grow and move.
inline void add_param(workspace& ws, std::string_view name, std::string_view value)
{
    param_offsets o;
    o.name_at = ws.query_text.size();
    append_encoded(ws.query_text, name, query_safe_chars);
    o.value_at = ws.query_text.size();
    append_encoded(ws.query_text, value, query_safe_chars);
    o.end = ws.query_text.size();
    ws.offsets.push_back(o);
}

// Turns the recorded offsets into views and sorts by encoded name, then value.
inline void sort_params(workspace& ws)
{
    char const* base = ws.query_text.data();
    ws.params.clear();
    for (auto const& o : ws.offsets)
        ws.params.push_back({std::string_view(base + o.name_at, o.value_at - o.name_at),
                             std::string_view(base + o.value_at, o.end - o.value_at)});
    std::sort(ws.params.begin(), ws.params.end(), [](param const& a, param const& b) {
        int const c = a.name.compare(b.name);
        return c != 0 ? c < 0 : a.value < b.value;
    });
}

inline std::size_t query_size(workspace const& ws) noexcept
{
    std::size_t n = ws.params.empty() ? 0 : ws.params.size() * 2 - 1;
    for (auto const& p : ws.params)
        n += p.name.size() + p.value.size();
    return n;
}

inline void write_query(writer& w, workspace const& ws) noexcept
{
    bool first = true;
    for (auto const& p : ws.params)
    {
        if (!first)
            w.put('&');
        first = false;
        w.put(p.name);
        w.put('=');
        w.put(p.value);
    }
}

// The canonical URI; a view of `wire` or of a workspace buffer.
inline std::string_view canonical_uri(std::string_view wire, signing_rules const& rules, workspace& ws)
{
    std::string_view path = wire;
    if (rules.normalize_path)
    {
        normalize_path_into(ws.normalized, wire);
        path = ws.normalized;
    }
    if (!rules.encode_path_again)
        return path;
    ws.canonical_uri.clear();
    append_encoded(ws.canonical_uri, path, path_safe_chars);
    return ws.canonical_uri;
}

// "name:v1,v2\n" per distinct name.
inline std::size_t canonical_headers_size(workspace const& ws) noexcept
{
    std::size_t n = 0;
    std::string_view previous;
    for (auto const& f : ws.fields)
    {
        n += f.value.size() + 1; // value plus ',' or '\n'
        if (f.name != previous)
            n += f.name.size() + 1;
        previous = f.name;
    }
    return n;
}

inline void write_canonical_headers(writer& w, workspace const& ws) noexcept
{
    std::string_view previous;
    for (auto const& f : ws.fields)
    {
        if (f.name == previous)
        {
            w.put(',');
            w.put(f.value);
            continue;
        }
        if (!previous.empty())
            w.put('\n');
        w.put(f.name);
        w.put(':');
        w.put(f.value);
        previous = f.name;
    }
    w.put('\n');
}

inline std::size_t canonical_request_size(std::string_view method, std::string_view uri, workspace const& ws,
                                          std::string_view payload) noexcept
{
    return method.size() + uri.size() + query_size(ws) + canonical_headers_size(ws) + ws.signed_names.size() +
           payload.size() + 5;
}

// method \n uri \n query \n headers \n signed names \n payload hash, appended to `out`.
inline void build_canonical_request(
    std::string& out, std::string_view method, std::string_view uri, workspace const& ws, std::string_view payload)
{
    std::size_t const at = out.size();
    out.resize(at + canonical_request_size(method, uri, ws, payload));
    writer w{out.data() + at};
    w.put(method);
    w.put('\n');
    w.put(uri);
    w.put('\n');
    write_query(w, ws);
    w.put('\n');
    write_canonical_headers(w, ws);
    w.put('\n');
    w.put(ws.signed_names);
    w.put('\n');
    w.put(payload);
}

inline std::size_t scope_size(std::string_view region, std::string_view service) noexcept
{
    return 8 + 1 + region.size() + 1 + service.size() + 13;
}

inline void write_scope(writer& w, prepared const& p, std::string_view region, std::string_view service) noexcept
{
    w.put(p.date8());
    w.put('/');
    w.put(region);
    w.put('/');
    w.put(service);
    w.put("/aws4_request");
}

inline void append_scope(std::string& out, prepared const& p, std::string_view region, std::string_view service)
{
    std::size_t const at = out.size();
    out.resize(at + scope_size(region, service));
    writer w{out.data() + at};
    write_scope(w, p, region, service);
}

inline std::size_t string_to_sign_size(std::string_view region, std::string_view service) noexcept
{
    return algorithm.size() + 1 + 16 + 1 + scope_size(region, service) + 1 + 64;
}

// Appended to `sts`; `creq_digest` is the SHA-256 of the canonical request.
inline void build_string_to_sign(std::string& sts, prepared const& p, std::string_view region,
                                 std::string_view service, auth::detail::sha256_digest const& creq_digest)
{
    std::size_t const at = sts.size();
    sts.resize(at + string_to_sign_size(region, service) - 64);
    writer w{sts.data() + at};
    w.put(algorithm);
    w.put('\n');
    w.put(p.date());
    w.put('\n');
    write_scope(w, p, region, service);
    w.put('\n');
    auth::detail::append_hex(sts, creq_digest.data(), creq_digest.size());
}

inline constexpr std::string_view credential = " Credential=";
inline constexpr std::string_view signed_headers_label = ", SignedHeaders=";
inline constexpr std::string_view signature_label = ", Signature=";

inline std::size_t authorization_size(std::string_view access_key_id, std::string_view region,
                                      std::string_view service, std::string_view signed_names) noexcept
{
    return algorithm.size() + credential.size() + access_key_id.size() + 1 + scope_size(region, service) +
           signed_headers_label.size() + signed_names.size() + signature_label.size() + 64;
}

// "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=..., Signature=...", appended to `out`.
inline void build_authorization(
    std::string& out, std::string_view access_key_id, prepared const& p, std::string_view region,
    std::string_view service, std::string_view signed_names, auth::detail::sha256_digest const& signature)
{
    std::size_t const at = out.size();
    out.resize(at + authorization_size(access_key_id, region, service, signed_names) - 2 * signature.size());
    writer w{out.data() + at};
    w.put(algorithm);
    w.put(credential);
    w.put(access_key_id);
    w.put('/');
    write_scope(w, p, region, service);
    w.put(signed_headers_label);
    w.put(signed_names);
    w.put(signature_label);
    auth::detail::append_hex(out, signature.data(), signature.size());
}

inline result<void> check_payload_hash(std::string_view h)
{
    for (unsigned char c : h)
        if (c <= 0x20 || c >= 0x7f)
            return make_error(errc::invalid_argument, "payload hash contains whitespace or control characters");
    return {};
}

// The payload hash: explicit, else a caller's x-amz-content-sha256 header, else the body's.
// The result views `req` or `computed`.
inline result<std::string_view> payload_hash_of(request const& req, std::array<char, 64>& computed)
{
    if (!req.payload_hash.empty())
    {
        if (auto r = check_payload_hash(req.payload_hash); !r)
            return r.error();
        return std::string_view(req.payload_hash);
    }
    for (auto const& h : req.headers)
    {
        if (iequals(h.name, "x-amz-content-sha256"))
        {
            std::string_view v = h.value;
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
                v.remove_prefix(1);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
                v.remove_suffix(1);
            if (auto r = check_payload_hash(v); !r)
                return r.error();
            if (!v.empty())
                return v;
        }
    }
    if (req.body.empty())
        return empty_payload_hash;
    auto const digest = auth::detail::sha256(req.body);
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < digest.size(); ++i)
    {
        computed[2 * i] = digits[digest[i] >> 4];
        computed[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    return std::string_view(computed.data(), computed.size());
}

} // namespace sigv4_impl

// ---------------------------------------------------------------------------------------------

// The derived signing keys of recent (secret, date) pairs: a date rolls over once a day and a
// process rarely juggles more than a couple of credentials per (region, service).
struct signer::key_cache
{
    struct entry
    {
        secret_string secret;
        std::array<char, 8> date{};
        auth::detail::sha256_digest key{};
        std::uint64_t last_used = 0; // 0 = empty slot
    };

    std::mutex mutex;
    std::array<entry, 4> entries;
    std::uint64_t clock = 0;

    ~key_cache()
    {
        for (auto& e : entries)
            OPENSSL_cleanse(e.key.data(), e.key.size());
    }

    auth::detail::sha256_digest get(secret_string const& secret, std::string_view date8,
                                    std::string_view region, std::string_view service)
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            for (auto& e : entries)
            {
                if (e.last_used != 0 && std::string_view(e.date.data(), e.date.size()) == date8 &&
                    e.secret == secret)
                {
                    e.last_used = ++clock;
                    return e.key;
                }
            }
        }
        // Derive outside the lock: concurrent misses cost a few microseconds each, never a wait.
        auto key = derive_signing_key(secret, date8, region, service);
        std::lock_guard<std::mutex> lock(mutex);
        auto victim = std::min_element(entries.begin(), entries.end(),
                                       [](entry const& a, entry const& b) { return a.last_used < b.last_used; });
        victim->secret = secret;
        std::copy_n(date8.begin(), std::min<std::size_t>(8, date8.size()), victim->date.begin());
        victim->key = key;
        victim->last_used = ++clock;
        return key;
    }
};

MLCLOUD_DECL signing_rules signing_rules::for_service(std::string_view signing_name) noexcept
{
    if (signing_name == "s3" || signing_name == "s3-object-lambda" || signing_name == "s3-outposts")
        return s3();
    return standard();
}

MLCLOUD_DECL signer::signer(signer_options options)
    : region_(std::move(options.region))
    , service_(std::move(options.service))
    , rules_(options.rules ? *options.rules : signing_rules::for_service(service_))
    , cache_(std::make_shared<key_cache>())
{
}

MLCLOUD_DECL result<header_signature> signer::sign(
    request const& req,
    aws_credentials const& credentials,
    std::chrono::system_clock::time_point now) const
{
    // Signed in place: no move of the result (and of its views) on the way out.
    result<header_signature> out(boost::system::in_place_value);
    if (auto r = sign_into(req, credentials, *out, now); !r)
        out = r.error();
    return out;
}

MLCLOUD_DECL result<void> signer::sign_into(
    request const& req,
    aws_credentials const& credentials,
    header_signature& out,
    std::chrono::system_clock::time_point now) const
{
    using namespace sigv4_impl;
    workspace& ws = thread_workspace();
    auto p = prepare(req, region_, service_, credentials, now);
    if (!p)
        return p.error();
    std::array<char, 64> computed_hash;
    auto payload = payload_hash_of(req, computed_hash);
    if (!payload)
        return payload.error();

    bool const has_token = credentials.has_session_token();
    bool const sign_token = has_token && !rules_.omit_session_token;
    std::string_view const token = credentials.session_token.reveal();
    std::string_view const date = p->date();
    std::array<std::pair<std::string_view, std::string_view>, 3> added;
    std::size_t n_added = 0;
    added[n_added++] = {"x-amz-date", date};
    if (sign_token)
        added[n_added++] = {"x-amz-security-token", token};
    if (rules_.content_sha256_header)
        added[n_added++] = {"x-amz-content-sha256", *payload};
    if (auto collected = collect_fields(req, *p, has_token, rules_.content_sha256_header,
                                        std::span(added.data(), n_added), ws);
        !collected)
        return collected.error();

    clear_params(ws);
    for (auto const& q : req.query)
        add_param(ws, q.name, q.value);
    sort_params(ws);

    std::string_view const uri = canonical_uri(wire_path_of(req, ws.path), rules_, ws);

    // Everything goes into out.text_, sized once: canonical request, string to sign, then the
    // values of the headers to set. Offsets first, views at the end.
    std::string_view const host = p->host_from_request ? std::string_view() : p->host;
    std::string_view const sent_token = has_token ? token : std::string_view();
    std::string_view const sent_payload = rules_.content_sha256_header ? *payload : std::string_view();
    std::size_t const creq_size = canonical_request_size(p->method, uri, ws, *payload);
    std::size_t const sts_size = string_to_sign_size(region_, service_);
    // (Nothing points into the buffer while it is rewritten, should reserve throw.)
    out.headers.size_ = 0;
    out.canonical_request = out.string_to_sign = {};
    out.text_data_ = nullptr;
    out.text_size_ = 0;
    std::string& text = out.text_;
    text.clear();
    text.reserve(creq_size + sts_size + host.size() + date.size() + sent_token.size() + sent_payload.size() +
                 authorization_size(credentials.access_key_id, region_, service_, ws.signed_names));
    build_canonical_request(text, p->method, uri, ws, *payload);
    build_string_to_sign(text, *p, region_, service_, auth::detail::sha256(std::string_view(text).substr(0, creq_size)));
    auto const key = cache_->get(credentials.secret_access_key, p->date8(), region_, service_);
    auto const sig = auth::detail::hmac_sha256(key, std::string_view(text).substr(creq_size, sts_size));
    std::size_t const values_at = text.size();
    text.append(host).append(date).append(sent_token).append(sent_payload);
    build_authorization(text, credentials.access_key_id, *p, region_, service_, ws.signed_names, sig);

    char const* const base = text.data();
    std::size_t at = values_at;
    auto next = [&](std::size_t n) {
        std::string_view const v(base + at, n);
        at += n;
        return v;
    };
    auto& items = out.headers.items_;
    std::size_t n = 0;
    if (!p->host_from_request)
        items[n++] = {"Host", next(host.size())};
    items[n++] = {"X-Amz-Date", next(date.size())};
    if (has_token)
        items[n++] = {"X-Amz-Security-Token", next(sent_token.size())};
    if (rules_.content_sha256_header)
        items[n++] = {"X-Amz-Content-SHA256", next(sent_payload.size())};
    items[n++] = {"Authorization", std::string_view(base + at, text.size() - at)};
    out.headers.size_ = n;
    out.canonical_request = std::string_view(base, creq_size);
    out.string_to_sign = std::string_view(base + creq_size, sts_size);
    out.text_data_ = base;
    out.text_size_ = text.size();
    return {};
}

MLCLOUD_DECL result<presigned_url> signer::presign(
    request const& req,
    aws_credentials const& credentials,
    std::chrono::seconds expires,
    std::chrono::system_clock::time_point now) const
{
    using namespace sigv4_impl;
    if (expires.count() < 1 || expires > max_presign_expiry)
        return make_error(errc::invalid_argument,
                          "X-Amz-Expires must be between 1 and 604800 seconds (7 days), got " +
                              std::to_string(expires.count()));
    workspace& ws = thread_workspace();
    auto p = prepare(req, region_, service_, credentials, now);
    if (!p)
        return p.error();

    std::string payload;
    if (rules_.unsigned_presign_payload)
    {
        payload = unsigned_payload;
    }
    else
    {
        std::array<char, 64> computed_hash;
        auto h = payload_hash_of(req, computed_hash);
        if (!h)
            return h.error();
        payload = *h;
    }

    bool const has_token = credentials.has_session_token();
    bool const sign_token = has_token && !rules_.omit_session_token;
    bool const content_header = rules_.content_sha256_header && !rules_.unsigned_presign_payload;
    std::pair<std::string_view, std::string_view> const content_field{"x-amz-content-sha256", payload};
    if (auto collected = collect_fields(req, *p, has_token, rules_.content_sha256_header,
                                        std::span(&content_field, content_header ? 1 : 0), ws);
        !collected)
        return collected.error();

    std::string credential = credentials.access_key_id;
    credential += '/';
    append_scope(credential, *p, region_, service_);

    clear_params(ws);
    for (auto const& q : req.query)
        if (!is_presign_auth_param(q.name))
            add_param(ws, q.name, q.value);
    add_param(ws, "X-Amz-Algorithm", algorithm);
    add_param(ws, "X-Amz-Credential", credential);
    add_param(ws, "X-Amz-Date", p->date());
    add_param(ws, "X-Amz-Expires", std::to_string(expires.count()));
    add_param(ws, "X-Amz-SignedHeaders", ws.signed_names);
    if (sign_token)
        add_param(ws, "X-Amz-Security-Token", credentials.session_token.reveal());
    sort_params(ws);

    presigned_url out;
    std::string_view const wire = wire_path_of(req, ws.path);
    std::string_view const uri = canonical_uri(wire, rules_, ws);
    build_canonical_request(out.canonical_request, p->method, uri, ws, payload);
    build_string_to_sign(out.string_to_sign, *p, region_, service_, auth::detail::sha256(out.canonical_request));
    auto const key = cache_->get(credentials.secret_access_key, p->date8(), region_, service_);
    auto const sig = auth::detail::hmac_sha256(key, out.string_to_sign);

    out.target.resize(wire.size() + 1 + query_size(ws));
    writer w{out.target.data()};
    w.put(wire);
    w.put('?');
    write_query(w, ws);
    out.target += "&X-Amz-Signature=";
    auth::detail::append_hex(out.target, sig.data(), sig.size());
    if (has_token && !sign_token)
    {
        out.target += "&X-Amz-Security-Token=";
        append_encoded(out.target, credentials.session_token.reveal(), query_safe_chars);
    }

    // The URL goes to `req.host`; without one, to the Host header given instead.
    auto url_host = req.host.empty() ? result<std::string>(std::string(p->host)) : host_header(req.scheme, req.host);
    if (!url_host)
        return url_host.error();
    out.url = lower(req.scheme);
    out.url += "://";
    out.url += *url_host;
    out.url += out.target;

    std::string_view previous;
    for (auto const& f : ws.fields)
    {
        if (f.name == previous)
        {
            out.headers.back().value += ',';
            out.headers.back().value += f.value;
            continue;
        }
        out.headers.push_back({f.name == "host" ? std::string("Host") : std::string(f.name), std::string(f.value)});
        previous = f.name;
    }
    out.expires_at = std::chrono::floor<std::chrono::seconds>(now) + expires;
    return out;
}

// ---------------------------------------------------------------------------------------------

MLCLOUD_DECL std::string wire_path(request const& req)
{
    std::string buffer;
    std::string_view const w = sigv4_impl::wire_path_of(req, buffer);
    return buffer.empty() ? std::string(w) : buffer;
}

MLCLOUD_DECL std::string request_target(request const& req)
{
    std::string out = wire_path(req);
    char separator = '?';
    for (auto const& q : req.query)
    {
        out += separator;
        separator = '&';
        sigv4_impl::append_encoded(out, q.name, sigv4_impl::query_safe_chars);
        out += '=';
        sigv4_impl::append_encoded(out, q.value, sigv4_impl::query_safe_chars);
    }
    return out;
}

MLCLOUD_DECL result<std::string> host_header(std::string_view scheme, std::string_view authority)
{
    auto a = boost::urls::parse_authority(boost::urls::string_view(authority.data(), authority.size()));
    if (!a || a->has_userinfo() || a->encoded_host().empty())
        return sigv4_impl::make_error(errc::invalid_argument, "request host is not a valid host[:port]");
    auto const host = a->encoded_host();
    std::string out = sigv4_impl::lower(std::string_view(host.data(), host.size()));
    if (a->has_port() && !a->port().empty())
    {
        auto const port = a->port_number();
        bool const is_default = (sigv4_impl::iequals(scheme, "https") && port == 443) ||
                                (sigv4_impl::iequals(scheme, "http") && port == 80);
        if (!is_default)
        {
            out += ':';
            out.append(a->port().data(), a->port().size());
        }
    }
    return out;
}

MLCLOUD_DECL std::string uri_encode(std::string_view s, bool keep_slash)
{
    std::string out;
    out.reserve(s.size());
    sigv4_impl::append_encoded(out, s, keep_slash ? sigv4_impl::path_safe_chars : sigv4_impl::query_safe_chars);
    return out;
}

MLCLOUD_DECL std::string normalize_path(std::string_view path)
{
    std::string out;
    sigv4_impl::normalize_path_into(out, path);
    return out;
}

MLCLOUD_DECL auth::detail::sha256_digest derive_signing_key(
    secret_string const& secret_access_key,
    std::string_view date8,
    std::string_view region,
    std::string_view service)
{
    std::string k_secret;
    k_secret.reserve(4 + secret_access_key.size());
    k_secret += "AWS4";
    k_secret += secret_access_key.reveal();
    auto key = auth::detail::hmac_sha256(reinterpret_cast<unsigned char const*>(k_secret.data()), k_secret.size(), date8);
    auth::detail::wipe(k_secret);
    key = auth::detail::hmac_sha256(key, region);
    key = auth::detail::hmac_sha256(key, service);
    key = auth::detail::hmac_sha256(key, "aws4_request");
    return key;
}

MLCLOUD_DECL std::string hash_payload(std::string_view body)
{
    return auth::detail::to_hex(auth::detail::sha256(body));
}

MLCLOUD_DECL std::string format_amz_date(std::chrono::system_clock::time_point t)
{
    std::array<char, 16> buf{};
    sigv4_impl::write_amz_date(buf, t);
    return std::string(buf.data(), buf.size());
}

} // namespace mlcloud::auth::sigv4

#endif

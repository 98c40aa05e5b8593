//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_RUNPOD_CREDENTIALS_IPP
#define MLCLOUD_AUTH_IMPL_RUNPOD_CREDENTIALS_IPP

#include <mlcloud/auth/runpod_credentials.hpp>
#include <mlcloud/auth/detail/settings.hpp>

#include <mlcloud/auth/detail/wipe.hpp>

#include <fstream>
#include <ostream>
#include <sstream>
#include <vector>

namespace mlcloud::auth {
namespace detail::runpod_impl {

inline constexpr std::string_view placeholder = "{datacenter}";

inline error make_error(errc code, std::string message)
{
    error e(code, std::move(message));
    e.with_provider("runpod").with_operation("configuration");
    return e;
}

inline bool has_bad_characters(std::string_view s) noexcept
{
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f)
            return true;
    return false;
}

inline std::string without_trailing_slash(std::string s)
{
    while (s.size() > 1 && s.back() == '/')
        s.pop_back();
    return s;
}

// The last non-empty path segment of an http(s) URL ("https://x/v2/" -> "v2").
inline std::string_view last_segment(std::string_view url) noexcept
{
    auto const scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos)
        return {};
    auto const path_at = url.find('/', scheme_end + 3);
    if (path_at == std::string_view::npos)
        return {};
    std::string_view path = url.substr(path_at);
    path = path.substr(0, path.find_first_of("?#"));
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    return path.substr(path.rfind('/') + 1);
}

// A value from the options, else from the environment, with the name of where it came from.
template <class T>
struct sourced
{
    std::optional<T> value;
    std::string source;
};

inline sourced<std::string> pick(std::optional<std::string> option, std::string_view option_name,
                                 environment const& env, std::initializer_list<std::string_view> variables)
{
    if (option && !option->empty())
        return {std::move(option), std::string(option_name)};
    for (auto v : variables)
        if (auto value = env.get(v))
            return {std::move(value), std::string(v)};
    return {};
}

inline result<std::string> checked_url(sourced<std::string> s, std::string_view fallback)
{
    if (!s.value)
        return std::string(fallback);
    std::string url = without_trailing_slash(std::move(*s.value));
    if (!detail::is_http_url(url))
        return make_error(errc::invalid_argument, s.source + " is not an absolute http:// or https:// URL");
    return url;
}

inline bool valid_datacenter(std::string_view dc) noexcept
{
    if (dc.empty() || dc.size() > 32)
        return false;
    for (char c : dc)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

inline std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

inline std::string substitute(std::string_view templ, std::string_view datacenter)
{
    std::string out(templ);
    for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at))
    {
        out.replace(at, placeholder.size(), datacenter);
        at += datacenter.size();
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// ~/.runpod/config.toml: the subset of TOML that runpodctl and runpod-python write. Tables
// ([name]), `key = "basic string"` or `key = 'literal string'`, comments; other values (numbers,
// booleans, arrays) are skipped. Errors name the line, never its value: it may be the key.

struct toml_string_entry
{
    std::string table; // "" for the top level
    std::string key;
    std::string value;
};

inline std::string_view trimmed(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// A quoted string at the start of `s` (basic "..." with escapes, or literal '...'), and in
// `rest` what follows it. nullopt when it is not closed or has an escape this reader lacks.
inline std::optional<std::string> quoted(std::string_view s, std::string_view& rest)
{
    char const quote = s.front();
    std::string out;
    for (std::size_t i = 1; i < s.size(); ++i)
    {
        char c = s[i];
        if (c == quote)
        {
            rest = s.substr(i + 1);
            return out;
        }
        if (c == '\\' && quote == '"')
        {
            if (++i == s.size())
                break;
            switch (s[i])
            {
            case '"': c = '"'; break;
            case '\\': c = '\\'; break;
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            default: detail::wipe(out); return std::nullopt; // \uXXXX and the rest: never in an API key
            }
        }
        out += c;
    }
    detail::wipe(out); // not closed: what was read may be part of the key
    return std::nullopt;
}

inline std::string unquoted_name(std::string_view s)
{
    s = trimmed(s);
    std::string_view rest;
    if (!s.empty() && (s.front() == '"' || s.front() == '\''))
        if (auto q = quoted(s, rest); q && trimmed(rest).empty())
            return *q;
    return std::string(s);
}

/// The string entries of a TOML text, or an error naming the first line it cannot read.
inline result<std::vector<toml_string_entry>> parse_toml_strings(std::string_view text, std::string const& file)
{
    std::vector<toml_string_entry> out;
    std::string table;
    std::size_t number = 0;
    // The entries read so far may hold the key: wiped before an error leaves with them.
    auto wipe_all = [&] {
        for (auto& e : out)
            detail::wipe(e.value);
    };
    if (text.starts_with("\xEF\xBB\xBF")) // a byte order mark, as some Windows editors write
        text.remove_prefix(3);
    auto bad = [&](std::string_view why) {
        wipe_all();
        return make_error(errc::invalid_argument, file + " line " + std::to_string(number) + ": " + std::string(why) +
                                                      " (mlcloud reads tables, one-line strings and comments; see "
                                                      "docs/credentials.md)");
    };
    while (!text.empty())
    {
        auto const end = text.find('\n');
        std::string_view line = trimmed(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        ++number;
        if (line.empty() || line.front() == '#')
            continue;
        if (line.front() == '[')
        {
            auto const close = line.find(']');
            if (close == std::string_view::npos || line.starts_with("[["))
                return bad("not a table header this reader knows ([name])");
            auto const after = trimmed(line.substr(close + 1));
            if (!after.empty() && after.front() != '#')
                return bad("text after the table header");
            table = unquoted_name(line.substr(1, close - 1));
            continue;
        }
        auto const eq = line.find('=');
        if (eq == std::string_view::npos)
            return bad("expected key = value");
        std::string key = unquoted_name(line.substr(0, eq));
        std::string_view const value = trimmed(line.substr(eq + 1));
        if (key.empty() || value.empty())
            return bad("expected key = value");
        if (value.front() != '"' && value.front() != '\'')
            continue; // a number, a boolean, an array...: nothing this reader needs
        if (value.starts_with(R"(""")") || value.starts_with("'''"))
            return bad("a multi-line string, which this reader does not take");
        std::string_view rest;
        auto s = quoted(value, rest);
        if (!s)
            return bad(R"(a string that is not closed, or has an escape other than \" \\ \t \n \r)");
        rest = trimmed(rest);
        if (!rest.empty() && rest.front() != '#')
            return bad("text after the value");
        out.push_back({table, std::move(key), std::move(*s)});
    }
    return out;
}

/// The API key of RunPod's configuration file: runpod-python's `[default] api_key`, else
/// runpodctl's top-level `apikey` (viper matches keys without regard to case), with where it
/// was found. nullopt when the file does not exist or holds neither.
inline result<std::optional<sourced<secret_string>>> config_file_key(std::filesystem::path const& path, bool explicit_path)
{
    std::string const file = path.string();
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
    {
        if (ec)
            return make_error(errc::invalid_argument, "cannot read " + file + ": " + ec.message());
        if (explicit_path)
            return make_error(errc::invalid_argument, "runpod_config_options::config_file " + file + " does not exist");
        return std::optional<sourced<secret_string>>();
    }
    auto const size = std::filesystem::file_size(path, ec);
    if (ec)
        return make_error(errc::invalid_argument, "cannot read " + file + ": " + ec.message());
    if (size > 1024 * 1024)
        return make_error(errc::invalid_argument, file + " is larger than 1 MiB: not RunPod's configuration file");
    std::string text(static_cast<std::size_t>(size), '\0');
    std::ifstream in(path, std::ios::binary);
    if (!in || !in.read(text.data(), static_cast<std::streamsize>(text.size())))
    {
        detail::wipe(text);
        return make_error(errc::invalid_argument, "cannot read " + file);
    }
    auto entries = parse_toml_strings(text, file);
    detail::wipe(text);
    if (!entries)
        return entries.error();
    std::optional<sourced<secret_string>> found;
    for (auto const* table : {"default", ""})
        for (auto& e : *entries)
        {
            bool const wanted = *table ? e.key == "api_key" : lower(e.key) == "apikey";
            if (!found && e.table == table && wanted && !e.value.empty())
                found = sourced<secret_string>{secret_string(e.value),
                                               file + (*table ? " ([default] api_key)" : " (apikey)")};
        }
    for (auto& e : *entries)
        detail::wipe(e.value);
    return found;
}

} // namespace detail::runpod_impl

MLCLOUD_DECL result<runpod_config> runpod_config::load(runpod_config_options options)
{
    using namespace detail::runpod_impl;
    environment const& env = options.env;
    runpod_config c;

    if (options.api_key && !options.api_key->empty())
    {
        c.api_key_ = std::move(*options.api_key);
        c.api_key_source_ = "runpod_config_options::api_key";
    }
    else if (auto k = env.get("RUNPOD_API_KEY"))
    {
        c.api_key_ = secret_string(std::move(*k));
        c.api_key_source_ = "RUNPOD_API_KEY";
    }
    else
        c.read_config_file(options);

    auto rest = pick(std::move(options.rest_url), "runpod_config_options::rest_url", env, {"RUNPOD_REST_URL"});
    std::string const rest_source = rest.source;
    auto rest_url = checked_url(std::move(rest), runpod_default_rest_url);
    if (!rest_url)
        return rest_url.error();
    if (last_segment(*rest_url) == "v1")
        return make_error(errc::invalid_argument,
                          rest_source + " points at the RunPod REST v1 API, which is retired: use a v2 base URL "
                                        "such as https://api.runpod.io/v2");
    c.rest_url_ = std::move(*rest_url);

    auto serverless = checked_url(pick(std::move(options.serverless_url), "runpod_config_options::serverless_url",
                                       env, {"RUNPOD_SERVERLESS_URL", "RUNPOD_ENDPOINT_BASE_URL"}),
                                  runpod_default_serverless_url);
    if (!serverless)
        return serverless.error();
    c.serverless_url_ = std::move(*serverless);

    auto s3 = pick(std::move(options.s3_endpoint_url), "runpod_config_options::s3_endpoint_url", env,
                   {"RUNPOD_S3_ENDPOINT_URL"});
    if (s3.value)
    {
        std::string templ = without_trailing_slash(std::move(*s3.value));
        if (!detail::is_http_url(substitute(templ, "dc")))
            return make_error(errc::invalid_argument, s3.source + " is not an absolute http:// or https:// URL");
        c.s3_endpoint_template_ = std::move(templ);
    }

    auto key_id = pick(std::move(options.s3_access_key_id), "runpod_config_options::s3_access_key_id", env,
                       {"RUNPOD_S3_ACCESS_KEY_ID"});
    c.s3_access_key_id_ = std::move(key_id.value);
    if (options.s3_secret_access_key && !options.s3_secret_access_key->empty())
        c.s3_secret_ = std::move(*options.s3_secret_access_key);
    else if (auto s = env.get("RUNPOD_S3_SECRET_ACCESS_KEY"))
        c.s3_secret_ = secret_string(std::move(*s));
    c.s3_source_ = key_id.source.empty() ? std::string("RUNPOD_S3_ACCESS_KEY_ID") : key_id.source;
    return c;
}

MLCLOUD_DECL void runpod_config::read_config_file(runpod_config_options const& options)
{
    using namespace detail::runpod_impl;
    std::optional<std::filesystem::path> path = options.config_file;
    if (!path)
        if (auto home = detail::home_directory(options.env))
            path = *home / ".runpod" / "config.toml";
    if (!path)
    {
        api_key_tried_ = ", ~/.runpod/config.toml (no home directory)";
        return;
    }
    auto key = config_file_key(*path, options.config_file.has_value());
    if (!key)
        api_key_problem_ = key.error().message;
    else if (*key)
    {
        api_key_ = std::move((*key)->value);
        api_key_source_ = std::move((*key)->source);
    }
    else
        api_key_tried_ = ", " + path->string() + " (no file, or no api_key in [default] and no apikey)";
}

MLCLOUD_DECL result<secret_string> runpod_config::api_key() const
{
    using namespace detail::runpod_impl;
    if (!api_key_problem_.empty())
        return make_error(errc::invalid_argument, "no RunPod API key: RUNPOD_API_KEY is not set, and " + api_key_problem_);
    if (!api_key_)
        return make_error(errc::unauthorized,
                          "no RunPod API key: tried runpod_config_options::api_key (not set), RUNPOD_API_KEY "
                          "(not set)" + api_key_tried_ + "; create one in the RunPod console under Settings > API Keys");
    if (has_bad_characters(api_key_->reveal()))
        return make_error(errc::invalid_argument, api_key_source_ + " contains whitespace or control characters");
    return *api_key_;
}

MLCLOUD_DECL result<std::string> runpod_config::authorization() const
{
    auto key = api_key();
    if (!key)
        return key.error();
    std::string out = "Bearer ";
    out += key->reveal();
    return out;
}

MLCLOUD_DECL result<std::string> runpod_config::s3_endpoint(std::string_view datacenter) const
{
    using namespace detail::runpod_impl;
    if (!valid_datacenter(datacenter))
        return make_error(errc::invalid_argument,
                          "'" + std::string(datacenter.substr(0, 32)) +
                              "' is not a RunPod datacenter id (letters, digits and '-', e.g. EU-RO-1)");
    std::string const dc = lower(datacenter);
    if (s3_endpoint_template_.empty())
        return "https://s3api-" + dc + ".runpod.io";
    return substitute(s3_endpoint_template_, dc);
}

MLCLOUD_DECL result<aws_credentials> runpod_config::s3_credentials() const
{
    using namespace detail::runpod_impl;
    if (!s3_access_key_id_ && !s3_secret_)
        return make_error(errc::unauthorized,
                          "no RunPod S3 API key: tried RUNPOD_S3_ACCESS_KEY_ID (not set), "
                          "RUNPOD_S3_SECRET_ACCESS_KEY (not set); create one in the RunPod console under "
                          "Settings > S3 API Keys");
    if (!s3_secret_)
        return make_error(errc::invalid_argument,
                          "malformed RunPod S3 API key: " + s3_source_ + " is set but RUNPOD_S3_SECRET_ACCESS_KEY is not");
    if (!s3_access_key_id_)
        return make_error(errc::invalid_argument,
                          "malformed RunPod S3 API key: RUNPOD_S3_SECRET_ACCESS_KEY is set but " + s3_source_ +
                              " is not");
    if (has_bad_characters(*s3_access_key_id_) || s3_access_key_id_->find('/') != std::string::npos)
        return make_error(errc::invalid_argument, s3_source_ + " contains whitespace, control characters or '/'");
    if (has_bad_characters(s3_secret_->reveal()))
        return make_error(errc::invalid_argument, "the RunPod S3 secret key contains whitespace or control characters");
    aws_credentials c;
    c.access_key_id = *s3_access_key_id_;
    c.secret_access_key = *s3_secret_;
    c.source = "RunPod S3 API key (" + s3_source_ + ")";
    return c;
}

MLCLOUD_DECL std::string to_string(runpod_config const& c)
{
    std::ostringstream os;
    os << c;
    return os.str();
}

MLCLOUD_DECL std::ostream& operator<<(std::ostream& os, runpod_config const& c)
{
    os << "runpod_config{api_key=" << (c.api_key_ ? to_string(*c.api_key_) : std::string("<none>"))
       << ", rest_url=" << c.rest_url_ << ", serverless_url=" << c.serverless_url_ << ", s3_endpoint="
       << (c.s3_endpoint_template_.empty() ? std::string("https://s3api-{datacenter}.runpod.io")
                                           : c.s3_endpoint_template_)
       << ", s3_access_key_id=" << (c.s3_access_key_id_ ? mask_identifier(*c.s3_access_key_id_) : std::string("<none>"))
       << ", s3_secret_access_key=" << (c.s3_secret_ ? to_string(*c.s3_secret_) : std::string("<none>")) << '}';
    return os;
}

} // namespace mlcloud::auth

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_AUTH_IMPL_AWS_CREDENTIALS_IPP
#define MLCLOUD_AUTH_IMPL_AWS_CREDENTIALS_IPP

#include <mlcloud/auth/aws_credentials.hpp>
#include <mlcloud/auth/detail/ini.hpp>
#include <mlcloud/auth/detail/settings.hpp>
#include <mlcloud/auth/detail/wipe.hpp>

#include <cctype>
#include <fstream>
#include <ostream>
#include <sstream>
#include <system_error>

namespace mlcloud::auth {
namespace detail {

// One of the two shared files, read and parsed once by aws_config::load.
struct shared_file
{
    enum class status
    {
        unknown_path, // no override and no home directory
        missing,      // no regular file at the path (the SDKs treat it as empty)
        failed,       // present but unreadable or malformed: `problem` says why
        loaded,
    };

    std::filesystem::path path;
    status state = status::unknown_path;
    std::string problem;
    ini_document document;

    // "shared credentials file /root/.aws/credentials"
    std::string describe(std::string_view kind) const
    {
        std::string out(kind);
        if (!path.empty())
        {
            out += ' ';
            out += path.string();
        }
        return out;
    }

    // Why nothing was read, for a file that has no path or is not there: "config file
    // /root/.aws/config (not found)". Empty for a file that was read or failed.
    std::optional<std::string> absence(std::string_view kind) const
    {
        if (state == status::unknown_path)
            return std::string(kind) + " (no path: HOME not set)";
        if (state == status::missing)
            return describe(kind) + " (not found)";
        return std::nullopt;
    }
};

// The profile sections of the config file ("[profile x]", "[default]") and its
// "[services x]" sections, merged by name.
struct config_index
{
    std::map<std::string, ini_section, std::less<>> profiles;
    std::map<std::string, ini_section, std::less<>> services;
};

} // namespace detail

namespace detail {

// The parsed files hold the keys as plain strings: wipe them when the configuration goes.
inline void wipe_section(ini_section& s) noexcept
{
    for (auto& [key, property] : s.properties)
    {
        wipe(property.value);
        for (auto& [sub_key, sub_value] : property.sub)
            wipe(sub_value);
    }
}

inline void wipe_sections(std::map<std::string, ini_section, std::less<>>& sections) noexcept
{
    for (auto& [name, section] : sections)
        wipe_section(section);
}

} // namespace detail

struct aws_config::state
{
    environment env = environment::process();
    std::string profile;
    bool profile_explicit = false;
    std::string_view profile_variable; ///< the environment variable that chose the profile, if one did
    detail::shared_file credentials;
    detail::shared_file config;
    detail::config_index config_sections;

    state() = default;
    state(state const&) = delete;
    state& operator=(state const&) = delete;
    ~state()
    {
        detail::wipe_sections(credentials.document.sections);
        detail::wipe_sections(config.document.sections);
        detail::wipe_sections(config_sections.profiles);
        detail::wipe_sections(config_sections.services);
    }
};

namespace detail {

struct aws_config_access
{
    using state = aws_config::state;
    static state const& get(aws_config const& c) noexcept { return *c.state_; }
};

namespace aws_impl {

inline constexpr std::size_t max_shared_file_size = 1 << 20;

inline error make_error(errc code, std::string message)
{
    error e(code, std::move(message));
    e.with_provider("aws").with_operation("configuration");
    return e;
}

// Reads and parses one shared file. Problems are recorded, not returned: see aws_config.
inline void read_shared_file(shared_file& f)
{
    if (f.path.empty())
    {
        f.state = shared_file::status::unknown_path;
        return;
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(f.path, ec))
    {
        f.state = shared_file::status::missing;
        return;
    }
    auto const size = std::filesystem::file_size(f.path, ec);
    if (ec)
    {
        f.state = shared_file::status::failed;
        f.problem = "cannot be read: " + ec.message();
        return;
    }
    if (size > max_shared_file_size)
    {
        f.state = shared_file::status::failed;
        f.problem = "is larger than 1 MiB";
        return;
    }
    std::ifstream in(f.path, std::ios::binary);
    if (!in)
    {
        f.state = shared_file::status::failed;
        f.problem = "cannot be opened";
        return;
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));

    ini_parse_error perr;
    auto doc = parse_ini(text, perr);
    // The text may hold secrets: wipe it before it is freed.
    detail::wipe(text);
    if (!doc)
    {
        f.state = shared_file::status::failed;
        f.problem = "is malformed at line " + std::to_string(perr.line) + ": " + perr.reason;
        return;
    }
    f.document = std::move(*doc);
    f.state = shared_file::status::loaded;
}

// "profile dev" -> "dev"; anything else -> nothing. (botocore splits the header with shlex
// and wants exactly two words; quoted names are not supported here.)
inline std::optional<std::string_view> prefixed_name(std::string_view section, std::string_view prefix)
{
    if (section.size() <= prefix.size() || section.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    std::string_view rest = section.substr(prefix.size());
    if (rest.front() != ' ' && rest.front() != '\t')
        return std::nullopt;
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t'))
        rest.remove_prefix(1);
    if (rest.empty() || rest.find_first_of(" \t") != std::string_view::npos)
        return std::nullopt;
    return rest;
}

inline void merge_into(ini_section& into, ini_section const& from)
{
    for (auto const& [k, v] : from.properties)
        into.properties.insert_or_assign(k, v);
}

inline config_index index_config(ini_document const& doc)
{
    config_index idx;
    // "[default]" first, so that "[profile default]" (the same profile) wins over it.
    if (auto const* d = doc.find("default"))
        merge_into(idx.profiles["default"], *d);
    for (auto const& [name, section] : doc.sections)
    {
        if (auto p = prefixed_name(name, "profile"))
            merge_into(idx.profiles[std::string(*p)], section);
        else if (auto s = prefixed_name(name, "services"))
            merge_into(idx.services[std::string(*s)], section);
    }
    return idx;
}

// An explicit path, else the environment variable (with "~" expanded), else ~/.aws/<name>.
inline std::filesystem::path resolve_path(
    std::optional<std::filesystem::path> const& explicit_path,
    environment const& env,
    std::string_view variable,
    std::string_view file_name)
{
    auto const home = home_directory(env);
    auto expand = [&](std::string const& p) -> std::filesystem::path {
        if (home && (p == "~" || p.rfind("~/", 0) == 0 || p.rfind("~\\", 0) == 0))
            return *home / p.substr(p.size() > 1 ? 2 : 1);
        return std::filesystem::path(p);
    };
    if (explicit_path)
        return expand(explicit_path->string());
    if (auto v = env.get(variable))
        return expand(*v);
    if (home)
        return *home / ".aws" / std::string(file_name);
    return {};
}

inline bool has_bad_characters(std::string_view s) noexcept
{
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f)
            return true;
    return false;
}

// Checks a found key pair; `where` names the source in messages ("the environment").
inline result<aws_credentials> make_credentials(
    std::string where,
    std::string_view key_name,
    std::optional<std::string> key,
    std::string_view secret_name,
    std::optional<std::string> secret,
    std::string_view token_name,
    std::optional<std::string> token)
{
    auto malformed = [&](std::string what) {
        return make_error(errc::invalid_argument, "malformed AWS credentials in " + where + ": " + what);
    };
    if (!secret)
        return malformed(std::string(key_name) + " is set but " + std::string(secret_name) + " is not");
    if (!key)
        return malformed(std::string(secret_name) + " is set but " + std::string(key_name) + " is not");
    if (has_bad_characters(*key) || key->find('/') != std::string::npos)
        return malformed(std::string(key_name) + " contains whitespace, control characters or '/'");
    if (has_bad_characters(*secret))
        return malformed(std::string(secret_name) + " contains whitespace or control characters");
    if (token && has_bad_characters(*token))
        return malformed(std::string(token_name) + " contains whitespace or control characters");

    aws_credentials c;
    c.access_key_id = std::move(*key);
    c.secret_access_key = secret_string(std::move(*secret));
    if (token)
        c.session_token = secret_string(std::move(*token));
    c.source = std::move(where);
    return c;
}

inline std::optional<std::string> to_optional(std::optional<std::string_view> v)
{
    if (!v || v->empty())
        return std::nullopt;
    return std::string(*v);
}

// Why a profile without static keys has none, when it is configured for a mechanism that
// mlcloud leaves to custom providers.
inline std::string unsupported_mechanism(ini_section const& s)
{
    static constexpr std::string_view keys[] = {
        "role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file",
        "login_session",
    };
    for (auto k : keys)
        if (s.get(k))
            return std::string(k);
    return {};
}

// The profile section lookup shared by the two file providers.
inline result<aws_credentials_lookup> credentials_from_section(
    shared_file const& file,
    std::string_view kind,
    ini_section const* section,
    std::string const& profile)
{
    std::string const where = file.describe(kind);
    if (!section)
        return aws_credentials_lookup{{}, where + " (profile '" + profile + "' not found)"};

    auto key = to_optional(section->get("aws_access_key_id"));
    auto secret = to_optional(section->get("aws_secret_access_key"));
    if (!key && !secret)
    {
        std::string why = where + " (profile '" + profile + "' has no aws_access_key_id";
        if (auto m = unsupported_mechanism(*section); !m.empty())
            why += "; it uses " + m + ", which needs a credentials provider mlcloud does not include";
        why += ')';
        return aws_credentials_lookup{{}, std::move(why)};
    }
    auto token = to_optional(section->get("aws_session_token"));
    if (!token)
        token = to_optional(section->get("aws_security_token"));
    auto c = make_credentials(
        where + " (profile '" + profile + "')", "aws_access_key_id", std::move(key),
        "aws_secret_access_key", std::move(secret), "aws_session_token", std::move(token));
    if (!c)
        return c.error();
    return aws_credentials_lookup{std::move(*c), {}};
}

// An unusable file stops whatever needed it.
inline error file_error(shared_file const& f, std::string_view kind)
{
    return make_error(errc::invalid_argument, f.describe(kind) + ' ' + f.problem);
}

// What the selected profile sets must be known from both files: a broken one stops the lookup.
inline std::optional<error> unusable_file(aws_config_access::state const& st)
{
    if (st.credentials.state == shared_file::status::failed)
        return file_error(st.credentials, "shared credentials file");
    if (st.config.state == shared_file::status::failed)
        return file_error(st.config, "config file");
    return std::nullopt;
}

// A named profile must exist in one of the two files (botocore's Session.get_scoped_config
// raises ProfileNotFound, which creating a client or resolving credentials reaches). The
// default profile never has to: see docs/credentials.md.
// How the profile was chosen, for errors: "chosen in code", "from AWS_PROFILE", "the default".
inline std::string profile_origin(aws_config_access::state const& st)
{
    if (st.profile_explicit)
        return "chosen in code";
    if (st.profile_variable.empty())
        return "the default";
    return "from " + std::string(st.profile_variable);
}

inline std::optional<error> missing_profile(aws_config_access::state const& st)
{
    if (st.profile == "default")
        return std::nullopt;
    auto const& cred = st.credentials;
    auto const& conf = st.config;
    if (cred.state == shared_file::status::loaded && cred.document.find(st.profile))
        return std::nullopt;
    if (conf.state == shared_file::status::loaded && st.config_sections.profiles.count(st.profile) != 0)
        return std::nullopt;
    if (auto e = unusable_file(st))
        return e;
    auto looked = [](shared_file const& f, std::string_view kind, std::string const& section) {
        return f.absence(kind).value_or(f.describe(kind) + " (no [" + section + "])");
    };
    return make_error(errc::invalid_argument,
                      "AWS profile '" + st.profile + "' (" +
                          profile_origin(st) +
                          ") does not exist: looked in " + looked(cred, "shared credentials file", st.profile) +
                          " and " + looked(conf, "config file", "profile " + st.profile));
}

// Where a setting of the selected profile was found: "role_arn in profile 'dev' of config file
// /home/me/.aws/config". Never the value.
inline std::optional<std::string> profile_setting_location(aws_config_access::state const& st, std::string_view key)
{
    // botocore merges the credentials file's section over the config file's profile
    // (Session.full_config), so a setting counts in either file and the credentials file wins.
    auto where = [&](shared_file const& f, std::string_view kind) {
        return std::string(key) + " in profile '" + st.profile + "' of " + f.describe(kind);
    };
    if (st.credentials.state == shared_file::status::loaded)
        if (auto const* s = st.credentials.document.find(st.profile); s && s->get(key))
            return where(st.credentials, "shared credentials file");
    auto const& profiles = st.config_sections.profiles;
    if (auto it = profiles.find(st.profile); it != profiles.end() && it->second.get(key))
        return where(st.config, "config file");
    return std::nullopt;
}

// A credentials mechanism the SDKs would use at this point of their chain, which mlcloud does
// not perform: stop rather than go on to keys that belong to another identity.
inline error refuse_mechanism(aws_config_access::state const& st, std::string_view mechanism,
                              std::string const& found, std::string_view ahead_of)
{
    std::string command = "aws configure export-credentials";
    if (st.profile != "default")
        command += " --profile " + st.profile;
    command += " --format env";
    return make_error(
        errc::not_supported,
        "AWS credentials are set up for " + std::string(mechanism) + " (" + found + "): mlcloud does not perform " +
            std::string(mechanism) + ", and the AWS CLI and SDKs would use it ahead of " + std::string(ahead_of) +
            ", so mlcloud stops rather than sign as another identity. "
            "Export temporary credentials instead (e.g. eval \"$(" + command +
            ")\") or add a credentials provider for it to the chain");
}

inline bool is_true(std::optional<std::string> const& v)
{
    if (!v)
        return false;
    std::string s = *v;
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s == "true";
}

inline bool valid_region(std::string_view r) noexcept
{
    if (r.empty() || r.size() > 64)
        return false;
    for (char c : r)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    return true;
}

inline std::string service_id_with(std::string_view id, bool upper)
{
    std::string out;
    out.reserve(id.size());
    for (char c : id)
    {
        if (c == ' ' || c == '-')
            out += '_';
        else if (upper)
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        else
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

} // namespace aws_impl
} // namespace detail

// ---------------------------------------------------------------------------------------------

MLCLOUD_DECL std::string to_string(aws_credentials const& c)
{
    std::string out = "aws_credentials{access_key_id=" + mask_identifier(c.access_key_id);
    out += ", secret_access_key=" + to_string(c.secret_access_key);
    out += ", session_token=" + to_string(c.session_token);
    if (!c.source.empty())
        out += ", source=" + c.source;
    out += '}';
    return out;
}

MLCLOUD_DECL std::ostream& operator<<(std::ostream& os, aws_credentials const& c)
{
    return os << to_string(c);
}

MLCLOUD_DECL aws_config aws_config::load(aws_config_options options)
{
    using namespace detail::aws_impl;
    auto s = std::make_shared<state>();
    s->env = std::move(options.env);
    if (options.profile && !options.profile->empty())
    {
        s->profile = std::move(*options.profile);
        s->profile_explicit = true;
    }
    else
    {
        // As botocore and the AWS SDK for C++: AWS_DEFAULT_PROFILE (the older name) first.
        for (std::string_view var : {"AWS_DEFAULT_PROFILE", "AWS_PROFILE"})
            if (auto p = s->env.get(var))
            {
                s->profile = std::move(*p);
                s->profile_variable = var;
                break;
            }
        if (s->profile.empty())
            s->profile = "default";
    }
    s->credentials.path = resolve_path(options.credentials_file, s->env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    s->config.path = resolve_path(options.config_file, s->env, "AWS_CONFIG_FILE", "config");
    read_shared_file(s->credentials);
    read_shared_file(s->config);
    if (s->config.state == detail::shared_file::status::loaded)
        s->config_sections = index_config(s->config.document);
    return aws_config(std::move(s));
}

MLCLOUD_DECL std::string const& aws_config::profile() const noexcept { return state_->profile; }
MLCLOUD_DECL bool aws_config::profile_is_explicit() const noexcept { return state_->profile_explicit; }
MLCLOUD_DECL std::filesystem::path const& aws_config::credentials_file() const noexcept { return state_->credentials.path; }
MLCLOUD_DECL std::filesystem::path const& aws_config::config_file() const noexcept { return state_->config.path; }
MLCLOUD_DECL environment const& aws_config::env() const noexcept { return state_->env; }

MLCLOUD_DECL result<aws_credentials> aws_config::credentials() const
{
    auto const chain = default_aws_credentials_chain();
    return credentials(chain);
}

MLCLOUD_DECL result<aws_credentials> aws_config::credentials(std::span<aws_credentials_provider const> chain) const
{
    if (auto e = detail::aws_impl::missing_profile(*state_))
        return *e;
    std::string tried;
    for (auto const& provider : chain)
    {
        if (!provider)
            continue;
        auto r = provider(*this);
        if (!r)
            return r.error();
        if (r->credentials)
            return std::move(*r->credentials);
        if (!r->tried.empty())
        {
            if (!tried.empty())
                tried += ", ";
            tried += r->tried;
        }
    }
    return detail::aws_impl::make_error(
        errc::unauthorized,
        "no AWS credentials: tried " + (tried.empty() ? std::string("no source") : tried));
}

MLCLOUD_DECL result<std::optional<std::string>> aws_config::profile_setting(std::string_view key) const
{
    using detail::shared_file;
    auto const& f = state_->config;
    if (f.state == shared_file::status::failed)
        return detail::aws_impl::file_error(f, "config file");
    auto const& profiles = state_->config_sections.profiles;
    auto it = profiles.find(state_->profile);
    if (it == profiles.end())
        return std::optional<std::string>{};
    return detail::aws_impl::to_optional(it->second.get(key));
}

MLCLOUD_DECL result<std::optional<std::string>> aws_config::credentials_file_setting(std::string_view key) const
{
    using detail::shared_file;
    auto const& f = state_->credentials;
    if (f.state == shared_file::status::failed)
        return detail::aws_impl::file_error(f, "shared credentials file");
    auto const* section = f.document.find(state_->profile);
    if (!section)
        return std::optional<std::string>{};
    return detail::aws_impl::to_optional(section->get(key));
}

MLCLOUD_DECL result<std::string> aws_config::region() const
{
    using namespace detail::aws_impl;
    using detail::shared_file;
    auto checked = [](std::string where, std::string value) -> result<std::string> {
        if (!valid_region(value))
            return make_error(errc::invalid_argument,
                              where + " is not a region name (letters, digits and '-' only)");
        return value;
    };
    if (auto e = missing_profile(*state_))
        return *e;
    if (auto r = state_->env.get("AWS_REGION"))
        return checked("AWS_REGION", std::move(*r));
    if (auto r = state_->env.get("AWS_DEFAULT_REGION"))
        return checked("AWS_DEFAULT_REGION", std::move(*r));

    // botocore merges the credentials file's section over the config file's profile
    // (Session.full_config): a region written there is used, and wins over the config file's.
    auto const& c = state_->credentials;
    if (c.state == shared_file::status::loaded)
        if (auto v = credentials_file_setting("region"); v && *v)
            return checked("region in profile '" + state_->profile + "' of " + c.describe("shared credentials file"),
                           std::move(**v));

    std::string tried = "AWS_REGION (not set), AWS_DEFAULT_REGION (not set), ";
    auto const& f = state_->config;
    switch (f.state)
    {
    case shared_file::status::unknown_path:
    case shared_file::status::missing:
        tried += *f.absence("config file");
        break;
    case shared_file::status::failed:
        return file_error(f, "config file");
    case shared_file::status::loaded: {
        auto v = profile_setting("region");
        if (!v)
            return v.error();
        if (*v)
            return checked("region in profile '" + state_->profile + "' of " + f.describe("config file"),
                           std::move(**v));
        bool const known = state_->config_sections.profiles.count(state_->profile) != 0;
        tried += f.describe("config file") + " (profile '" + state_->profile + "' " +
                 (known ? "has no region)" : "not found)");
        break;
    }
    }
    return make_error(errc::invalid_argument, "no AWS region: tried " + tried);
}

MLCLOUD_DECL result<std::optional<std::string>> aws_config::endpoint_url(std::string_view service_id) const
{
    using namespace detail::aws_impl;
    using detail::shared_file;
    auto checked = [](std::string const& where, std::string value) -> result<std::optional<std::string>> {
        if (!detail::is_http_url(value))
            return make_error(errc::invalid_argument, where + " is not an absolute http:// or https:// URL");
        return std::optional<std::string>(std::move(value));
    };

    if (auto e = missing_profile(*state_))
        return *e;

    // botocore (args.py _compute_configured_endpoint_url, _ignore_configured_endpoint_urls)
    // settles the flag first, the environment's value before the profile's, and then ignores
    // every configured endpoint, the environment's included. (An endpoint passed in code is
    // not a configured one: it wins even over the flag; aws::options::endpoints does that.)
    auto const& f = state_->config;
    auto const& profiles = state_->config_sections.profiles;
    auto const it = profiles.find(state_->profile);
    detail::ini_section const* section = it == profiles.end() ? nullptr : &it->second;
    bool ignore = false;
    if (auto v = state_->env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        ignore = is_true(v);
    else if (f.state == shared_file::status::failed)
        return file_error(f, "config file");
    else if (section)
        ignore = is_true(to_optional(section->get("ignore_configured_endpoint_urls")));
    if (ignore)
        return std::optional<std::string>{};

    std::string const var = endpoint_env_var(service_id);
    if (auto v = state_->env.get(var))
        return checked(var, std::move(*v));
    if (auto v = state_->env.get("AWS_ENDPOINT_URL"))
        return checked("AWS_ENDPOINT_URL", std::move(*v));

    if (f.state == shared_file::status::failed)
        return file_error(f, "config file");
    if (!section)
        return std::optional<std::string>{};

    std::string const where = "profile '" + state_->profile + "' of " + f.describe("config file");
    if (auto services = to_optional(section->get("services")))
    {
        auto const& all = state_->config_sections.services;
        auto s = all.find(*services);
        if (s == all.end())
            return make_error(errc::invalid_argument,
                              where + " refers to services section '" + *services + "', which does not exist");
        std::string const key = endpoint_config_key(service_id);
        if (auto p = s->second.properties.find(key); p != s->second.properties.end())
        {
            if (auto u = p->second.sub.find("endpoint_url"); u != p->second.sub.end() && !u->second.empty())
                return checked("endpoint_url of '" + key + "' in services section '" + *services + "'", u->second);
        }
    }
    if (auto v = to_optional(section->get("endpoint_url")))
        return checked("endpoint_url in " + where, std::move(*v));
    return std::optional<std::string>{};
}

// ---------------------------------------------------------------------------------------------

MLCLOUD_DECL aws_credentials_provider environment_credentials_provider()
{
    return [](aws_config const& cfg) -> result<aws_credentials_lookup> {
        using namespace detail::aws_impl;
        if (cfg.profile_is_explicit())
            return aws_credentials_lookup{
                {}, "environment (skipped: profile '" + cfg.profile() + "' was chosen in code)"};
        auto const& env = cfg.env();
        auto key = env.get("AWS_ACCESS_KEY_ID");
        auto secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (!key && !secret)
            return aws_credentials_lookup{{}, "environment (AWS_ACCESS_KEY_ID not set)"};
        auto token = env.get("AWS_SESSION_TOKEN");
        std::string_view token_name = "AWS_SESSION_TOKEN";
        if (!token)
        {
            token = env.get("AWS_SECURITY_TOKEN");
            token_name = "AWS_SECURITY_TOKEN";
        }
        auto c = make_credentials("the environment", "AWS_ACCESS_KEY_ID", std::move(key),
                                  "AWS_SECRET_ACCESS_KEY", std::move(secret), token_name, std::move(token));
        if (!c)
            return c.error();
        c->source = "environment";
        return aws_credentials_lookup{std::move(*c), {}};
    };
}

MLCLOUD_DECL aws_credentials_provider refuse_role_and_sso_provider()
{
    // botocore's chain after the environment keys: AssumeRoleProvider, then
    // AssumeRoleWithWebIdentityProvider, then SSOProvider (credentials.py,
    // create_credential_resolver and ProfileProviderBuilder.providers), each triggered as below.
    return [](aws_config const& cfg) -> result<aws_credentials_lookup> {
        using namespace detail::aws_impl;
        auto const& st = detail::aws_config_access::get(cfg);
        if (auto e = unusable_file(st))
            return *e;
        constexpr std::string_view ahead = "the keys in the shared files";
        auto const role = profile_setting_location(st, "role_arn");
        auto const token_file = profile_setting_location(st, "web_identity_token_file");

        // Assume-role: role_arn in the profile, unless the profile is one for web identity.
        if (role && !token_file)
        {
            return refuse_mechanism(st, "assume-role", *role, ahead);
        }

        // Web identity: a token file named by the environment (ignored, as the environment
        // keys are, when the profile was chosen in code) or by the profile. Without a role
        // ARN botocore fails; refusing is no worse.
        bool const use_env = !st.profile_explicit;
        std::string found;
        if (use_env && st.env.get("AWS_WEB_IDENTITY_TOKEN_FILE"))
            found = "AWS_WEB_IDENTITY_TOKEN_FILE in the environment";
        else if (token_file)
            found = *token_file;
        if (!found.empty())
        {
            if (use_env && st.env.get("AWS_ROLE_ARN"))
                found += ", AWS_ROLE_ARN in the environment";
            else if (role)
                found += ", " + *role;
            return refuse_mechanism(st, "web identity", found, ahead);
        }

        // IAM Identity Center (SSO): sso_account_id or sso_role_name in the profile. A profile
        // with only sso_session or sso_start_url gets no credentials from SSO in botocore.
        for (std::string_view key : {"sso_account_id", "sso_role_name"})
            if (auto sso = profile_setting_location(st, key))
                return refuse_mechanism(st, "SSO", *sso, ahead);

        return aws_credentials_lookup{};
    };
}

MLCLOUD_DECL aws_credentials_provider refuse_login_and_process_provider()
{
    // botocore's LoginProvider and ProcessProvider come after SharedCredentialProvider and
    // before ConfigProvider: keys in the credentials file win over them, the config file's
    // keys do not.
    return [](aws_config const& cfg) -> result<aws_credentials_lookup> {
        using namespace detail::aws_impl;
        auto const& st = detail::aws_config_access::get(cfg);
        if (auto e = unusable_file(st))
            return *e;
        constexpr std::string_view ahead = "the keys in the config file";
        if (auto login = profile_setting_location(st, "login_session"))
            return refuse_mechanism(st, "aws login", *login, ahead);
        if (auto process = profile_setting_location(st, "credential_process"))
            return refuse_mechanism(st, "credential_process", *process, ahead);
        return aws_credentials_lookup{};
    };
}

MLCLOUD_DECL aws_credentials_provider shared_credentials_file_provider()
{
    return [](aws_config const& cfg) -> result<aws_credentials_lookup> {
        using namespace detail::aws_impl;
        using detail::shared_file;
        auto const& st = detail::aws_config_access::get(cfg);
        auto const& f = st.credentials;
        constexpr std::string_view kind = "shared credentials file";
        if (auto absent = f.absence(kind))
            return aws_credentials_lookup{{}, std::move(*absent)};
        if (f.state == shared_file::status::failed)
            return file_error(f, kind);
        return credentials_from_section(f, kind, f.document.find(st.profile), st.profile);
    };
}

MLCLOUD_DECL aws_credentials_provider config_file_credentials_provider()
{
    return [](aws_config const& cfg) -> result<aws_credentials_lookup> {
        using namespace detail::aws_impl;
        using detail::shared_file;
        auto const& st = detail::aws_config_access::get(cfg);
        auto const& f = st.config;
        constexpr std::string_view kind = "config file";
        if (auto absent = f.absence(kind))
            return aws_credentials_lookup{{}, std::move(*absent)};
        if (f.state == shared_file::status::failed)
            return file_error(f, kind);
        auto const& profiles = st.config_sections.profiles;
        auto it = profiles.find(st.profile);
        return credentials_from_section(f, kind, it == profiles.end() ? nullptr : &it->second, st.profile);
    };
}

MLCLOUD_DECL aws_credentials_provider static_credentials_provider(aws_credentials credentials)
{
    return [c = std::move(credentials)](aws_config const&) -> result<aws_credentials_lookup> {
        aws_credentials copy = c;
        if (copy.source.empty())
            copy.source = "static credentials";
        return aws_credentials_lookup{std::move(copy), {}};
    };
}

MLCLOUD_DECL std::vector<aws_credentials_provider> default_aws_credentials_chain()
{
    return {environment_credentials_provider(), refuse_role_and_sso_provider(),
            shared_credentials_file_provider(), refuse_login_and_process_provider(),
            config_file_credentials_provider()};
}

MLCLOUD_DECL result<aws_credentials> load_aws_credentials(aws_config_options options)
{
    return aws_config::load(std::move(options)).credentials();
}

MLCLOUD_DECL std::string endpoint_env_var(std::string_view service_id)
{
    return "AWS_ENDPOINT_URL_" + detail::aws_impl::service_id_with(service_id, true);
}

MLCLOUD_DECL std::string endpoint_config_key(std::string_view service_id)
{
    return detail::aws_impl::service_id_with(service_id, false);
}

} // namespace mlcloud::auth

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "bot/config.hpp"

#include <mlcloud/net/redact.hpp>
#include <mlcloud/serialization.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>

namespace json = boost::json;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {
namespace {

/// Thrown inside the parser only, caught by parse_config: the first problem ends parsing.
struct config_problem
{
    std::string message;
};

[[noreturn]] void fail(std::string const& path, std::string_view why)
{
    throw config_problem{path + ": " + std::string(why)};
}

/// `path.field`. A field name comes from the file: it is redacted (someone may have pasted a
/// token where a name belongs) and then cut to 64 bytes, in that order so that no half secret
/// is left for redaction to miss, and a message naming an unknown field stays one line.
std::string join(std::string const& path, std::string_view field)
{
    constexpr std::size_t max_name = 64;
    std::string name = mlcloud::net::redact_text(field);
    if (name.size() > max_name)
        name = name.substr(0, max_name) + "...";
    return path.empty() ? name : path + "." + name;
}

/// One JSON object of the file, read field by field; every field must be one it knows.
class section
{
public:
    section(json::value const& v, std::string path) : path_(std::move(path))
    {
        obj_ = v.if_object();
        if (!obj_)
            fail(path_.empty() ? "(top level)" : path_, "expected a JSON object");
    }

    /// Refuses fields nobody asked for, naming the first one and the known ones.
    void reject_unknown(std::initializer_list<std::string_view> known) const
    {
        for (auto const& kv : *obj_)
            if (std::find(known.begin(), known.end(), std::string_view(kv.key())) == known.end())
            {
                std::string list;
                for (auto k : known)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                fail(join(path_, kv.key()), "unknown field (known here: " + list + ")");
            }
    }

    json::value const* get(std::string_view field) const
    {
        auto const* v = obj_->if_contains(field);
        return v && !v->is_null() ? v : nullptr;
    }

    std::string path(std::string_view field) const { return join(path_, field); }

    std::optional<std::string> string(std::string_view field, bool required = false) const
    {
        auto const* v = get(field);
        if (!v)
        {
            if (required)
                fail(path(field), "is required");
            return std::nullopt;
        }
        auto const* s = v->if_string();
        if (!s)
            fail(path(field), "expected a string");
        return std::string(s->data(), s->size());
    }

    std::optional<double> number(std::string_view field, double min, double max) const
    {
        auto const* v = get(field);
        if (!v)
            return std::nullopt;
        if (!v->is_number())
            fail(path(field), "expected a number");
        double const d = v->to_number<double>();
        if (!(d >= min && d <= max))
        {
            std::ostringstream why;
            why << "must be between " << min << " and " << max << " (got " << d << ")";
            fail(path(field), why.str());
        }
        return d;
    }

    std::optional<std::int64_t> integer(std::string_view field, std::int64_t min, std::int64_t max) const
    {
        auto const* v = get(field);
        if (!v)
            return std::nullopt;
        boost::system::error_code ec;
        auto const n = v->is_number() ? v->to_number<std::int64_t>(ec) : 0;
        if (!v->is_number() || ec)
            fail(path(field), "expected a whole number");
        if (n < min || n > max)
            fail(path(field), "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                                  std::to_string(n) + ")");
        return n;
    }

    std::optional<bool> boolean(std::string_view field) const
    {
        auto const* v = get(field);
        if (!v)
            return std::nullopt;
        if (!v->is_bool())
            fail(path(field), "expected true or false");
        return v->as_bool();
    }

    std::optional<std::vector<std::string>> strings(std::string_view field, bool non_empty) const
    {
        auto const* v = get(field);
        if (!v)
            return std::nullopt;
        auto const* a = v->if_array();
        if (!a)
            fail(path(field), "expected an array of strings");
        if (non_empty && a->empty())
            fail(path(field), "must not be empty");
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i)
        {
            auto const* s = (*a)[i].if_string();
            if (!s)
                fail(path(field) + "[" + std::to_string(i) + "]", "expected a string");
            out.emplace_back(s->data(), s->size());
        }
        return out;
    }

    std::optional<section> child(std::string_view field) const
    {
        auto const* v = get(field);
        if (!v)
            return std::nullopt;
        return section(*v, path(field));
    }

private:
    json::object const* obj_ = nullptr;
    std::string path_;
};

std::chrono::seconds seconds_field(section const& s, std::string_view field, std::chrono::seconds fallback,
                                   std::int64_t min, std::int64_t max)
{
    if (auto n = s.integer(field, min, max))
        return std::chrono::seconds(*n);
    return fallback;
}

mlcloud::storage_uri uri_field(section const& s, std::string_view field, mlcloud::storage_uri fallback)
{
    auto text = s.string(field);
    if (!text)
        return fallback;
    auto uri = mlcloud::storage_uri::parse(*text);
    if (!uri)
        fail(s.path(field), uri.error().message);
    return *uri;
}

storage_locations read_storage(std::optional<section> const& s)
{
    storage_locations out;
    if (!s)
        return out;
    s->reject_unknown({"datasets", "models", "inputs"});
    out.datasets = uri_field(*s, "datasets", out.datasets);
    out.models = uri_field(*s, "models", out.models);
    out.inputs = uri_field(*s, "inputs", out.inputs);
    return out;
}

trainer_settings read_trainer(std::optional<section> const& s, trainer_settings out)
{
    if (!s)
        return out;
    s->reject_unknown({"command", "image", "market", "expected_runtime_s"});
    if (auto c = s->strings("command", true))
        out.command = std::move(*c);
    if (auto i = s->string("image"))
        out.image = std::move(*i);
    if (auto m = s->string("market"))
    {
        auto parsed = mlcloud::market_from_string(*m);
        if (!parsed)
            fail(s->path("market"), "expected \"on_demand\" or \"spot\"");
        out.market = *parsed;
    }
    out.expected_runtime = seconds_field(*s, "expected_runtime_s", out.expected_runtime, 1, 30 * 24 * 3600);
    return out;
}

std::string backend_json(section const& s, std::string_view field)
{
    auto const* v = s.get(field);
    if (!v)
        return "{}";
    if (!v->is_object())
        fail(s.path(field), "expected a JSON object (the options of the backend)");
    return json::serialize(*v);
}

std::string provider_name(section const& s, std::string_view field, bool required)
{
    auto p = s.string(field, required);
    if (!p)
        return {};
    if (p->empty() || !std::all_of(p->begin(), p->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }))
        fail(s.path(field), "expected a backend name such as \"local\", \"aws\" or \"runpod\"");
    return *p;
}

limits_config read_limits(std::optional<section> const& s)
{
    limits_config out;
    if (!s)
        return out;
    s->reject_unknown({"max_job_cost_usd", "max_job_runtime_s", "max_concurrent_jobs_per_user",
                       "conversation_timeout_s", "max_file_bytes"});
    if (auto c = s->number("max_job_cost_usd", 0.0, 1e6))
    {
        if (*c <= 0.0)
            fail(s->path("max_job_cost_usd"), "must be above 0 (leave it out for no cap)");
        out.max_job_cost_usd = *c;
    }
    out.max_job_runtime = seconds_field(*s, "max_job_runtime_s", out.max_job_runtime, 1, 30 * 24 * 3600);
    if (auto n = s->integer("max_concurrent_jobs_per_user", 1, 1000))
        out.max_concurrent_jobs_per_user = static_cast<int>(*n);
    out.conversation_timeout = seconds_field(*s, "conversation_timeout_s", out.conversation_timeout, 1, 7 * 24 * 3600);
    if (auto n = s->integer("max_file_bytes", 1, 20ll << 20))
        out.max_file_bytes = static_cast<std::uint64_t>(*n);
    return out;
}

telegram_config read_telegram(std::optional<section> const& s)
{
    telegram_config out;
    if (!s)
        return out;
    s->reject_unknown({"api_base_url", "token_file", "poll_timeout_s", "per_chat_per_second", "per_chat_burst",
                       "global_per_second", "log_edit_interval_ms", "ca_file"});
    if (auto u = s->string("api_base_url"))
    {
        if (!(u->starts_with("https://") || u->starts_with("http://")))
            fail(s->path("api_base_url"), "expected an http:// or https:// URL");
        while (!u->empty() && u->back() == '/')
            u->pop_back();
        out.api_base_url = std::move(*u);
    }
    if (auto f = s->string("token_file"))
        out.token_file = *f;
    out.poll_timeout = seconds_field(*s, "poll_timeout_s", out.poll_timeout, 0, 50);
    if (auto r = s->number("per_chat_per_second", 0.01, 30))
        out.per_chat_per_second = *r;
    if (auto b = s->integer("per_chat_burst", 1, 30))
        out.per_chat_burst = static_cast<unsigned>(*b);
    if (auto r = s->number("global_per_second", 0.1, 1000))
        out.global_per_second = *r;
    if (auto ms = s->integer("log_edit_interval_ms", 0, 3'600'000))
        out.log_edit_interval = std::chrono::milliseconds(*ms);
    if (auto c = s->string("ca_file"))
        out.ca_file = *c;
    return out;
}

/// A JSON array of Telegram ids (users or chats); `positive` refuses 0 and negative ids (group
/// chats have negative ids, users never do).
std::vector<std::int64_t> read_ids(section const& s, std::string_view field, bool positive, std::string_view what)
{
    std::vector<std::int64_t> out;
    auto const* ids = s.get(field);
    if (!ids)
        return out;
    auto const* arr = ids->if_array();
    if (!arr)
        fail(s.path(field), "expected an array of " + std::string(what) + " (numbers)");
    for (std::size_t i = 0; i < arr->size(); ++i)
    {
        boost::system::error_code ec;
        auto const id = (*arr)[i].is_number() ? (*arr)[i].to_number<std::int64_t>(ec) : 0;
        if (!(*arr)[i].is_number() || ec || id == 0 || (positive && id < 0))
            fail(s.path(field) + "[" + std::to_string(i) + "]",
                 std::string(positive ? "expected a positive whole number" : "expected a non-zero whole number") +
                     " (a " + std::string(what).substr(0, what.size() - 1) + ")");
        out.push_back(id);
    }
    return out;
}

orphans_config read_orphans(std::optional<section> const& s)
{
    orphans_config out;
    if (!s)
        return out;
    s->reject_unknown({"check_at_start", "terminate_orphans", "min_age_s", "notify_chat_ids"});
    out.check_at_start = s->boolean("check_at_start").value_or(out.check_at_start);
    out.terminate = s->boolean("terminate_orphans").value_or(out.terminate);
    out.min_age = seconds_field(*s, "min_age_s", out.min_age, 0, 30 * 24 * 3600);
    out.notify_chat_ids = read_ids(*s, "notify_chat_ids", false, "Telegram chat ids");
    return out;
}

bot_config read_config(json::value const& root)
{
    section top(root, "");
    top.reject_unknown({"provider", "backend", "storage", "trainer", "local", "access", "limits", "telegram",
                        "database", "lock_file", "pricing_file", "work_dir", "follow_interval_ms", "orphans"});
    bot_config c;
    c.cloud.provider = provider_name(top, "provider", true);
    c.cloud.backend_json = backend_json(top, "backend");
    c.cloud.storage = read_storage(top.child("storage"));
    c.cloud.trainer = read_trainer(top.child("trainer"), {});

    if (auto l = top.child("local"))
    {
        l->reject_unknown({"enabled", "backend", "storage", "trainer"});
        if (l->boolean("enabled").value_or(true))
        {
            if (c.cloud.provider == "local")
                fail(l->path("enabled"), "the provider is already \"local\"; remove this section");
            target_config local;
            local.provider = "local";
            local.backend_json = backend_json(*l, "backend");
            local.storage = read_storage(l->child("storage"));
            auto trainer = c.cloud.trainer;
            trainer.image.clear();
            trainer.market = mlcloud::market::on_demand;
            local.trainer = read_trainer(l->child("trainer"), trainer);
            c.local = std::move(local);
        }
    }

    if (auto a = top.child("access"))
    {
        a->reject_unknown({"allowed_user_ids"});
        c.allowed_user_ids = read_ids(*a, "allowed_user_ids", true, "Telegram user ids");
    }
    c.limits = read_limits(top.child("limits"));
    c.telegram = read_telegram(top.child("telegram"));
    c.orphans = read_orphans(top.child("orphans"));
    if (auto d = top.string("database"))
    {
        if (d->empty())
            fail(top.path("database"), "must not be empty");
        c.database = *d;
    }
    if (auto l = top.string("lock_file"))
        c.lock_file = *l;
    if (auto p = top.string("pricing_file"))
        c.pricing_file = *p;
    if (auto w = top.string("work_dir"))
        c.work_dir = *w;
    if (auto ms = top.integer("follow_interval_ms", 10, 600'000))
        c.follow_interval = std::chrono::milliseconds(*ms);
    return c;
}

} // namespace

bool bot_config::allowed(std::int64_t user_id) const noexcept
{
    return std::find(allowed_user_ids.begin(), allowed_user_ids.end(), user_id) != allowed_user_ids.end();
}

std::filesystem::path bot_config::effective_lock_file() const
{
    if (!lock_file.empty())
        return lock_file;
    auto p = database;
    p += ".lock";
    return p;
}

std::filesystem::path bot_config::effective_work_dir() const
{
    if (!work_dir.empty())
        return work_dir;
    auto p = database;
    p += ".work";
    return p;
}

mlcloud::result<bot_config> parse_config(std::string_view json_text, std::string_view origin)
{
    boost::system::error_code ec;
    auto const root = json::parse(json_text, ec);
    if (ec)
        return error(errc::invalid_argument, std::string(origin) + ": not valid JSON: " + ec.message());
    try
    {
        return read_config(root);
    }
    catch (config_problem const& p)
    {
        // Redacted as a whole too, and kept to one line: what the file held is quoted in places
        // (field names, values, URIs).
        auto message = mlcloud::net::redact_text(std::string(origin) + ": " + p.message);
        std::replace_if(message.begin(), message.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        return error(errc::invalid_argument, std::move(message));
    }
}

mlcloud::result<bot_config> load_config(std::filesystem::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return error(errc::io_error, "cannot read the configuration file " + path.string());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_config(text, path.string());
}

mlcloud::result<std::string> load_token(telegram_config const& config)
{
    auto const valid = [](std::string const& t) {
        // "<bot id>:<secret>"; the secret's alphabet is base64url.
        auto const colon = t.find(':');
        return colon != std::string::npos && colon > 0 && colon + 1 < t.size() &&
               std::all_of(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) { return c >= '0' && c <= '9'; }) &&
               std::all_of(t.begin() + static_cast<std::ptrdiff_t>(colon) + 1, t.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
               });
    };
    if (char const* env = std::getenv("TELEGRAM_BOT_TOKEN"); env && *env)
    {
        std::string token(env);
        if (!valid(token))
            return error(errc::invalid_argument, "TELEGRAM_BOT_TOKEN does not look like a bot token (<digits>:<secret>)");
        return token;
    }
    if (config.token_file.empty())
        return error(errc::invalid_argument,
                     "no bot token: set TELEGRAM_BOT_TOKEN or telegram.token_file (a file with mode 0600)");
    struct stat st{};
    if (::stat(config.token_file.c_str(), &st) != 0)
        return error(errc::io_error, "telegram.token_file: cannot read " + config.token_file.string());
    if ((st.st_mode & 077) != 0)
        return error(errc::forbidden, "telegram.token_file: " + config.token_file.string() +
                                          " is readable or writable by group or others; run chmod 600 on it");
    std::ifstream in(config.token_file);
    std::string token;
    if (!in || !std::getline(in, token))
        return error(errc::io_error, "telegram.token_file: cannot read " + config.token_file.string());
    while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
        token.pop_back();
    if (!valid(token))
        return error(errc::invalid_argument,
                     "telegram.token_file: the first line does not look like a bot token (<digits>:<secret>)");
    return token;
}

} // namespace mlcloud_bot

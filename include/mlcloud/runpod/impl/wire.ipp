//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RUNPOD_IMPL_WIRE_IPP
#define MLCLOUD_RUNPOD_IMPL_WIRE_IPP

#include <mlcloud/runpod/detail/wire.hpp>

#include <mlcloud/auth/detail/crypto.hpp>
#include <mlcloud/net/redact.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace mlcloud {
namespace runpod {
namespace detail {

namespace json = boost::json;

namespace wire_detail {

inline std::optional<json::value> parse_json(std::string_view body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec)
        return std::nullopt;
    return v;
}

inline std::string string_at(json::object const& o, std::string_view key)
{
    if (auto const* v = o.if_contains(key); v && v->is_string())
        return std::string(v->as_string());
    return {};
}

inline std::optional<double> number_at(json::object const& o, std::string_view key)
{
    auto const* v = o.if_contains(key);
    if (!v)
        return std::nullopt;
    if (v->is_double())
        return v->as_double();
    if (v->is_int64())
        return static_cast<double>(v->as_int64());
    if (v->is_uint64())
        return static_cast<double>(v->as_uint64());
    if (v->is_string()) // the v1 spec's example writes costPerHr as "0.74"
    {
        auto const& s = v->as_string();
        double d = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (ec == std::errc() && p == s.data() + s.size() && std::isfinite(d))
            return d;
    }
    return std::nullopt;
}

/// A count, size or duration: a whole number from 0 to `max`, else nothing. Casting a larger
/// (or negative, or not finite) double to an integer would be undefined behaviour.
inline std::optional<long long> count_at(json::object const& o, std::string_view key, double max = 2147483647.0)
{
    auto d = number_at(o, key);
    if (!d || !std::isfinite(*d) || *d < 0 || *d > max)
        return std::nullopt;
    return static_cast<long long>(*d);
}

inline json::object const* object_at(json::object const& o, std::string_view key)
{
    if (auto const* v = o.if_contains(key); v && v->is_object())
        return &v->as_object();
    return nullptr;
}

inline json::array const* array_at(json::object const& o, std::string_view key)
{
    if (auto const* v = o.if_contains(key); v && v->is_array())
        return &v->as_array();
    return nullptr;
}

inline error malformed(std::string_view what)
{
    return error(errc::protocol_error, "RunPod sent " + std::string(what) + " mlcloud cannot read");
}

inline std::string first_line(std::string_view text, std::size_t limit = 300)
{
    auto end = text.find_first_of("\r\n");
    text = text.substr(0, end);
    if (text.size() > limit)
        return std::string(text.substr(0, limit)) + "...";
    return std::string(text);
}

inline bool parse_int(std::string_view s, int& out) noexcept
{
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

} // namespace wire_detail

// ---------------------------------------------------------------------------------------------
// Time

MLCLOUD_DECL std::optional<time_point> parse_rfc3339(std::string_view t) noexcept
{
    using namespace std::chrono;
    using wire_detail::parse_int;
    // 2026-06-01T12:02:03[.fff](Z|+hh:mm|-hh:mm)
    if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
        t[13] != ':' || t[16] != ':')
        return std::nullopt;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!parse_int(t.substr(0, 4), y) || !parse_int(t.substr(5, 2), mo) || !parse_int(t.substr(8, 2), d) ||
        !parse_int(t.substr(11, 2), h) || !parse_int(t.substr(14, 2), mi) || !parse_int(t.substr(17, 2), s))
        return std::nullopt;
    year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    // system_clock counts nanoseconds in 64 bits (about 1678-2262): other years would overflow.
    if (!ymd.ok() || y < 1900 || y > 2200 || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    std::string_view rest = t.substr(19);
    microseconds frac{0};
    if (!rest.empty() && rest.front() == '.')
    {
        std::size_t i = 1;
        long long scale = 100000;
        long long us = 0;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9')
        {
            us += (rest[i] - '0') * scale;
            scale /= 10;
            ++i;
        }
        if (i == 1)
            return std::nullopt;
        frac = microseconds(us);
        rest.remove_prefix(i);
    }
    minutes offset{0};
    if (rest == "Z" || rest == "z")
        ;
    else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':')
    {
        int oh = 0, om = 0;
        if (!parse_int(rest.substr(1, 2), oh) || !parse_int(rest.substr(4, 2), om) || oh > 23 || om > 59)
            return std::nullopt;
        offset = minutes(oh * 60 + om) * (rest[0] == '-' ? -1 : 1);
    }
    else
        return std::nullopt;
    auto tp = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) + frac - offset;
    return time_point_cast<system_clock::duration>(tp);
}

MLCLOUD_DECL std::string format_rfc3339(time_point t)
{
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto days = floor<std::chrono::days>(secs);
    year_month_day ymd{days};
    hh_mm_ss hms{secs - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Errors

MLCLOUD_DECL problem parse_problem(std::string_view body, int status)
{
    problem p;
    p.status = status;
    auto v = wire_detail::parse_json(body);
    if (v && v->is_object())
    {
        auto const& o = v->as_object();
        p.title = wire_detail::string_at(o, "title");
        p.detail = wire_detail::string_at(o, "detail");
        if (p.detail.empty())
            p.detail = wire_detail::string_at(o, "message"); // v1 and the serverless API
        if (p.detail.empty())
            p.detail = wire_detail::string_at(o, "error");
        if (auto s = wire_detail::count_at(o, "status"))
            p.status = static_cast<int>(*s);
        if (auto const* errors = wire_detail::array_at(o, "errors"))
            for (auto const& e : *errors)
            {
                if (e.is_string())
                    p.errors.emplace_back(e.as_string());
                else if (e.is_object())
                {
                    auto m = wire_detail::string_at(e.as_object(), "message");
                    p.errors.push_back(m.empty() ? json::serialize(e) : m);
                }
            }
        return p;
    }
    p.detail = wire_detail::first_line(body);
    return p;
}

MLCLOUD_DECL std::string describe(problem const& p)
{
    std::string text = !p.detail.empty() ? p.detail : p.title;
    if (text.empty())
        text = "HTTP " + std::to_string(p.status) + " without an explanation";
    if (!p.errors.empty())
    {
        text += " (";
        for (std::size_t i = 0; i < p.errors.size() && i < 5; ++i)
            text += (i ? "; " : "") + p.errors[i];
        if (p.errors.size() > 5)
            text += "; ...";
        text += ")";
    }
    return net::redact_text(wire_detail::first_line(text, 500));
}

MLCLOUD_DECL std::optional<std::chrono::seconds> rate_limit_reset(std::string_view header) noexcept
{
    // A list of items: "name";r=<remaining>;t=<seconds to reset>.
    std::optional<std::chrono::seconds> longest;
    while (!header.empty())
    {
        auto comma = header.find(',');
        std::string_view item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        std::optional<int> r, t;
        while (!item.empty())
        {
            auto semi = item.find(';');
            std::string_view param = item.substr(0, semi);
            item = semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
            while (!param.empty() && param.front() == ' ')
                param.remove_prefix(1);
            while (!param.empty() && param.back() == ' ')
                param.remove_suffix(1);
            int n = 0;
            if (param.starts_with("r=") && wire_detail::parse_int(param.substr(2), n))
                r = n;
            else if (param.starts_with("t=") && wire_detail::parse_int(param.substr(2), n))
                t = n;
        }
        if (r && t && *r <= 0 && *t >= 0)
            longest = std::max(longest.value_or(std::chrono::seconds(0)), std::chrono::seconds(*t));
    }
    return longest;
}

MLCLOUD_DECL std::optional<std::chrono::milliseconds> throttle_wait(std::optional<std::chrono::milliseconds> retry_after,
                                                                    std::optional<std::string_view> rate_limit) noexcept
{
    std::optional<std::chrono::milliseconds> longest = retry_after;
    if (rate_limit)
        if (auto reset = rate_limit_reset(*rate_limit); reset && (!longest || *reset > *longest))
            longest = *reset;
    if (longest)
        longest = std::max(*longest, std::chrono::milliseconds(1));
    return longest;
}

// ---------------------------------------------------------------------------------------------
// Pods

MLCLOUD_DECL std::string to_json(pod_create const& p)
{
    json::object o;
    o["name"] = p.name;
    o["image"] = p.image;
    if (!p.args.empty())
        o["args"] = p.args;
    // Always send the count: without it every create failed with "no instances available".
    o["gpu"] = json::object{{"id", p.gpu_id}, {"count", p.gpu_count}};
    o["cloud"] = p.cloud;
    if (!p.datacenters.empty())
    {
        json::array dcs;
        for (auto const& dc : p.datacenters)
            dcs.emplace_back(dc);
        o["dataCenterIds"] = std::move(dcs);
    }
    o["disk"] = p.disk_gb;
    json::object env;
    for (auto const& [k, v] : p.env)
        env[k] = v;
    o["env"] = std::move(env);
    if (!p.ports.empty())
    {
        json::array ports;
        for (auto const& port : p.ports)
            ports.emplace_back(port);
        o["ports"] = std::move(ports);
    }
    if (!p.volume_id.empty())
        o["mounts"] = json::object{
            {"network", json::array{json::object{{"volumeId", p.volume_id}, {"path", p.mount_path}}}}};
    return json::serialize(o);
}

namespace wire_detail {

inline pod_info pod_from(json::object const& o)
{
    pod_info p;
    p.id = string_at(o, "id");
    p.name = string_at(o, "name");
    p.status = string_at(o, "status");
    p.image = string_at(o, "image");
    p.cloud = string_at(o, "cloud");
    p.datacenter = string_at(o, "dataCenterId");
    if (auto const* gpu = object_at(o, "gpu"))
    {
        p.gpu_id = string_at(*gpu, "id");
        p.gpu_count = static_cast<int>(count_at(*gpu, "count").value_or(1));
    }
    p.cost_per_hour = number_at(o, "cost").value_or(0.0);
    if (auto const* env = object_at(o, "env"))
        for (auto const& [k, v] : *env)
            if (v.is_string())
                p.env[std::string(k)] = std::string(v.as_string());
    p.created_at = parse_rfc3339(string_at(o, "createdAt"));
    p.started_at = parse_rfc3339(string_at(o, "startedAt"));
    if (auto const* runtime = object_at(o, "runtime"))
        if (auto up = count_at(*runtime, "uptime", 1e12))
            p.uptime = std::chrono::seconds(*up);
    if (auto const* actions = array_at(o, "actions"))
        for (auto const& a : *actions)
            if (a.is_string())
                p.actions.emplace_back(a.as_string());
    if (auto const* mounts = object_at(o, "mounts"))
        if (auto const* network = array_at(*mounts, "network"); network && !network->empty() && network->at(0).is_object())
        {
            p.volume_id = string_at(network->at(0).as_object(), "volumeId");
            p.mount_path = string_at(network->at(0).as_object(), "path");
        }
    return p;
}

} // namespace wire_detail

MLCLOUD_DECL result<pod_info> parse_pod(std::string_view body)
{
    auto v = wire_detail::parse_json(body);
    if (!v || !v->is_object())
        return wire_detail::malformed("a pod");
    auto p = wire_detail::pod_from(v->as_object());
    if (p.id.empty())
        return wire_detail::malformed("a pod without an id");
    return p;
}

MLCLOUD_DECL result<std::vector<pod_info>> parse_pod_list(std::string_view body)
{
    auto v = wire_detail::parse_json(body);
    if (!v || !v->is_object())
        return wire_detail::malformed("a pod list");
    auto const* pods = wire_detail::array_at(v->as_object(), "pods");
    if (!pods)
        return wire_detail::malformed("a pod list without \"pods\"");
    std::vector<pod_info> out;
    for (auto const& p : *pods)
        if (p.is_object())
            out.push_back(wire_detail::pod_from(p.as_object()));
    return out;
}

MLCLOUD_DECL job_state state_of(std::string_view s) noexcept
{
    if (s == "PROVISIONING" || s == "STARTING")
        return job_state::provisioning;
    if (s == "RUNNING")
        return job_state::running;
    if (s == "EXITED" || s == "ERROR")
        return job_state::failed; // unless the log shows the completion marker
    if (s == "TERMINATED")
        return job_state::cancelled; // unless the log shows the marker or an exit line
    return job_state::unknown;
}

MLCLOUD_DECL bool has_ended(std::string_view s) noexcept
{
    return s == "EXITED" || s == "ERROR" || s == "TERMINATED";
}

MLCLOUD_DECL std::string pod_name(std::string_view job_name, std::string_view idempotency_key)
{
    std::string slug;
    for (char c : job_name)
    {
        char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
        if (keep)
            slug += lower;
        else if (!slug.empty() && slug.back() != '-')
            slug += '-';
        if (slug.size() >= 30)
            break;
    }
    while (!slug.empty() && slug.back() == '-')
        slug.pop_back();
    auto digest = auth::detail::to_hex(auth::detail::sha256(idempotency_key)).substr(0, 16);
    return "mlcloud-" + (slug.empty() ? std::string() : slug + "-") + digest;
}

MLCLOUD_DECL std::string join_args(std::vector<std::string> const& argv)
{
    auto plain = [](std::string_view a) {
        return !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
        });
    };
    std::string out;
    for (auto const& a : argv)
    {
        if (!out.empty())
            out += ' ';
        if (plain(a))
        {
            out += a;
            continue;
        }
        out += '\'';
        for (char c : a)
        {
            if (c == '\'')
                out += "'\\''";
            else
                out += c;
        }
        out += '\'';
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Logs

MLCLOUD_DECL log_event parse_log_event(std::string_view data)
{
    log_event e;
    if (auto v = wire_detail::parse_json(data); v && v->is_object() && v->as_object().contains("line"))
    {
        auto const& o = v->as_object();
        e.ts = wire_detail::string_at(o, "ts");
        e.source = wire_detail::string_at(o, "source");
        e.line = wire_detail::string_at(o, "line");
    }
    else
        e.line = std::string(data);
    while (!e.line.empty() && (e.line.back() == '\n' || e.line.back() == '\r'))
        e.line.pop_back();
    return e;
}

MLCLOUD_DECL void observe_line(log_outcome& o, std::string_view line)
{
    if (o.decided())
        return;
    if (line.find(completion_marker) != std::string_view::npos)
    {
        o.completed = true;
        return;
    }
    auto at = line.find(exit_line_prefix);
    if (at == std::string_view::npos)
        return;
    auto rest = line.substr(at + exit_line_prefix.size());
    int code = 0;
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), code);
    if (ec == std::errc())
        o.exit_code = code;
}

// ---------------------------------------------------------------------------------------------
// GPU catalog

MLCLOUD_DECL result<std::vector<catalog_gpu>> parse_catalog(std::string_view body)
{
    using namespace wire_detail;
    auto v = parse_json(body);
    if (!v || !v->is_object() || !array_at(v->as_object(), "gpus"))
        return malformed("a GPU catalog");
    std::vector<catalog_gpu> out;
    for (auto const& item : *array_at(v->as_object(), "gpus"))
    {
        if (!item.is_object())
            continue;
        auto const& o = item.as_object();
        catalog_gpu g;
        g.id = string_at(o, "id");
        if (g.id.empty())
            continue;
        g.name = string_at(o, "name");
        g.pool = string_at(o, "pool");
        g.memory_gb = static_cast<int>(count_at(o, "memory").value_or(0));
        if (auto const* s = o.if_contains("secure"); s && s->is_bool())
            g.secure = s->as_bool();
        if (auto const* c = o.if_contains("community"); c && c->is_bool())
            g.community = c->as_bool();
        if (auto const* price = object_at(o, "price"))
        {
            g.secure_price = number_at(*price, "secure");
            g.community_price = number_at(*price, "community");
            g.serverless_price = number_at(*price, "serverless");
        }
        out.push_back(std::move(g));
    }
    return out;
}

MLCLOUD_DECL std::size_t apply_catalog(messages::pricing_table& table, std::vector<catalog_gpu> const& gpus,
                                       std::string_view as_of)
{
    std::size_t changed = 0;
    for (auto const& g : gpus)
    {
        auto const* existing = table.find("runpod", g.id);
        bool const offered_row = existing && existing->offered;
        if (!offered_row && !(g.secure_price && *g.secure_price > 0))
            continue; // nothing to add: no price we could quote
        messages::gpu_offer row = offered_row ? *existing : messages::gpu_offer{};
        row.provider = "runpod";
        row.id = g.id;
        row.offered = true;
        if (!offered_row)
        {
            row.display_name = g.name.empty() ? g.id : g.name;
            row.gpu = row.display_name;
            row.billing = messages::per_second_billing;
        }
        if (g.memory_gb > 0)
            row.vram_gb = g.memory_gb;
        if (!g.pool.empty())
            row.serverless_pool = g.pool;
        // The community price is the catalog's word either way: none listed means RunPod no
        // longer offers one, and the old estimate must not be quoted on. The row is stamped as
        // read today only when the catalog gave its on-demand price.
        if (g.community_price && *g.community_price > 0)
            row.spot_usd_per_hour = *g.community_price;
        else
            row.spot_usd_per_hour.reset();
        if (g.secure_price && *g.secure_price > 0)
        {
            row.on_demand_usd_per_hour = *g.secure_price;
            row.source = "RunPod GPU catalog (GET /v2/catalog/gpus)";
            row.as_of = std::string(as_of);
            row.note.clear();
            row.confidence = messages::confidence::high;
        }
        table.upsert(std::move(row));
        ++changed;
    }
    return changed;
}

// ---------------------------------------------------------------------------------------------
// Network volumes

namespace wire_detail {

inline volume_info volume_from(json::object const& o)
{
    volume_info v;
    v.id = string_at(o, "id");
    v.name = string_at(o, "name");
    v.datacenter = string_at(o, "dataCenter");
    if (v.datacenter.empty())
        v.datacenter = string_at(o, "dataCenterId");
    v.type = string_at(o, "type");
    v.size_gb = static_cast<int>(count_at(o, "size").value_or(0));
    return v;
}

} // namespace wire_detail

MLCLOUD_DECL result<volume_info> parse_volume(std::string_view body)
{
    auto v = wire_detail::parse_json(body);
    if (!v || !v->is_object())
        return wire_detail::malformed("a network volume");
    auto vol = wire_detail::volume_from(v->as_object());
    if (vol.id.empty())
        return wire_detail::malformed("a network volume without an id");
    return vol;
}

MLCLOUD_DECL result<std::vector<volume_info>> parse_volume_list(std::string_view body)
{
    auto v = wire_detail::parse_json(body);
    if (!v || !v->is_object())
        return wire_detail::malformed("a network volume list");
    auto const* list = wire_detail::array_at(v->as_object(), "networkVolumes");
    if (!list)
        return wire_detail::malformed("a network volume list without \"networkVolumes\"");
    std::vector<volume_info> out;
    for (auto const& item : *list)
        if (item.is_object())
            out.push_back(wire_detail::volume_from(item.as_object()));
    return out;
}

MLCLOUD_DECL std::string volume_create_body(std::string_view name, std::string_view datacenter, int size_gb)
{
    return json::serialize(json::object{{"name", name}, {"dataCenter", datacenter}, {"size", size_gb}});
}

// ---------------------------------------------------------------------------------------------
// Serverless

MLCLOUD_DECL std::string to_json(prediction_input const& in)
{
    json::object input;
    input["model"] = in.model;
    if (!in.input.empty())
        input["input"] = in.input;
    else
        input["rows"] = in.rows;
    if (!in.request_key.empty())
        input["request"] = in.request_key;
    json::object o;
    o["input"] = std::move(input);
    json::object policy;
    if (in.execution_timeout.count() > 0)
        policy["executionTimeout"] = in.execution_timeout.count();
    if (in.ttl.count() > 0)
        policy["ttl"] = in.ttl.count();
    if (!policy.empty())
        o["policy"] = std::move(policy);
    return json::serialize(o);
}

MLCLOUD_DECL result<job_object> parse_job(std::string_view body)
{
    using namespace wire_detail;
    auto v = parse_json(body);
    if (!v || !v->is_object())
        return malformed("a serverless job");
    auto const& o = v->as_object();
    job_object j;
    j.id = string_at(o, "id");
    j.status = string_at(o, "status");
    if (j.status.empty())
        return malformed("a serverless job without a status");
    if (auto d = count_at(o, "delayTime", 1e12))
        j.delay = std::chrono::milliseconds(*d);
    if (auto e = count_at(o, "executionTime", 1e12))
        j.execution = std::chrono::milliseconds(*e);
    if (auto const* out = o.if_contains("output"); out && !out->is_null())
    {
        j.has_output = true;
        if (out->is_object() && out->as_object().contains("predictions") &&
            out->as_object().at("predictions").is_string())
            j.predictions = std::string(out->as_object().at("predictions").as_string());
        else if (out->is_string())
            j.output_text = std::string(out->as_string());
        else
            j.output_text = json::serialize(*out);
    }
    if (auto const* err = o.if_contains("error"); err && !err->is_null())
        j.error = err->is_string() ? std::string(err->as_string()) : json::serialize(*err);
    return j;
}

MLCLOUD_DECL bool is_final(std::string_view s) noexcept
{
    return s == "COMPLETED" || s == "FAILED" || s == "CANCELLED" || s == "TIMED_OUT";
}

namespace wire_detail {

// The worker's convention (examples/runpod_worker/README.md): "<code>: <message>".
inline mlcloud::error error_from_convention(std::string_view text)
{
    static constexpr std::pair<std::string_view, errc> codes[] = {
        {"not_found", errc::not_found},           {"invalid_argument", errc::invalid_argument},
        {"payload_too_large", errc::payload_too_large}, {"io_error", errc::io_error},
        {"job_failed", errc::job_failed},
    };
    for (auto const& [name, code] : codes)
        if (text.size() > name.size() + 1 && text.substr(0, name.size()) == name && text[name.size()] == ':')
        {
            auto msg = text.substr(name.size() + 1);
            while (!msg.empty() && msg.front() == ' ')
                msg.remove_prefix(1);
            return mlcloud::error(code, net::redact_text(first_line(msg, 1000)));
        }
    return mlcloud::error(errc::job_failed, net::redact_text(first_line(text, 1000)));
}

} // namespace wire_detail

MLCLOUD_DECL mlcloud::error decode_job_error(std::string_view text)
{
    using namespace wire_detail;
    if (auto v = parse_json(text))
    {
        if (v->is_string()) // encoded twice
            return decode_job_error(v->as_string());
        if (v->is_object())
        {
            auto const& o = v->as_object();
            auto message = string_at(o, "error_message");
            auto type = string_at(o, "error_type");
            if (message.empty())
                message = string_at(o, "error");
            if (message.empty())
                message = string_at(o, "message");
            if (!message.empty())
            {
                auto e = error_from_convention(message);
                if (e.is(errc::job_failed) && !type.empty())
                {
                    // An uncaught exception in a runpod-python worker: its type says what went wrong.
                    if (type.find("FileNotFoundError") != std::string::npos)
                        e.code = make_error_code(errc::not_found);
                    else if (type.find("ValueError") != std::string::npos || type.find("KeyError") != std::string::npos)
                        e.code = make_error_code(errc::invalid_argument);
                    // "<class 'module.FileNotFoundError'>" -> "FileNotFoundError"
                    std::string_view name = type;
                    if (name.starts_with("<class '") && name.ends_with("'>"))
                        name = name.substr(8, name.size() - 10);
                    if (auto dot = name.rfind('.'); dot != std::string_view::npos)
                        name.remove_prefix(dot + 1);
                    // The type is the worker's text too: one line of it, redacted with the message.
                    e.message = net::redact_text(first_line(name, 200) + ": " + e.message);
                }
                return e;
            }
        }
    }
    if (text.empty())
        return mlcloud::error(errc::job_failed, "the worker failed without saying why");
    return error_from_convention(text);
}

MLCLOUD_DECL result<endpoint_health> parse_health(std::string_view body)
{
    using namespace wire_detail;
    auto v = parse_json(body);
    if (!v || !v->is_object())
        return malformed("an endpoint health report");
    auto const& o = v->as_object();
    auto count = [](json::object const* obj, std::string_view key) {
        return obj ? static_cast<int>(count_at(*obj, key).value_or(0)) : 0;
    };
    auto const* w = object_at(o, "workers");
    auto const* j = object_at(o, "jobs");
    endpoint_health h;
    h.idle = count(w, "idle");
    h.running = count(w, "running");
    h.initializing = count(w, "initializing");
    h.unhealthy = count(w, "unhealthy");
    h.throttled = count(w, "throttled");
    h.in_queue = count(j, "inQueue");
    h.in_progress = count(j, "inProgress");
    h.completed = count(j, "completed");
    h.failed = count(j, "failed");
    h.retried = count(j, "retried");
    return h;
}

} // namespace detail
} // namespace runpod
} // namespace mlcloud

#endif

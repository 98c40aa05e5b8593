//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_IMPL_SERIALIZATION_IPP
#define MLCLOUD_IMPL_SERIALIZATION_IPP

#include <mlcloud/serialization.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>

#include <chrono>

namespace mlcloud {
namespace detail {

// Reads fields of one JSON object, remembering the first problem with its field name.
class json_reader
{
public:
    json_reader(boost::json::value const& v, std::string_view what) : what_(what)
    {
        obj_ = v.if_object();
        if (!obj_)
            fail("", "expected a JSON object");
    }

    bool ok() const noexcept { return !problem_; }
    error problem() const { return *problem_; }

    void string(std::string_view field, std::string& out, bool required = false)
    {
        auto const* v = find(field, required);
        if (!v)
            return;
        if (auto const* s = v->if_string())
            out.assign(s->data(), s->size());
        else
            fail(field, "expected a string");
    }

    void boolean(std::string_view field, bool& out)
    {
        auto const* v = find(field, false);
        if (!v)
            return;
        if (auto const* b = v->if_bool())
            out = *b;
        else
            fail(field, "expected true or false");
    }

    template <class Number>
    void number(std::string_view field, Number& out)
    {
        auto const* v = find(field, false);
        if (!v)
            return;
        if (v->is_number())
        {
            boost::system::error_code ec;
            auto n = v->to_number<Number>(ec);
            if (!ec)
            {
                out = n;
                return;
            }
        }
        fail(field, "expected a number");
    }

    boost::json::value const* find(std::string_view field, bool required)
    {
        if (!obj_ || problem_)
            return nullptr;
        auto const* v = obj_->if_contains(field);
        if (v && v->is_null())
            v = nullptr;
        if (!v && required)
            fail(field, "is missing");
        return v;
    }

    void fail(std::string_view field, std::string_view why)
    {
        if (problem_)
            return;
        std::string where(what_);
        if (!field.empty())
            where += "." + std::string(field);
        problem_ = error(errc::invalid_argument, where + ": " + std::string(why));
    }

private:
    std::string_view what_;
    boost::json::object const* obj_ = nullptr;
    std::optional<error> problem_;
};

inline std::int64_t to_unix_ms(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// system_clock counts nanoseconds in 64 bits: about 292 years either side of 1970. A record
// with a time beyond +-9e12 ms (years 1685-2255) is refused rather than overflowing.
inline constexpr std::int64_t max_unix_ms = 9'000'000'000'000;

inline std::chrono::system_clock::time_point from_unix_ms(std::int64_t ms)
{
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

} // namespace detail

MLCLOUD_DECL std::optional<job_state> job_state_from_string(std::string_view s) noexcept
{
    for (auto st : {job_state::pending, job_state::provisioning, job_state::running, job_state::succeeded,
                    job_state::failed, job_state::cancelled, job_state::preempted, job_state::timed_out,
                    job_state::unknown})
        if (to_string(st) == s)
            return st;
    return std::nullopt;
}

MLCLOUD_DECL std::optional<market> market_from_string(std::string_view s) noexcept
{
    if (s == "spot")
        return market::spot;
    if (s == "on_demand" || s == "on-demand")
        return market::on_demand;
    return std::nullopt;
}

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, compute_type const& c)
{
    v = {{"id", c.id}, {"gpu_count", c.gpu_count}};
}

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, cost const& c)
{
    v = {{"usd", c.usd}, {"billed_seconds", c.billed.count()}, {"basis", c.basis}};
    if (!c.known) // left out when known: what earlier versions wrote reads the same
        v.as_object()["known"] = false;
}

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, storage_uri const& u)
{
    v = u.str();
}

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, log_cursor const& c)
{
    v = c.token;
}

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, job_handle const& h)
{
    boost::json::object o;
    o["provider"] = h.provider;
    o["id"] = h.id;
    o["name"] = h.name;
    o["compute"] = boost::json::value_from(h.compute);
    o["market"] = to_string(h.market);
    o["price_per_hour"] = h.price_per_hour;
    o["launched_at_ms"] = detail::to_unix_ms(h.launched_at);
    o["region"] = h.region;
    if (h.output)
        o["output"] = h.output->str();
    v = std::move(o);
}

MLCLOUD_DECL void tag_invoke(boost::json::value_from_tag, boost::json::value& v, job_status const& s)
{
    boost::json::object o;
    o["state"] = to_string(s.state);
    o["detail"] = s.detail;
    if (s.exit_code)
        o["exit_code"] = *s.exit_code;
    o["cost_so_far"] = boost::json::value_from(s.cost_so_far);
    v = std::move(o);
}

template <>
MLCLOUD_DECL result<compute_type> from_json<compute_type>(boost::json::value const& v)
{
    detail::json_reader r(v, "compute");
    compute_type c;
    r.string("id", c.id, true);
    r.number("gpu_count", c.gpu_count);
    if (!r.ok())
        return r.problem();
    return c;
}

template <>
MLCLOUD_DECL result<cost> from_json<cost>(boost::json::value const& v)
{
    detail::json_reader r(v, "cost");
    cost c;
    std::int64_t billed = 0;
    r.number("usd", c.usd);
    r.number("billed_seconds", billed);
    r.string("basis", c.basis);
    r.boolean("known", c.known);
    if (!r.ok())
        return r.problem();
    c.billed = std::chrono::seconds(billed);
    return c;
}

template <>
MLCLOUD_DECL result<storage_uri> from_json<storage_uri>(boost::json::value const& v)
{
    if (!v.is_string())
        return error(errc::invalid_argument, "storage URI: expected a string");
    return storage_uri::parse(v.get_string());
}

template <>
MLCLOUD_DECL result<log_cursor> from_json<log_cursor>(boost::json::value const& v)
{
    if (v.is_null())
        return log_cursor{};
    if (!v.is_string())
        return error(errc::invalid_argument, "log cursor: expected a string");
    return log_cursor{std::string(v.get_string())};
}

template <>
MLCLOUD_DECL result<job_handle> from_json<job_handle>(boost::json::value const& v)
{
    detail::json_reader r(v, "job_handle");
    job_handle h;
    r.string("provider", h.provider, true);
    r.string("id", h.id, true);
    r.string("name", h.name);
    r.string("region", h.region);
    r.number("price_per_hour", h.price_per_hour);
    std::string market_name;
    r.string("market", market_name);
    std::int64_t launched = 0;
    r.number("launched_at_ms", launched);
    if (launched < -detail::max_unix_ms || launched > detail::max_unix_ms)
        r.fail("launched_at_ms", "out of range");
    else
        h.launched_at = detail::from_unix_ms(launched);
    if (!market_name.empty())
    {
        if (auto m = market_from_string(market_name))
            h.market = *m;
        else
            r.fail("market", "expected \"spot\" or \"on_demand\"");
    }
    if (auto const* c = r.find("compute", false))
    {
        auto parsed = from_json<compute_type>(*c);
        if (!parsed)
            return parsed.error();
        h.compute = *parsed;
    }
    if (auto const* o = r.find("output", false))
    {
        auto parsed = from_json<storage_uri>(*o);
        if (!parsed)
            return parsed.error();
        h.output = *parsed;
    }
    if (!r.ok())
        return r.problem();
    return h;
}

template <>
MLCLOUD_DECL result<job_status> from_json<job_status>(boost::json::value const& v)
{
    detail::json_reader r(v, "job_status");
    job_status s;
    std::string state;
    r.string("state", state, true);
    r.string("detail", s.detail);
    int exit_code = 0;
    if (r.find("exit_code", false))
    {
        r.number("exit_code", exit_code);
        s.exit_code = exit_code;
    }
    if (!r.ok())
        return r.problem();
    if (auto st = job_state_from_string(state))
        s.state = *st;
    else
        return error(errc::invalid_argument, "job_status.state: unknown state '" + state + "'");
    if (auto const* c = r.find("cost_so_far", false))
    {
        auto parsed = from_json<cost>(*c);
        if (!parsed)
            return parsed.error();
        s.cost_so_far = *parsed;
    }
    return s;
}

} // namespace mlcloud

#endif

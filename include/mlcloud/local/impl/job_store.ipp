//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_IMPL_JOB_STORE_IPP
#define MLCLOUD_LOCAL_IMPL_JOB_STORE_IPP

#include <mlcloud/local/detail/job_store.hpp>

#include <mlcloud/local/detail/files.hpp>
#include <mlcloud/serialization.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <ctime>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlcloud {
namespace local {
namespace detail {

MLCLOUD_DECL std::filesystem::path idempotency_key_path(std::filesystem::path const& state_dir, std::string_view key)
{
    return state_dir / "keys" / sha256_hex(key);
}

MLCLOUD_DECL std::string make_job_id(std::chrono::system_clock::time_point now)
{
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &utc);
    return "local-" + std::string(stamp) + "-" + random_hex(4);
}

MLCLOUD_DECL bool is_job_id(std::string_view id) noexcept
{
    // local-YYYYMMDDTHHMMSS-xxxxxxxx
    constexpr std::string_view shape = "local-DDDDDDDDTDDDDDD-XXXXXXXX";
    if (id.size() != shape.size())
        return false;
    for (std::size_t i = 0; i < id.size(); ++i)
    {
        char c = id[i];
        bool ok = shape[i] == 'D'   ? (c >= '0' && c <= '9')
                : shape[i] == 'X' ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                                  : c == shape[i];
        if (!ok)
            return false;
    }
    return true;
}

inline std::chrono::system_clock::time_point from_ms(long long ms)
{
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(ms)));
}

MLCLOUD_DECL std::string serialize(job_record const& r)
{
    boost::json::array command;
    for (auto const& a : r.command)
        command.emplace_back(a);
    return boost::json::serialize(boost::json::object{
        {"handle", boost::json::value_from(r.handle)},
        {"idempotency_key", r.idempotency_key},
        {"command", std::move(command)},
        {"max_runtime_s", r.max_runtime.count()},
        {"grace_ms", r.grace.count()},
    });
}

inline error corrupt(std::string_view what, std::string_view why)
{
    return local_error(errc::protocol_error, "the job's " + std::string(what) + " is damaged: " + std::string(why));
}

MLCLOUD_DECL result<job_record> parse_job_record(std::string_view json)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object())
        return corrupt("job.json", ec ? ec.message() : "not an object");
    auto const& o = v.get_object();
    job_record r;
    try
    {
        auto handle = from_json<job_handle>(o.at("handle"));
        if (!handle)
            return corrupt("job.json", handle.error().message);
        r.handle = std::move(*handle);
        r.idempotency_key = o.at("idempotency_key").as_string();
        for (auto const& a : o.at("command").as_array())
            r.command.emplace_back(a.as_string());
        r.max_runtime = std::chrono::seconds(o.at("max_runtime_s").to_number<long long>());
        r.grace = std::chrono::milliseconds(o.at("grace_ms").to_number<long long>());
    }
    catch (std::exception const& e)
    {
        return corrupt("job.json", e.what());
    }
    return r;
}

// Async-signal-safe text building for the supervisor.
struct fixed_writer
{
    char* buf;
    std::size_t cap;
    std::size_t len = 0;
    bool overflow = false;

    void put(char const* s) noexcept
    {
        for (; *s; ++s)
            put_char(*s);
    }
    void put_char(char c) noexcept
    {
        if (len < cap)
            buf[len++] = c;
        else
            overflow = true;
    }
    void put_int(long long v) noexcept
    {
        char digits[24];
        int n = 0;
        unsigned long long u = v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
        do
            digits[n++] = static_cast<char>('0' + u % 10);
        while ((u /= 10) != 0);
        if (v < 0)
            put_char('-');
        while (n > 0)
            put_char(digits[--n]);
    }
};

inline constexpr char const* outcome_names[] = {"exited", "cancelled", "timed_out", "start_failed"};

MLCLOUD_DECL std::size_t format_job_outcome(char* buf, std::size_t cap, job_outcome::kind_t kind, int wait_status,
                                            int step, int err, long long finished_ms) noexcept
{
    fixed_writer w{buf, cap};
    w.put("{\"outcome\":\"");
    w.put(outcome_names[kind]);
    w.put("\"");
    if (kind != job_outcome::start_failed && WIFEXITED(wait_status))
    {
        w.put(",\"exit_code\":");
        w.put_int(WEXITSTATUS(wait_status));
    }
    else if (kind != job_outcome::start_failed && WIFSIGNALED(wait_status))
    {
        w.put(",\"signal\":");
        w.put_int(WTERMSIG(wait_status));
    }
    w.put(",\"step\":");
    w.put_int(step);
    w.put(",\"errno\":");
    w.put_int(err);
    w.put(",\"finished_at_ms\":");
    w.put_int(finished_ms);
    w.put("}\n");
    return w.overflow ? 0 : w.len;
}

MLCLOUD_DECL result<job_outcome> parse_job_outcome(std::string_view json)
{
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_object())
        return corrupt("result.json", ec ? ec.message() : "not an object");
    auto const& o = v.get_object();
    job_outcome r;
    try
    {
        auto name = o.at("outcome").as_string();
        auto it = std::find(std::begin(outcome_names), std::end(outcome_names), std::string_view(name));
        if (it == std::end(outcome_names))
            return corrupt("result.json", "unknown outcome '" + std::string(name) + "'");
        r.kind = static_cast<job_outcome::kind_t>(it - std::begin(outcome_names));
        if (auto const* c = o.if_contains("exit_code"))
            r.exit_code = c->to_number<int>();
        if (auto const* s = o.if_contains("signal"))
            r.signal = s->to_number<int>();
        r.step = o.at("step").to_number<int>();
        r.err = o.at("errno").to_number<int>();
        r.finished = from_ms(o.at("finished_at_ms").to_number<long long>());
    }
    catch (std::exception const& e)
    {
        return corrupt("result.json", e.what());
    }
    return r;
}

MLCLOUD_DECL pid_t lock_holder(std::filesystem::path const& lock) noexcept
{
    unique_fd fd(::open(lock.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd)
        return 0;
    struct flock probe{};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    if (::fcntl(fd.get(), F_GETLK, &probe) != 0 || probe.l_type == F_UNLCK)
        return 0;
    return probe.l_pid;
}

} // namespace detail
} // namespace local
} // namespace mlcloud

#endif

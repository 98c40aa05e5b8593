//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// The fault matrix's vocabulary: the faults tests/fakes/fault_proxy.py injects, the provider
// operations they are injected into, what each cell is expected to end in, and the printed
// matrix (operation x fault -> outcome).
#ifndef MLCLOUD_TESTS_INTEGRATION_FAULTS_TEST_HPP
#define MLCLOUD_TESTS_INTEGRATION_FAULTS_TEST_HPP

#include <mlcloud/blocking.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/net/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <catch2/catch.hpp>
#include <fixtures.hpp>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace faults_test {

namespace json = boost::json;
namespace net = mlcloud::net;
using mlcloud::errc;

enum class fault
{
    reset_before_headers,
    reset_after_headers,
    status_500,
    status_503,
    status_429,
    timeout,
    truncated,
    malformed,
    expired,
    status_500_always,
};

/// Every fault, in the enumeration's order (the matrix's columns).
inline constexpr auto all_faults = [] {
    std::array<fault, static_cast<std::size_t>(fault::status_500_always) + 1> out{};
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<fault>(i);
    return out;
}();

/// The proxy's name of the fault.
inline std::string_view proxy_kind(fault f)
{
    switch (f)
    {
    case fault::reset_before_headers: return "reset_before_headers";
    case fault::reset_after_headers: return "reset_after_headers";
    case fault::status_500: return "status_500";
    case fault::status_503: return "status_503";
    case fault::status_429: return "status_429";
    case fault::timeout: return "timeout";
    case fault::truncated: return "truncated";
    case fault::malformed: return "malformed";
    case fault::expired: return "expired";
    case fault::status_500_always: return "status_500";
    }
    return "";
}

inline std::string_view title(fault f)
{
    switch (f)
    {
    case fault::reset_before_headers: return "reset before headers";
    case fault::reset_after_headers: return "reset after headers";
    case fault::status_500: return "500";
    case fault::status_503: return "503 / SlowDown";
    case fault::status_429: return "429 + Retry-After";
    case fault::timeout: return "timeout";
    case fault::truncated: return "truncated body";
    case fault::malformed: return "malformed body";
    case fault::expired: return "expired credential";
    case fault::status_500_always: return "500 on every attempt";
    }
    return "";
}

enum class operation
{
    launch,
    status,
    logs,
    terminate,
    upload,
    download,
    list,
    remove,
    predict,
};

inline constexpr std::array all_operations{operation::launch, operation::status,   operation::logs,
                                           operation::terminate, operation::upload, operation::download,
                                           operation::list,   operation::remove,   operation::predict};

inline std::string_view name(operation o)
{
    switch (o)
    {
    case operation::launch: return "launch";
    case operation::status: return "status";
    case operation::logs: return "logs";
    case operation::terminate: return "terminate";
    case operation::upload: return "upload";
    case operation::download: return "download";
    case operation::list: return "list";
    case operation::remove: return "remove";
    case operation::predict: return "predict";
    }
    return "";
}

/// What one cell ended in.
struct observed
{
    std::optional<mlcloud::error> failure; ///< unset: the operation succeeded
    std::string wrong;                     ///< when it succeeded: what was wrong with its result
    std::size_t attempts = 0;              ///< requests of the faulted operation the proxy saw
    std::optional<std::size_t> machines;   ///< launch: machines the provider holds for the job
    std::string note;                      ///< the proxy's note ("no body to cut")
    std::string faulted_text;              ///< the text the fault was scoped to (counts the attempts)
};

/// What a cell must end in: success (checked against the right result) or this error code.
struct expected
{
    std::optional<errc> code;

    static expected ok() { return {}; }
    static expected error(errc c) { return {c}; }
};

inline std::string errc_name(boost::system::error_code const& c)
{
    static constexpr std::array names{"",         "invalid_argument", "not_found",        "already_exists",
                                      "unauthorized", "forbidden",    "quota",            "capacity",
                                      "throttled", "timeout",         "outcome_unknown",  "not_supported",
                                      "conflict",  "payload_too_large", "expired",        "provider_error",
                                      "protocol_error", "network_error", "io_error",      "job_failed",
                                      "cancelled"};
    if (c.category() == mlcloud::error_category() && c.value() > 0 && static_cast<std::size_t>(c.value()) < names.size())
        return names[static_cast<std::size_t>(c.value())];
    return c.message();
}

inline bool matches(observed const& o, expected const& e)
{
    if (!e.code)
        return !o.failure && o.wrong.empty();
    return o.failure && o.failure->is(*e.code);
}

/// The text of a cell in the printed matrix.
inline std::string cell_text(observed const& o, expected const& e)
{
    std::string s;
    if (!o.failure && o.wrong.empty())
        s = o.attempts > 1 ? "retried ✓" : "ok ✓";
    else if (o.failure)
        s = "`" + errc_name(o.failure->code) + "`";
    else
        s = "wrong result";
    if (o.machines)
        s += ", " + std::to_string(*o.machines) + (*o.machines == 1 ? " machine" : " machines");
    if (!o.note.empty())
        s += " (" + o.note + ")";
    if (!matches(o, e))
        s = "✗ " + s + ", expected " + (e.code ? "`" + errc_name(mlcloud::make_error_code(*e.code)) + "`" : "success");
    return s;
}

/// The printed matrix of one provider.
class matrix
{
public:
    explicit matrix(std::string provider) : provider_(std::move(provider)) {}

    void record(operation op, fault f, observed const& o, expected const& e) { cells_[{op, f}] = cell_text(o, e); }

    std::string markdown() const
    {
        std::ostringstream out;
        out << "| " << provider_ << " |";
        for (auto f : all_faults)
            out << " " << title(f) << " |";
        out << "\n|---|";
        for (std::size_t i = 0; i < all_faults.size(); ++i)
            out << "---|";
        out << "\n";
        for (auto op : all_operations)
        {
            bool any = false;
            for (auto f : all_faults)
                any = any || cells_.count({op, f});
            if (!any)
                continue;
            out << "| " << name(op) << " |";
            for (auto f : all_faults)
            {
                auto it = cells_.find({op, f});
                out << " " << (it == cells_.end() ? "" : it->second) << " |";
            }
            out << "\n";
        }
        return out.str();
    }

    /// Prints the matrix and writes it next to the fixtures' files (fault_matrix_<provider>.md).
    void publish() const
    {
        auto text = markdown();
        std::cout << "\nfault matrix, " << provider_ << ":\n" << text << std::flush;
        std::ofstream(std::filesystem::path(mlcloud_test::fixture_dir()) / ("fault_matrix_" + provider_ + ".md")) << text;
    }

private:
    std::string provider_;
    std::map<std::pair<operation, fault>, std::string> cells_;
};

/// A request to a fake's control API (no proxy, a client of its own); its JSON answer.
inline json::value control_call(std::string const& base, net::method m, std::string const& path, std::string body = {})
{
    boost::asio::io_context ctx;
    net::client_options co;
    co.proxy = net::proxy_options{};
    net::http_client http(ctx.get_executor(), co);
    net::request req;
    req.method = m;
    req.url = base + path;
    req.body = std::move(body);
    auto r = mlcloud::run_blocking(ctx, http.send(std::move(req)));
    if (!r || r->status != 200)
        throw std::runtime_error("control request " + base + path + " failed" + (r ? ": " + r->body : ""));
    return json::parse(r->body);
}

/// A pod job running a script of the RunPod fake ("@hang", "@lines=5", ...).
inline mlcloud::job_spec pod_job(std::string const& name, std::string const& key, std::vector<std::string> script)
{
    return {.name = name, .idempotency_key = key, .command = std::move(script), .compute = {{"NVIDIA RTX A5000", 1}}};
}

/// The control API of tests/fakes/fault_proxy.py (fixture "faults_proxy").
struct proxy
{
    std::string url = mlcloud_test::fixture_url("faults_proxy");

    json::value call(net::method m, std::string const& path, std::string body = {}) const
    {
        return control_call(url, m, path, std::move(body));
    }

    /// Injects `f` into requests of `operation` whose URL or body contains `scope`.
    void inject(fault f, std::string const& op, std::string const& scope, bool forward) const
    {
        json::object spec;
        spec["fault"] = proxy_kind(f);
        spec["operation"] = op;
        spec["contains"] = scope;
        spec["times"] = f == fault::status_500_always ? 0 : 1;
        spec["forward"] = forward;
        spec["retry_after"] = 1;
        spec["delay"] = 4;
        call(net::method::post, "/_proxy/faults", json::serialize(spec));
    }

    /// Requests of `op` whose URL or body contained `scope`.
    json::array requests(std::string const& op, std::string const& scope) const
    {
        json::array out;
        auto all = call(net::method::get, "/_proxy/log?contains=" + net::encode_query_value(scope));
        for (auto& e : all.at("requests").as_array())
            if (e.at("operation").as_string() == op)
                out.push_back(e);
        return out;
    }

    /// The proxy's note on the fault it applied ("no body to cut"), if any.
    static std::string note_of(json::array const& requests)
    {
        for (auto const& e : requests)
            if (!e.at("fault").is_null() && !e.at("note").as_string().empty())
                return std::string(e.at("note").as_string());
        return {};
    }

    /// Transport settings of a provider behind the proxy: short timeouts and backoffs.
    net::client_options client_options(net::client_options o) const
    {
        o.proxy = net::proxy_options{};
        o.proxy->http_proxy = url;
        o.timeouts.connect = std::chrono::seconds(2);
        o.timeouts.idle = std::chrono::seconds(2);
        o.timeouts.request = std::chrono::seconds(20);
        o.retry.base_delay = std::chrono::milliseconds(10);
        o.retry.max_delay = std::chrono::milliseconds(50);
        return o;
    }
};

/// Cells to run: all, or those named in $MLCLOUD_FAULT_MATRIX_ONLY ("launch", "launch:timeout").
inline bool selected(operation op, fault f)
{
    char const* only = std::getenv("MLCLOUD_FAULT_MATRIX_ONLY");
    if (!only || !*only)
        return true;
    std::string o(only), cell = std::string(name(op)) + ":" + std::string(proxy_kind(f));
    return o == name(op) || o == cell || (f == fault::status_500_always && o == std::string(name(op)) + ":always");
}

} // namespace faults_test

#endif

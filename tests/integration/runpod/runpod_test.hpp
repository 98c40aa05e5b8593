//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Helpers shared by the RunPod tests: options pointing the providers at the contract fake
// (tests/fakes/runpod/runpod_fake.py, fixture "runpod_fake"), and the fake's control API.
#ifndef MLCLOUD_TESTS_RUNPOD_TEST_HPP
#define MLCLOUD_TESTS_RUNPOD_TEST_HPP

#include <mlcloud/blocking.hpp>
#include <mlcloud/net/client.hpp>
#include <mlcloud/runpod/options.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <catch2/catch.hpp>
#include <fixtures.hpp>
#include <io_fixture.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace runpod_test {

namespace json = boost::json;
using namespace std::chrono_literals;

/// The fake's keys and the volumes it starts with (tests/integration/runpod/CMakeLists.txt).
inline constexpr char const* api_key = "rpa_test_key";
inline constexpr char const* s3_access_key = "user_test";
inline constexpr char const* s3_secret = "rps_test_secret";
inline constexpr char const* datacenter = "EU-RO-1";
inline constexpr char const* volume = "voleutest01";       // in EU-RO-1
inline constexpr char const* other_volume = "volustest02"; // in US-KS-2
inline constexpr char const* endpoint = "ep-test";

inline std::string base() { return mlcloud_test::fixture_url("runpod_fake"); }

/// An id no other test (or earlier run against the same fixture) uses; faults are scoped by it.
inline std::string unique(std::string const& what)
{
    static std::atomic<int> counter{0};
    auto now = std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000;
    return what + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" + std::to_string(++counter);
}

inline mlcloud::auth::environment fake_environment(std::string const& key = api_key)
{
    return mlcloud::auth::environment::from_map({
        {"RUNPOD_API_KEY", key},
        {"RUNPOD_REST_URL", base() + "/rest/v2"},
        {"RUNPOD_SERVERLESS_URL", base() + "/ai/v2"},
        {"RUNPOD_S3_ENDPOINT_URL", base()},
        {"RUNPOD_S3_ACCESS_KEY_ID", s3_access_key},
        {"RUNPOD_S3_SECRET_ACCESS_KEY", s3_secret},
    });
}

/// Options for fast tests against the fake: short windows and backoffs, no proxy.
inline mlcloud::runpod::options fake_options()
{
    mlcloud::runpod::options o;
    o.credentials.env = fake_environment();
    o.datacenter = datacenter;
    o.network_volume_id = volume;
    o.image = "mlcloud/fake-script:1";
    o.log_window = 300ms;
    o.status_log_window = 150ms;
    o.launch.backoff = 10ms;
    o.launch.max_backoff = 50ms;
    o.launch.orphan_check_interval = 50ms;
    o.launch.max_throttle_wait = 10s;
    o.endpoint_id = endpoint;
    o.prediction.poll_initial = 20ms;
    o.prediction.poll_max = 200ms;
    o.http.proxy = mlcloud::net::proxy_options{};
    o.http.retry.base_delay = 10ms;
    o.http.retry.max_delay = 50ms;
    return o;
}

/// A request to the fake's control API, with a client of its own.
inline json::value control(std::string const& method, std::string const& path, std::string const& body = {})
{
    namespace net = mlcloud::net;
    boost::asio::io_context ctx;
    net::client_options co;
    co.proxy = net::proxy_options{};
    net::http_client http(ctx.get_executor(), co);
    net::request req{.method = method == "POST" ? net::method::post : net::method::get, .url = base() + path,
                     .body = body};
    auto r = mlcloud::run_blocking(ctx, http.send(std::move(req)));
    if (!r || r->status != 200)
        throw std::runtime_error("fake control request " + path + " failed");
    return json::parse(r->body);
}

/// Adds a fault: {"kind": ..., "scope": ..., ...}.
inline void inject(json::object fault)
{
    control("POST", "/_fake/faults", json::serialize(fault));
}

/// Every pod (terminated ones too) whose name contains `text`.
inline json::array pods_named(std::string const& text)
{
    return control("GET", "/_fake/pods?name_contains=" + text).as_object().at("pods").as_array();
}

/// Requests the fake received whose path or body contains `text`.
inline json::array requests_with(std::string const& text)
{
    return control("GET", "/_fake/requests?contains=" + text).as_object().at("requests").as_array();
}

inline std::size_t count_requests(std::string const& text, std::string const& method, std::string const& path_prefix)
{
    std::size_t n = 0;
    for (auto const& r : requests_with(text))
        if (r.at("method") == method.c_str() && r.at("path").as_string().starts_with(path_prefix))
            ++n;
    return n;
}

/// Where the fake keeps a volume's files (tests may place files there directly).
inline std::filesystem::path volume_dir(std::string const& id = volume)
{
    return std::filesystem::path(mlcloud_test::fixture_dir()) / "runpod_fake_data" / "volumes" / id;
}

inline void write_file(std::filesystem::path const& p, std::string const& content)
{
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

inline std::string read_file(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace runpod_test

#endif

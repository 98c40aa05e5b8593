//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Helpers shared by the AWS integration tests (moto_server and tests/fakes/aws_fault_server.py,
// both started by CTest fixtures on 127.0.0.1).
#ifndef MLCLOUD_TESTS_INTEGRATION_AWS_TEST_HPP
#define MLCLOUD_TESTS_INTEGRATION_AWS_TEST_HPP

#include <mlcloud/aws.hpp>
#include <mlcloud/aws/detail/ec2.hpp>
#include <mlcloud/aws/detail/encoding.hpp>
#include <mlcloud/aws/detail/logs.hpp>
#include <mlcloud/blocking.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>
#include <fixtures.hpp>
#include <io_fixture.hpp>
#include <memory_use.hpp>
#include <result_string.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>
#include <string>
#include <unistd.h>

namespace aws_test {

namespace aws = mlcloud::aws;
namespace net = mlcloud::net;

/// A name no other test (or earlier run against the same server) uses: lower case, digits
/// and dashes, so it is also a valid bucket name.
inline std::string unique_name(std::string const& what)
{
    static std::atomic<int> counter{0};
    auto now = std::chrono::system_clock::now().time_since_epoch().count() % 1000000000;
    return what + "-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" + std::to_string(++counter);
}

inline mlcloud::auth::aws_credentials test_credentials()
{
    mlcloud::auth::aws_credentials c;
    c.access_key_id = "AKIDMLCLOUDTEST";
    c.secret_access_key = mlcloud::auth::secret_string("mlcloud-test-secret");
    c.source = "test";
    return c;
}

/// Transport settings for tests: no proxy from the environment, short backoff.
inline net::client_options fast_http()
{
    auto o = aws::default_http_options();
    o.proxy = net::proxy_options{};
    o.retry.base_delay = std::chrono::milliseconds(10);
    o.retry.max_delay = std::chrono::milliseconds(50);
    return o;
}

/// Backend options pointing every service at one endpoint (moto, or the fault server),
/// independent of the developer's environment and ~/.aws.
inline aws::options options_for(std::string const& endpoint)
{
    aws::options o;
    o.region = "us-east-1";
    o.credentials = test_credentials();
    o.config.env = mlcloud::auth::environment::from_map({});
    for (auto id : {"S3", "EC2", "Lambda", "CloudWatch Logs", "STS"})
        o.endpoints[id] = endpoint;
    o.http = fast_http();
    o.image_id = "ami-12345678";
    o.log_settle_time = std::chrono::seconds(0);
    return o;
}

inline std::string moto_url() { return mlcloud_test::fixture_url("aws_moto"); }
inline std::string fault_url() { return mlcloud_test::fixture_url("aws_fault"); }

/// A session for raw calls (the test playing the instance, creating functions ...).
inline aws::session session_for(std::string const& endpoint)
{
    aws::session s;
    s.region = "us-east-1";
    s.credentials = aws::static_credentials(test_credentials());
    for (auto id : {"S3", "EC2", "Lambda", "CloudWatch Logs", "STS", "IAM"})
        s.endpoints[id] = endpoint;
    return s;
}

/// Signed calls of the test's own: what the instance does (log lines, tags, power-off), what
/// an operator does (create a log group), and the fault server's counters.
struct raw_calls
{
    boost::asio::io_context& ctx;
    std::string endpoint;
    aws::client client;

    raw_calls(boost::asio::io_context& c, std::string url)
        : ctx(c), endpoint(url), client(c.get_executor(), session_for(url), fast_http())
    {
    }

    template <class T>
    T run(boost::asio::awaitable<T> op)
    {
        return mlcloud::run_blocking(ctx, std::move(op));
    }

    void ensure_log_group(std::string const& group)
    {
        auto r = run(client.json(aws::logs_service, "Logs_20140328.CreateLogGroup", aws::detail::log_group_body(group)));
        if (!r && !r.error().is(mlcloud::errc::already_exists))
            FAIL("CreateLogGroup: " << r.error().what());
    }

    /// Writes lines to a job's stream as docker's awslogs driver does: one event per line.
    void put_lines(std::string const& group, std::string const& stream, std::vector<std::string> const& lines)
    {
        auto made = run(client.json(aws::logs_service, "Logs_20140328.CreateLogStream",
                                    aws::detail::log_stream_body(group, stream)));
        if (!made && !made.error().is(mlcloud::errc::already_exists))
            FAIL("CreateLogStream: " << made.error().what());
        std::vector<std::pair<std::int64_t, std::string>> events;
        auto now = aws::detail::to_epoch_ms(std::chrono::system_clock::now());
        for (auto const& l : lines)
            events.emplace_back(now++, l);
        aws::call_options once;
        once.idempotent = false;
        auto put = run(client.json(aws::logs_service, "Logs_20140328.PutLogEvents",
                                   aws::detail::put_log_events_body(group, stream, events), once));
        REQUIRE(put);
    }

    void tag(std::string const& id, std::map<std::string, std::string> const& tags)
    {
        net::query_params q{{"ResourceId.1", id}};
        int n = 0;
        for (auto const& [k, v] : tags)
        {
            ++n;
            q.emplace_back("Tag." + std::to_string(n) + ".Key", k);
            q.emplace_back("Tag." + std::to_string(n) + ".Value", v);
        }
        REQUIRE(run(client.query(aws::ec2_service, "CreateTags", "2016-11-15", std::move(q))));
    }

    /// What the power-off does to the instance (moto has no instance-initiated shutdown, so
    /// the reason code is the API's; the result tag is what decides the job's state).
    void terminate(std::string const& id)
    {
        net::query_params q{{"InstanceId.1", id}};
        REQUIRE(run(client.query(aws::ec2_service, "TerminateInstances", "2016-11-15", std::move(q))));
    }

    std::string query(std::string const& action, net::query_params q)
    {
        auto r = run(client.query(aws::ec2_service, action, "2016-11-15", std::move(q)));
        REQUIRE(r);
        return *r;
    }

    std::vector<aws::detail::ec2_instance> describe_tagged(std::string const& key, std::string const& value)
    {
        auto xml = query("DescribeInstances", {{"Filter.1.Name", "tag:" + key}, {"Filter.1.Value.1", value}});
        return aws::detail::parse_instances(xml, "DescribeInstances").value().instances;
    }

    /// The fault server's counters for one name.
    boost::json::object stats(std::string const& name = {})
    {
        net::http_client http(ctx.get_executor(), fast_http());
        auto r = run(http.send({.url = endpoint + "/stats" + (name.empty() ? "" : "?name=" + net::encode_query_value(name))}));
        REQUIRE(r);
        return boost::json::parse(r->body).as_object();
    }
};

inline std::int64_t counter(boost::json::object const& o, char const* name)
{
    auto const* v = o.if_contains(name);
    return v ? v->as_int64() : 0;
}

/// A temporary file that removes itself.
struct temp_file
{
    std::filesystem::path path;
    explicit temp_file(std::string const& name)
        : path(std::filesystem::temp_directory_path() / unique_name(name))
    {
    }
    ~temp_file()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        for (auto suffix : {".mlcloud-download", ".mlcloud-download.etag"})
            std::filesystem::remove(path.string() + suffix, ec);
    }
};

/// The byte at offset i of the test pattern (not periodic in any power of two).
inline char pattern_byte(std::uint64_t i) { return static_cast<char>((i * 31 + 7) % 251); }

/// Writes `size` pattern bytes to `path` through a small buffer (never all in memory).
inline void write_pattern_file(std::filesystem::path const& path, std::uint64_t size)
{
    std::ofstream out(path, std::ios::binary);
    std::string buf(1 << 16, '\0');
    for (std::uint64_t done = 0; done < size;)
    {
        auto n = std::min<std::uint64_t>(buf.size(), size - done);
        for (std::uint64_t i = 0; i < n; ++i)
            buf[i] = pattern_byte(done + i);
        out.write(buf.data(), static_cast<std::streamsize>(n));
        done += n;
    }
}

/// True when `path` holds exactly `size` pattern bytes.
inline bool has_pattern(std::filesystem::path const& path, std::uint64_t size)
{
    std::ifstream in(path, std::ios::binary);
    std::string buf(1 << 16, '\0');
    std::uint64_t done = 0;
    while (in)
    {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = static_cast<std::uint64_t>(in.gcount());
        for (std::uint64_t i = 0; i < n; ++i)
            if (buf[i] != pattern_byte(done + i))
                return false;
        done += n;
    }
    return done == size;
}

inline std::string read_file(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

using mlcloud_test::memory_use;
using mlcloud_test::read_memory_use;
using mlcloud_test::reset_peak_rss;

} // namespace aws_test


#endif

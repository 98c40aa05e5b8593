//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// runpod::storage (aws::s3_client with RunPod's endpoint, region and limits) against the fake's
// S3-compatible volume API, which checks every SigV4 signature with botocore; and runpod::setup.
#include "runpod_test.hpp"

#include <mlcloud/runpod/backend.hpp>
#include <mlcloud/runpod/setup.hpp>

#include <boost/asio/io_context.hpp>

using namespace runpod_test;
using mlcloud::errc;
using mlcloud::storage_uri;
namespace rp = mlcloud::runpod;

namespace {

struct volumes
{
    boost::asio::io_context ctx;
    rp::storage s;

    explicit volumes(rp::options const& o = fake_options()) : s(ctx.get_executor(), o) {}

    template <class T>
    T run(boost::asio::awaitable<T> op)
    {
        return mlcloud::run_blocking(ctx, std::move(op));
    }
};

struct temp_file
{
    std::filesystem::path path;
    explicit temp_file(std::string const& content)
        : path(std::filesystem::temp_directory_path() / unique("runpod-storage"))
    {
        write_file(path, content);
    }
    ~temp_file()
    {
        std::error_code ec;
        std::filesystem::remove(path, ec);
        std::filesystem::remove(path.string() + ".back", ec);
    }
};

std::string pattern(std::size_t n)
{
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>((i * 131 + 7) % 251);
    return s;
}

storage_uri on_volume(std::string const& key)
{
    return storage_uri::runpod_volume(datacenter, volume, key);
}

} // namespace

TEST_CASE("a multipart upload goes up in parts, signed, and comes back byte for byte", "[runpod][storage]")
{
    auto o = fake_options();
    o.storage.multipart_threshold = 6u << 20;
    o.storage.part_size = 5u << 20;
    volumes v(o);
    auto name = unique("multipart");
    auto content = pattern((12u << 20) + 123);
    temp_file f(content);
    std::uint64_t last_done = 0;
    auto up = v.run(v.s.upload(f.path, on_volume("big/" + name + ".bin"),
                               {[&](std::uint64_t done, std::uint64_t) { last_done = done; }}));
    REQUIRE(up.has_value());
    CHECK(up->size == content.size());
    CHECK(last_done == content.size());
    CHECK(up->uri == on_volume("big/" + name + ".bin"));
    // Three parts, each its own signed request.
    CHECK(count_requests(name, "PUT", "/" + std::string(volume) + "/big/" + name + ".bin?") == 3);
    CHECK(read_file(volume_dir() / "big" / (name + ".bin")) == content);

    auto back = f.path.string() + ".back";
    auto down = v.run(v.s.download(on_volume("big/" + name + ".bin"), back));
    REQUIRE(down.has_value());
    CHECK(read_file(back) == content);
}

TEST_CASE("relative paths are keys on the default volume; other locations are not supported", "[runpod][storage]")
{
    volumes v;
    auto name = unique("relative");
    temp_file f("a,b\n1,2\n");
    auto up = v.run(v.s.upload(f.path, storage_uri::local("datasets/" + name + ".csv")));
    REQUIRE(up.has_value());
    CHECK(up->uri == on_volume("datasets/" + name + ".csv"));
    CHECK(v.run(v.s.exists(on_volume("datasets/" + name + ".csv"))).value());
    CHECK(v.run(v.s.exists(storage_uri::local("datasets/" + name + ".csv"))).value());
    CHECK(v.run(v.s.exists(storage_uri::local("/etc/passwd"))).error().is(errc::not_supported));
    CHECK(v.run(v.s.exists(storage_uri::s3("bucket", "key"))).error().is(errc::not_supported));
    CHECK(v.run(v.s.upload(f.path, on_volume("dir/"))).error().is(errc::invalid_argument));
}

TEST_CASE("listing leaves out the directory entries RunPod lists", "[runpod][storage]")
{
    volumes v;
    auto name = unique("dirs");
    temp_file f("x");
    REQUIRE(v.run(v.s.upload(f.path, on_volume(name + "/a.txt"))).has_value());
    std::filesystem::create_directories(volume_dir() / name / "empty");
    auto listed = v.run(v.s.list(on_volume(name + "/")));
    REQUIRE(listed.has_value());
    REQUIRE(listed->size() == 1);
    CHECK(listed->at(0).uri == on_volume(name + "/a.txt"));
    CHECK(listed->at(0).size == 1);
    // The fake did list the directory: the filter is what keeps it out.
    auto raw = requests_with(name);
    CHECK_FALSE(raw.empty());
}

TEST_CASE("a repeated continuation token stops the listing with a clear error", "[runpod][storage]")
{
    auto o = fake_options();
    o.storage.list_page_size = 2;
    volumes v(o);
    auto name = unique("token");
    temp_file f("x");
    for (int i = 0; i < 7; ++i)
        REQUIRE(v.run(v.s.upload(f.path, on_volume(name + "/" + std::to_string(i) + ".txt"))).has_value());
    auto ok = v.run(v.s.list(on_volume(name + "/")));
    REQUIRE(ok.has_value());
    CHECK(ok->size() == 7); // pages of 2 are followed to the end

    auto const pages_before = count_requests(name, "GET", "/" + std::string(volume) + "?");
    inject({{"kind", "repeat_token"}, {"scope", name}, {"times", 10}});
    auto looped = v.run(v.s.list(on_volume(name + "/")));
    REQUIRE(looped.has_error());
    CHECK(looped.error().is(errc::protocol_error));
    CHECK(looped.error().message.find("same continuation token twice") != std::string::npos);
    // Page 1, page 2 whose next token is the one just used, and nothing after it.
    CHECK(count_requests(name, "GET", "/" + std::string(volume) + "?") - pages_before == 2);
}

TEST_CASE("transient 502s are retried", "[runpod][storage]")
{
    volumes v;
    auto name = unique("flaky");
    inject({{"kind", "error_502"}, {"scope", name}, {"times", 2}});
    temp_file f("payload");
    auto up = v.run(v.s.upload(f.path, on_volume(name + ".txt")));
    REQUIRE(up.has_value());
    CHECK(read_file(volume_dir() / (name + ".txt")) == "payload");
}

TEST_CASE("wrong or missing S3 keys, an unknown volume and the wrong datacenter are clear errors",
          "[runpod][storage]")
{
    temp_file f("x");
    auto o = fake_options();
    o.credentials.s3_secret_access_key = mlcloud::auth::secret_string("rps_wrong");
    volumes wrong(o);
    auto e = wrong.run(wrong.s.upload(f.path, on_volume("x.txt")));
    REQUIRE(e.has_error());
    CHECK(e.error().is(errc::unauthorized)); // the key's secret is wrong: the signature does not match
    CHECK(e.error().message.find("SignatureDoesNotMatch") != std::string::npos);
    CHECK(e.error().provider == "runpod");
    CHECK(e.error().what().find("rps_wrong") == std::string::npos);

    o = fake_options();
    o.credentials.env = mlcloud::auth::environment::from_map({{"RUNPOD_API_KEY", api_key},
                                                               {"RUNPOD_S3_ENDPOINT_URL", base()}});
    volumes none(o);
    auto m = none.run(none.s.exists(on_volume("x.txt")));
    REQUIRE(m.has_error());
    CHECK(m.error().is(errc::unauthorized));
    CHECK(m.error().message.find("RUNPOD_S3_ACCESS_KEY_ID") != std::string::npos);

    volumes v;
    auto missing = v.run(v.s.download(storage_uri::runpod_volume(datacenter, "novolume", "x"), f.path.string() + ".back"));
    REQUIRE(missing.has_error());
    CHECK(missing.error().is(errc::not_found));
    // The volume lives in EU-RO-1: signing for another datacenter's region is refused.
    auto elsewhere = v.run(v.s.exists(storage_uri::runpod_volume("US-KS-2", volume, "x.txt")));
    REQUIRE(elsewhere.has_error());
    CHECK(elsewhere.error().http_status == 400);
}

TEST_CASE("check_access answers for the S3 key and the volume", "[runpod][storage]")
{
    volumes v;
    CHECK(v.run(v.s.check_access(datacenter, volume)).value());
    CHECK_FALSE(v.run(v.s.check_access(datacenter, "novolume")).value());
}

TEST_CASE("setup finds or creates the volume, checks both keys, and changes nothing the second time",
          "[runpod][setup]")
{
    boost::asio::io_context ctx;
    auto o = fake_options();
    o.network_volume_id.clear();
    o.datacenter = "EU-CZ-1";
    auto name = unique("setup");
    rp::setup_options so{.volume_name = name, .volume_size_gb = 10};

    auto first = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so));
    REQUIRE(first.has_value());
    CHECK(first->volume_created);
    CHECK(first->api_key_ok);
    CHECK(first->s3_keys_ok);
    CHECK(first->ready());
    CHECK(first->datacenter == "EU-CZ-1");
    REQUIRE(first->endpoint);
    auto text = [](rp::setup_report const& r) {
        std::string all;
        for (auto const& l : r.lines)
            all += l + "\n";
        return all;
    };
    CHECK(text(*first).find("network volume: created '" + name + "'") != std::string::npos);

    auto second = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so));
    REQUIRE(second.has_value());
    CHECK_FALSE(second->volume_created);
    CHECK(second->volume_id == first->volume_id);
    CHECK(text(*second).find("network volume: found '" + name + "'") != std::string::npos);
    CHECK(count_requests(name, "POST", "/rest/v2/network-volumes") == 1);

    // By id, the volume is found as well.
    o.network_volume_id = first->volume_id;
    auto by_id = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so));
    REQUIRE(by_id.has_value());
    CHECK(by_id->volume_id == first->volume_id);
    o.network_volume_id = "nosuchvolume";
    CHECK(mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o, so)).error().is(errc::not_found));
}

TEST_CASE("setup reports a refused API key, and S3 keys or endpoint problems as things to do", "[runpod][setup]")
{
    boost::asio::io_context ctx;
    auto o = fake_options();
    o.credentials.env = fake_environment("rpa_wrong");
    auto refused = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o));
    REQUIRE(refused.has_error());
    CHECK(refused.error().is(errc::unauthorized));

    o = fake_options();
    o.credentials.env = mlcloud::auth::environment::from_map(
        {{"RUNPOD_API_KEY", api_key}, {"RUNPOD_REST_URL", base() + "/rest/v2"}, {"RUNPOD_S3_ENDPOINT_URL", base()}});
    o.endpoint_id = "ep-missing";
    auto partial = mlcloud::run_blocking(ctx, rp::setup(ctx.get_executor(), o));
    REQUIRE(partial.has_value());
    CHECK(partial->api_key_ok);
    CHECK_FALSE(partial->s3_keys_ok);
    CHECK_FALSE(partial->ready());
    REQUIRE(partial->problems.size() == 2);
    CHECK(partial->problems[0].find("no S3 API key") != std::string::npos);
    CHECK(partial->problems[1].find("ep-missing") != std::string::npos);
}

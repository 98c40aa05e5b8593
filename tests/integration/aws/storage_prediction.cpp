//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// aws::s3_client, aws::storage, aws::prediction and aws::setup against moto_server, plus the
// error paths moto cannot produce against tests/fakes/aws_fault_server.py.

#include "aws_test.hpp"

#include <mlcloud/testing/conformance.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace aws_test;
using mlcloud::errc;
using mlcloud::run_blocking;

namespace {

struct s3_fixture
{
    boost::asio::io_context ctx;
    std::vector<std::string> log; // "GET 206" per attempt
    std::string bucket = unique_name("bkt");
    aws::s3_client s3;

    explicit s3_fixture(std::string endpoint = moto_url(), aws::s3_client_options extra = {})
        : s3(ctx.get_executor(), make_options(endpoint, std::move(extra)), logging_http())
    {
    }

    aws::s3_client_options make_options(std::string const& endpoint, aws::s3_client_options o)
    {
        o.endpoint = endpoint;
        o.region = "us-east-1";
        o.credentials = aws::static_credentials(test_credentials());
        return o;
    }

    net::client_options logging_http()
    {
        auto o = fast_http();
        o.on_log = [this](net::log_event const& e) {
            log.push_back(std::string(e.method) + " " + std::to_string(e.status));
        };
        return o;
    }

    template <class T>
    T run(boost::asio::awaitable<T> op)
    {
        return run_blocking(ctx, std::move(op));
    }

    std::size_t count(std::string const& entry) const
    {
        return static_cast<std::size_t>(std::count(log.begin(), log.end(), entry));
    }
};

} // namespace

TEST_CASE("s3_client: put, head, ranged get, list and delete against moto", "[aws][s3]")
{
    s3_fixture f;
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    CHECK(f.run(f.s3.bucket_exists(f.bucket)).value());
    CHECK_FALSE(f.run(f.s3.bucket_exists(unique_name("nobucket"))).value());

    std::string const body = "a,b\n1,2\n\0\xff tail";
    auto put = f.run(f.s3.put_object(f.bucket, "dir/a b+c.csv", body));
    REQUIRE(put);
    CHECK_FALSE(put->etag.empty());

    auto head = f.run(f.s3.head_object(f.bucket, "dir/a b+c.csv"));
    REQUIRE(head);
    CHECK(head->size == body.size());
    CHECK(head->etag == put->etag);

    CHECK(f.run(f.s3.get_object(f.bucket, "dir/a b+c.csv")).value() == body);
    CHECK(f.run(f.s3.get_range(f.bucket, "dir/a b+c.csv", 2, 5)).value() == body.substr(2, 4));

    REQUIRE(f.run(f.s3.put_object(f.bucket, "dir/z.csv", "z")));
    REQUIRE(f.run(f.s3.put_object(f.bucket, "other.csv", "o")));
    auto listed = f.run(f.s3.list_all(f.bucket, "dir/"));
    REQUIRE(listed);
    REQUIRE(listed->size() == 2);
    CHECK((*listed)[0].key == "dir/a b+c.csv"); // decoded from encoding-type=url
    CHECK((*listed)[0].size == body.size());
    CHECK((*listed)[1].key == "dir/z.csv");

    REQUIRE(f.run(f.s3.delete_object(f.bucket, "dir/z.csv")));
    REQUIRE(f.run(f.s3.delete_object(f.bucket, "dir/z.csv"))); // deleting again is fine
    auto gone = f.run(f.s3.head_object(f.bucket, "dir/z.csv"));
    REQUIRE_FALSE(gone);
    CHECK(gone.error().is(errc::not_found));
}

TEST_CASE("s3_client: listing follows continuation tokens page by page", "[aws][s3]")
{
    aws::s3_client_options o;
    o.list_page_size = 2;
    s3_fixture f(moto_url(), o);
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    for (int i = 0; i < 5; ++i)
        REQUIRE(f.run(f.s3.put_object(f.bucket, "p/" + std::to_string(i), "x")));
    f.log.clear();
    auto all = f.run(f.s3.list_all(f.bucket, "p/"));
    REQUIRE(all);
    CHECK(all->size() == 5);
    CHECK(f.count("GET 200") == 3); // 2 + 2 + 1
}

TEST_CASE("s3_client: a multipart upload streams a large file with bounded memory", "[aws][s3][multipart]")
{
    // 96 MiB in 5 MiB parts, 4 in flight: holding the file twice would be 192 MiB; the
    // transport streams each part from the file, so the peak grows by a few MiB only.
    constexpr std::uint64_t size = 96ull << 20;
    aws::s3_client_options o;
    o.part_size = 5ull << 20;
    o.multipart_threshold = 8ull << 20;
    o.concurrency = 4;
    o.download_chunk_size = 16ull << 20;
    s3_fixture f(moto_url(), o);
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    temp_file src("mp-src");
    write_pattern_file(src.path, size);

    std::uint64_t last_done = 0, last_total = 0, calls = 0;
    mlcloud::transfer_options progress{[&](std::uint64_t d, std::uint64_t t) {
        CHECK(d >= last_done);
        last_done = d;
        last_total = t;
        ++calls;
    }};
    f.log.clear();
    auto before = read_memory_use();
    bool const can_measure = reset_peak_rss();
    auto up = f.run(f.s3.upload_file(src.path, f.bucket, "big.bin", progress));
    auto after = read_memory_use();
    REQUIRE(up);
    CHECK(up->size == size);
    CHECK(up->etag.find("-20") != std::string::npos); // 20 parts
    CHECK(last_done == size);
    CHECK(last_total == size);
    CHECK(calls >= 20);
    CHECK(f.count("PUT 200") == 20);
    if (can_measure)
    {
        long growth_kib = after.hwm_kib - before.rss_kib;
        INFO("peak RSS growth during the upload: " << growth_kib << " KiB");
        CHECK(growth_kib < 48 * 1024); // well below the 96 MiB file
    }

    temp_file back("mp-back");
    auto down = f.run(f.s3.download_file(f.bucket, "big.bin", back.path));
    REQUIRE(down);
    CHECK(down->size == size);
    CHECK(has_pattern(back.path, size));
}

TEST_CASE("s3_client: a broken download resumes after the bytes already on disk", "[aws][s3][range]")
{
    constexpr std::uint64_t size = 10ull << 20;
    aws::s3_client_options o;
    o.download_chunk_size = 1ull << 20;
    s3_fixture f(moto_url(), o);
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    temp_file src("resume-src");
    write_pattern_file(src.path, size);
    auto up = f.run(f.s3.upload_file(src.path, f.bucket, "data.bin"));
    REQUIRE(up);

    temp_file dst("resume-dst");
    auto partial = dst.path.string() + ".mlcloud-download";

    SECTION("the same object: only the missing ranges are fetched")
    {
        // What a download broken after 6 MiB leaves behind.
        write_pattern_file(partial, 6ull << 20);
        std::ofstream(partial + ".etag") << up->etag;
        f.log.clear();
        std::uint64_t first_report = UINT64_MAX;
        mlcloud::transfer_options progress{[&](std::uint64_t d, std::uint64_t) {
            first_report = std::min(first_report, d);
        }};
        auto down = f.run(f.s3.download_file(f.bucket, "data.bin", dst.path, progress));
        REQUIRE(down);
        CHECK(f.count("GET 206") == 4);
        CHECK(first_report >= (6ull << 20));
        CHECK(has_pattern(dst.path, size));
        CHECK_FALSE(std::filesystem::exists(partial));
        CHECK_FALSE(std::filesystem::exists(partial + ".etag"));
    }
    SECTION("the object changed since: the download starts over")
    {
        std::ofstream(partial) << std::string(3 << 20, 'x');
        std::ofstream(partial + ".etag") << "0123456789abcdef0123456789abcdef";
        auto down = f.run(f.s3.download_file(f.bucket, "data.bin", dst.path));
        REQUIRE(down);
        CHECK(f.count("GET 412") == 1);
        CHECK(has_pattern(dst.path, size));
    }
}

TEST_CASE("s3_client: presigned URLs work without credentials", "[aws][s3][presign]")
{
    s3_fixture f;
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    auto put_url = f.s3.presign(f.bucket, "pre/signed.txt", mlcloud::presign_method::put, std::chrono::seconds(300));
    REQUIRE(put_url);
    CHECK(put_url->find("X-Amz-Signature=") != std::string::npos);
    net::http_client plain(f.ctx.get_executor(), fast_http());
    auto put = f.run(plain.send({.method = net::method::put, .url = *put_url, .body = "hello"}));
    REQUIRE(put);
    CHECK(put->status == 200);
    auto get_url = f.s3.presign(f.bucket, "pre/signed.txt", mlcloud::presign_method::get, std::chrono::seconds(300));
    REQUIRE(get_url);
    auto get = f.run(plain.send({.url = *get_url}));
    REQUIRE(get);
    CHECK(get->status == 200);
    CHECK(get->body == "hello");
    auto too_long = f.s3.presign(f.bucket, "k", mlcloud::presign_method::get, std::chrono::hours(24 * 8));
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().is(errc::invalid_argument));
}

TEST_CASE("s3_client: NoSuchBucket and NoSuchKey are not_found with the code and request id", "[aws][s3][errors]")
{
    s3_fixture f;
    auto no_bucket = f.run(f.s3.get_object(unique_name("missing"), "k"));
    REQUIRE_FALSE(no_bucket);
    CHECK(no_bucket.error().is(errc::not_found));
    CHECK(no_bucket.error().message.starts_with("NoSuchBucket"));
    CHECK(no_bucket.error().http_status == 404);
    CHECK_FALSE(no_bucket.error().request_id.empty());
    CHECK(no_bucket.error().provider == "aws");
    CHECK(no_bucket.error().operation == "GetObject");

    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    temp_file dst("nokey");
    auto no_key = f.run(f.s3.download_file(f.bucket, "nope", dst.path));
    REQUIRE_FALSE(no_key);
    CHECK(no_key.error().is(errc::not_found));
    CHECK(no_key.error().message.starts_with("NoSuchKey"));
    CHECK_FALSE(no_key.error().request_id.empty());
    CHECK_FALSE(std::filesystem::exists(dst.path));
}

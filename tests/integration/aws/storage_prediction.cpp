//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// aws::s3_client, aws::storage, aws::prediction and aws::setup against moto_server, plus the
// error paths moto cannot produce against tests/fakes/aws_fault_server.py.

#include "aws_test.hpp"
#include "data.hpp"
#include "handler.hpp"
#include "model.hpp"

#include <cancellation.hpp>

#include <mlcloud/testing/conformance.hpp>

#include <mlcloud/aws/detail/lambda.hpp>
#include <mlcloud/messages/cost.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include <optional>
#include <thread>

using namespace aws_test;
using mlcloud::errc;
using mlcloud::run_blocking;
using mlcloud_test::run_cancelled_after;

namespace {

struct s3_fixture : mlcloud_test::io_fixture
{
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

    std::size_t count(std::string const& entry) const
    {
        return static_cast<std::size_t>(std::count(log.begin(), log.end(), entry));
    }
};

// A context for s3_client_options::hash_executor (the client's file work) that runs only once
// the test releases it, on a thread of its own, joined when the test ends.
struct held_file_threads
{
    boost::asio::io_context ctx;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(ctx);
    std::thread thread;
    std::size_t ran = 0; // handlers run

    void release()
    {
        thread = std::thread([this] { ran = ctx.run(); });
    }
    void finish()
    {
        work.reset();
        if (thread.joinable())
            thread.join();
    }
    ~held_file_threads() { finish(); }
};

// Downloads in ranges of `chunk`, written through `files`.
aws::s3_client_options ranges_written_on(held_file_threads& files, std::uint64_t chunk)
{
    aws::s3_client_options o;
    o.download_chunk_size = chunk;
    o.hash_executor = files.ctx.get_executor();
    return o;
}

// Creates the fixture's bucket and uploads `size` pattern bytes as `key`.
aws::s3_object upload_pattern(s3_fixture& f, std::string const& key, std::uint64_t size)
{
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    temp_file src(key + "-src");
    write_pattern_file(src.path, size);
    auto up = f.run(f.s3.upload_file(src.path, f.bucket, key));
    REQUIRE(up);
    return *up;
}

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

TEST_CASE("s3_client: a download over a private file keeps it private", "[aws][s3]")
{
    s3_fixture f;
    REQUIRE(f.run(f.s3.create_bucket(f.bucket)));
    REQUIRE(f.run(f.s3.put_object(f.bucket, "secret.csv", "a,b\n1,2\n")));
    temp_file dst("private-dst");
    std::ofstream(dst.path) << "old";
    // 0640: neither what a umask of 022 nor of 077 gives a new file.
    auto const kept =
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | std::filesystem::perms::group_read;
    std::filesystem::permissions(dst.path, kept);
    auto down = f.run(f.s3.download_file(f.bucket, "secret.csv", dst.path, mlcloud::default_transfer_options()));
    REQUIRE(down);
    CHECK(std::filesystem::status(dst.path).permissions() == kept);
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
    auto const up = upload_pattern(f, "data.bin", size);

    temp_file dst("resume-dst");
    auto partial = dst.path.string() + ".mlcloud-download";

    SECTION("the same object: only the missing ranges are fetched")
    {
        // What a download broken after 6 MiB leaves behind.
        write_pattern_file(partial, 6ull << 20);
        std::ofstream(partial + ".etag") << up.etag;
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
    SECTION("ranges written past a hole: it resumes from the recorded complete prefix, not the file's size")
    {
        // A window broken at a bad moment leaves ranges written after a hole; the record beside
        // the partial file says how much of it is complete (here 5 MiB of an 8 MiB file).
        write_pattern_file(partial, 5ull << 20);
        std::ofstream(partial, std::ios::binary | std::ios::app) << std::string(3u << 20, 'x');
        std::ofstream(partial + ".etag") << up.etag << "\n" << (5ull << 20);
        f.log.clear();
        auto down = f.run(f.s3.download_file(f.bucket, "data.bin", dst.path));
        REQUIRE(down);
        CHECK(f.count("GET 206") == 5);
        CHECK(has_pattern(dst.path, size));
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

TEST_CASE("s3_client: a concurrent download writes every range at its place, the short last one too",
          "[aws][s3][range]")
{
    // 29 ranges of 256 KiB, the last one 12345 bytes, 3 in flight: ranges finish in any order
    // and are written where they belong. A range written at the wrong offset, skipped or
    // fetched twice breaks the pattern, the size or the count of GETs.
    constexpr std::uint64_t chunk = 256ull << 10;
    constexpr std::uint64_t size = 28 * chunk + 12345;
    aws::s3_client_options o;
    o.download_chunk_size = chunk;
    o.download_concurrency = 3;
    s3_fixture f(moto_url(), o);
    auto const up = upload_pattern(f, "odd.bin", size);

    temp_file dst("window-dst");
    auto const caller = std::this_thread::get_id();
    std::uint64_t last_done = 0, last_total = 0;
    bool monotonic = true;
    bool on_caller_thread = true; // ranges are written on the client's file threads, not progress
    mlcloud::transfer_options progress{[&](std::uint64_t d, std::uint64_t t) {
        on_caller_thread = on_caller_thread && std::this_thread::get_id() == caller;
        monotonic = monotonic && d >= last_done;
        last_done = d;
        last_total = t;
    }};
    f.log.clear();
    auto down = f.run(f.s3.download_file(f.bucket, "odd.bin", dst.path, progress));
    REQUIRE(down);
    CHECK(down->size == size);
    CHECK(down->etag == up.etag);
    CHECK(f.count("GET 206") == 29);
    CHECK(f.log.size() == 29);
    CHECK(std::filesystem::file_size(dst.path) == size);
    CHECK(has_pattern(dst.path, size));
    CHECK(monotonic);
    CHECK(on_caller_thread);
    CHECK(last_done == size);
    CHECK(last_total == size);
    CHECK_FALSE(std::filesystem::exists(dst.path.string() + ".mlcloud-download"));
    CHECK_FALSE(std::filesystem::exists(dst.path.string() + ".mlcloud-download.etag"));
}

TEST_CASE("s3_client: downloaded ranges are written on the file threads while the caller's executor goes on",
          "[aws][s3][range]")
{
    // 4 ranges of 256 KiB. The first is written by the caller (its answer gives the object's
    // size); the window's three wait for the file threads, here a context that runs only once
    // a timer on the caller's context has fired: by then the partial file holds the first range
    // alone, and the timer fires only if the download does not hold up the caller's thread.
    using namespace std::chrono_literals;
    constexpr std::uint64_t chunk = 256ull << 10;
    s3_fixture uploader(moto_url());
    auto const up = upload_pattern(uploader, "four.bin", 4 * chunk);
    held_file_threads files;
    s3_fixture f(moto_url(), ranges_written_on(files, chunk));
    temp_file dst("written-elsewhere");
    auto const partial = dst.path.string() + ".mlcloud-download";

    std::optional<std::uint64_t> partial_size_at_timer;
    boost::asio::steady_timer timer(f.ctx, 200ms);
    timer.async_wait([&](boost::system::error_code) {
        std::error_code ec;
        partial_size_at_timer = std::filesystem::file_size(partial, ec);
        files.release();
    });
    auto down = f.run(f.s3.download_file(uploader.bucket, "four.bin", dst.path));
    files.finish();
    REQUIRE(down);
    CHECK(down->etag == up.etag);
    REQUIRE(partial_size_at_timer.has_value()); // the timer fired while the download was running
    CHECK(*partial_size_at_timer == chunk);
    CHECK(files.ran >= 3);
    CHECK(has_pattern(dst.path, 4 * chunk));
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

// ---------------------------------------------------------------------------------------
// S3 error paths moto cannot produce (tests/fakes/aws_fault_server.py)

namespace {

aws::s3_client_options small_parts()
{
    aws::s3_client_options o;
    o.multipart_threshold = 100 * 1024;
    o.part_size = 64 * 1024;
    o.limits.min_part_size = 64 * 1024;
    return o;
}

} // namespace

TEST_CASE("S3 fault: AccessDenied is forbidden, with the code, message and request id", "[aws][s3][fault][errors]")
{
    s3_fixture f(fault_url());
    auto r = f.run(f.s3.put_object("denied-" + unique_name("b"), "k", "x"));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::forbidden));
    CHECK(r.error().message == "AccessDenied: Access Denied");
    CHECK(r.error().http_status == 403);
    CHECK_FALSE(r.error().request_id.empty());
    CHECK(r.error().what().find("request id " + r.error().request_id) != std::string::npos);
}

TEST_CASE("S3 fault: SlowDown is retried, with no retries left it is throttled", "[aws][s3][fault]")
{
    s3_fixture f(fault_url());
    std::string const bucket = "slowdown-" + unique_name("b");
    REQUIRE(f.run(f.s3.put_object(bucket, "k", "payload")));
    CHECK(f.count("PUT 503") == 2);
    CHECK(f.count("PUT 200") == 1);

    aws::s3_client impatient(f.ctx.get_executor(),
                             f.make_options(fault_url(), {}), [] {
                                 auto o = fast_http();
                                 o.retry.max_attempts = 1;
                                 return o;
                             }());
    auto r = f.run(impatient.put_object(bucket, "other", "payload"));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::throttled));
    CHECK(r.error().message.starts_with("SlowDown"));
    CHECK(r.error().http_status == 503);
    CHECK_FALSE(r.error().request_id.empty());
}

TEST_CASE("S3 fault: CompleteMultipartUpload answering 200 with an error body", "[aws][s3][fault][multipart]")
{
    s3_fixture f(fault_url(), small_parts());
    temp_file src("complete");
    write_pattern_file(src.path, 200 * 1024);
    raw_calls raw(f.ctx, fault_url());

    SECTION("a transient error inside the 200 is tried again and succeeds")
    {
        std::string const bucket = "flaky-" + unique_name("b");
        auto up = f.run(f.s3.upload_file(src.path, bucket, "big.bin"));
        REQUIRE(up);
        CHECK(up->etag == "abc-2");
        CHECK(up->size == 200 * 1024);
        CHECK(f.count("PUT 200") == 4); // 64 + 64 + 64 + 8 KiB
        CHECK(counter(raw.stats(bucket), "complete") == 2);
        CHECK(counter(raw.stats(bucket), "aborts") == 0);
    }
    SECTION("a permanent error inside the 200 fails the upload, which is aborted")
    {
        std::string const bucket = "broken-" + unique_name("b");
        auto up = f.run(f.s3.upload_file(src.path, bucket, "big.bin"));
        REQUIRE_FALSE(up);
        CHECK(up.error().is(errc::invalid_argument));
        CHECK(up.error().message.starts_with("InvalidPart"));
        CHECK(up.error().request_id == "rid-in-body");
        CHECK(up.error().http_status == 200);
        CHECK(counter(raw.stats(bucket), "aborts") == 1);
    }
}

TEST_CASE("S3 fault: a cancelled multipart upload stops its parts and is aborted", "[aws][s3][fault][multipart]")
{
    // The fault server answers each part after 5 s; the upload is cancelled after 300 ms, with
    // all four parts in flight, or two of them while the workers hash the next two. It ends
    // long before the parts would have, with `cancelled` (not an exception), and it still
    // aborts the multipart upload.
    using namespace std::chrono_literals;
    auto o = small_parts();
    o.concurrency = GENERATE(as<std::size_t>{}, 8, 2);
    s3_fixture f(fault_url(), o);
    temp_file src("cancelled");
    write_pattern_file(src.path, 200 * 1024);
    raw_calls raw(f.ctx, fault_url());
    std::string const bucket = "slowparts-" + unique_name("b");

    auto const [up, took] = run_cancelled_after(f.ctx, f.s3.upload_file(src.path, bucket, "big.bin"), 300ms);
    CHECK(took < 4s); // not the parts' 5 s
    REQUIRE_FALSE(up.has_value());
    CHECK(up.error().is(errc::cancelled));
    CHECK(counter(raw.stats(bucket), "aborts") == 1);
}

TEST_CASE("S3 fault: an upload cancelled while its parts are hashed waits for the hashes and is aborted",
          "[aws][s3][fault][multipart]")
{
    // The hashing context runs only after the cancellation: the workers wait for their
    // hashes (the values must be there when the waits end), then stop before sending.
    using namespace std::chrono_literals;
    held_file_threads files;
    auto o = small_parts();
    o.hash_executor = files.ctx.get_executor();
    s3_fixture f(fault_url(), o);
    temp_file src("hash-cancelled");
    write_pattern_file(src.path, 200 * 1024);
    raw_calls raw(f.ctx, fault_url());
    std::string const bucket = "cancel-" + unique_name("b");

    boost::asio::steady_timer release(f.ctx, 600ms);
    release.async_wait([&](boost::system::error_code) { files.release(); });
    auto const [up, took] = run_cancelled_after(f.ctx, f.s3.upload_file(src.path, bucket, "big.bin"), 300ms);
    files.finish();
    CHECK(took >= 600ms); // it waited for the held hashes
    REQUIRE_FALSE(up.has_value());
    CHECK(up.error().is(errc::cancelled));
    CHECK(f.count("PUT 200") == 0);
    CHECK(counter(raw.stats(bucket), "aborts") == 1);
}

TEST_CASE("S3 fault: a second cancellation does not stop the abort of a cancelled upload",
          "[aws][s3][fault][multipart]")
{
    // Cancelled at 300 ms with its parts in flight, and again at 600 ms, while the fault server
    // holds the AbortMultipartUpload for 1 s (a timeout wrapped around the cancelled call does
    // this): the upload still waits for the abort's answer, so no parts are left stored.
    using namespace std::chrono_literals;
    s3_fixture f(fault_url(), small_parts());
    temp_file src("cancelled-twice");
    write_pattern_file(src.path, 200 * 1024);
    raw_calls raw(f.ctx, fault_url());
    std::string const bucket = "slowabort-" + unique_name("b");

    auto const [up, took] = run_cancelled_after(f.ctx, f.s3.upload_file(src.path, bucket, "big.bin"), 300ms, 600ms);
    CHECK(took >= 1200ms); // the abort's answer came, 1 s after it was sent at about 300 ms
    CHECK(took < 4s);      // not the parts' 5 s
    REQUIRE_FALSE(up.has_value());
    CHECK(up.error().is(errc::cancelled));
    CHECK(counter(raw.stats(bucket), "aborts") == 1);
}

TEST_CASE("S3 fault: a PutObject cancelled while its file is hashed ends with cancelled and sends nothing",
          "[aws][s3][fault]")
{
    // The hashing context runs only after the cancellation: the upload waits for the hash, then
    // returns `cancelled` (not Asio's exception) without sending the object.
    using namespace std::chrono_literals;
    held_file_threads files;
    aws::s3_client_options o;
    o.hash_executor = files.ctx.get_executor();
    s3_fixture f(fault_url(), o);
    temp_file src("put-cancelled");
    write_pattern_file(src.path, 4096);
    std::string const bucket = "cancel-" + unique_name("b");

    boost::asio::steady_timer release(f.ctx, 600ms);
    release.async_wait([&](boost::system::error_code) { files.release(); });
    auto const [up, took] = run_cancelled_after(f.ctx, f.s3.upload_file(src.path, bucket, "small.bin"), 300ms);
    files.finish();
    CHECK(took >= 600ms); // it waited for the held hash
    REQUIRE_FALSE(up.has_value());
    CHECK(up.error().is(errc::cancelled));
    CHECK(up.error().operation == "PutObject");
    CHECK(f.count("PUT 200") == 0);
}

TEST_CASE("S3 fault: a cancelled download stops its ranges and the next call resumes it", "[aws][s3][fault][range]")
{
    // 256 KiB in ranges of 64 KiB: the first answers at once, the other three after 5 s. The
    // download is cancelled after 300 ms: it ends with `cancelled`, its record keeps the first
    // range, and the next call fetches the rest.
    using namespace std::chrono_literals;
    aws::s3_client_options o;
    o.download_chunk_size = 64 * 1024;
    s3_fixture f(fault_url(), o);
    temp_file dst("cancelled-dst");
    std::string const bucket = "slowranges-" + unique_name("b");
    auto const partial = dst.path.string() + ".mlcloud-download";

    auto const [down, took] = run_cancelled_after(f.ctx, f.s3.download_file(bucket, "data.bin", dst.path), 300ms);
    CHECK(took < 4s); // not the ranges' 5 s
    REQUIRE_FALSE(down.has_value());
    CHECK(down.error().is(errc::cancelled));
    CHECK_FALSE(std::filesystem::exists(dst.path));
    CHECK(std::filesystem::exists(partial + ".etag"));

    f.log.clear();
    f.ctx.restart();
    auto again = f.run(f.s3.download_file(bucket, "data.bin", dst.path));
    REQUIRE(again);
    CHECK(f.count("GET 206") == 3); // the first range was not fetched again
    CHECK(has_pattern(dst.path, 256 * 1024));
}

TEST_CASE("s3_client: a download cancelled while its ranges are written waits for the writes", "[aws][s3][range]")
{
    // The window's three ranges arrive at once, and their writes wait for a file context that
    // runs only after the cancellation: the download waits for them (the bytes stay alive
    // until written), then ends with `cancelled`, and the next call completes the file.
    using namespace std::chrono_literals;
    constexpr std::uint64_t chunk = 256ull << 10;
    s3_fixture uploader(moto_url());
    upload_pattern(uploader, "held.bin", 4 * chunk);
    held_file_threads files;
    s3_fixture f(moto_url(), ranges_written_on(files, chunk));
    temp_file dst("held-dst");

    boost::asio::steady_timer release(f.ctx, 600ms);
    release.async_wait([&](boost::system::error_code) { files.release(); });
    auto const [down, took] = run_cancelled_after(f.ctx, f.s3.download_file(uploader.bucket, "held.bin", dst.path), 300ms);
    files.finish();
    CHECK(took >= 600ms); // it waited for the held writes
    REQUIRE_FALSE(down.has_value());
    CHECK(down.error().is(errc::cancelled));

    f.ctx.restart();
    auto again = f.run(f.s3.download_file(uploader.bucket, "held.bin", dst.path));
    REQUIRE(again);
    CHECK(has_pattern(dst.path, 4 * chunk));
}

TEST_CASE("s3_client: file bodies are hashed on the hash executor while the caller's executor goes on",
          "[aws][s3][multipart]")
{
    // The hashing context only runs once a timer on the caller's context has fired: the upload
    // sends nothing before that if its bodies are hashed there, and the timer fires only if
    // the upload does not hold up the caller's thread meanwhile. The fault server checks every
    // body's x-amz-content-sha256 and signature.
    using namespace std::chrono_literals;
    auto const size = GENERATE(as<std::uint64_t>{}, 50 * 1024, 200 * 1024); // PutObject; 4 parts
    std::size_t const puts = size < 100 * 1024 ? 1 : 4;
    boost::asio::io_context hashing;
    auto work = boost::asio::make_work_guard(hashing);
    auto o = small_parts();
    o.hash_executor = hashing.get_executor();
    s3_fixture f(fault_url(), o);
    temp_file src("hashed-elsewhere");
    write_pattern_file(src.path, size);

    std::thread hasher;
    std::size_t hashed = 0;
    std::optional<std::size_t> puts_before_hashing;
    boost::asio::steady_timer timer(f.ctx, 200ms);
    timer.async_wait([&](boost::system::error_code) {
        puts_before_hashing = f.count("PUT 200");
        hasher = std::thread([&] { hashed = hashing.run(); });
    });
    auto up = f.run(f.s3.upload_file(src.path, unique_name("b"), "big.bin"));
    work.reset();
    if (hasher.joinable())
        hasher.join();
    REQUIRE(up);
    CHECK(up->size == size);
    REQUIRE(puts_before_hashing.has_value()); // the timer fired while the upload was running
    CHECK(*puts_before_hashing == 0);
    CHECK(f.count("PUT 200") == puts);
    CHECK(hashed >= puts);
}

TEST_CASE("s3_client: with no hashing threads file bodies are hashed on the caller's executor", "[aws][s3][multipart]")
{
    auto o = small_parts();
    o.hash_threads = 0;
    s3_fixture f(fault_url(), o);
    temp_file src("hashed-here");
    write_pattern_file(src.path, 200 * 1024);
    auto up = f.run(f.s3.upload_file(src.path, unique_name("b"), "big.bin"));
    REQUIRE(up);
    CHECK(f.count("PUT 200") == 4);
}

TEST_CASE("S3 fault: a listing that repeats its continuation token is stopped", "[aws][s3][fault]")
{
    s3_fixture f(fault_url());
    auto r = f.run(f.s3.list_all("loop-" + unique_name("b"), ""));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::protocol_error));
    CHECK(r.error().message.find("repeated a continuation token") != std::string::npos);
    CHECK(f.count("GET 200") == 2);
}

// ---------------------------------------------------------------------------------------
// aws::storage: the conformance suite on moto

namespace {

struct moto_storage_factory
{
    std::string bucket = unique_name("conformance");
    aws::options opts = options_for(moto_url());

    moto_storage_factory()
    {
        // S3's smallest part (5 MiB) and ranges smaller than that: the large object below goes
        // up in three parts and comes down in four ranges.
        opts.multipart_threshold = 5ull << 20;
        opts.part_size = 5ull << 20;
        opts.download_chunk_size = 3ull << 20;
        boost::asio::io_context ctx;
        aws::storage s(ctx.get_executor(), opts);
        auto made = run_blocking(ctx, s.s3().value()->create_bucket(bucket));
        if (!made && !made.error().is(errc::already_exists))
            FAIL(made.error().what());
    }
    aws::storage make(boost::asio::any_io_executor ex) { return aws::storage(ex, opts); }
    mlcloud::storage_uri scratch() { return mlcloud::storage_uri::s3(bucket, "scratch/"); }
    std::uint64_t large_object_bytes() { return (11ull << 20) + 7; }
};

} // namespace

MLCLOUD_STORAGE_CONFORMANCE(moto_storage_factory)

TEST_CASE("aws::storage refuses other schemes and reports an unusable configuration", "[aws][storage]")
{
    boost::asio::io_context ctx;
    aws::storage s(ctx.get_executor(), options_for(moto_url()));
    temp_file f("x");
    auto local = run_blocking(ctx, s.upload(f.path, mlcloud::storage_uri::local("/tmp/x")));
    REQUIRE_FALSE(local);
    CHECK(local.error().is(errc::not_supported));
    // A destination that names no object is refused before a request: S3 would keep "dir/"
    // as an object that looks like a folder.
    for (auto const& to : {mlcloud::storage_uri::s3("b", "datasets/"), mlcloud::storage_uri::s3("b", "")})
    {
        auto dir = run_blocking(ctx, s.upload(f.path, to));
        REQUIRE_FALSE(dir);
        CHECK(dir.error().is(errc::invalid_argument));
        CHECK(dir.error().message.find("names a directory") != std::string::npos);
    }

    auto no_region = options_for(moto_url());
    no_region.region.clear();
    aws::storage broken(ctx.get_executor(), no_region);
    auto r = run_blocking(ctx, broken.exists(mlcloud::storage_uri::s3("b", "k")));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::invalid_argument));
    CHECK(r.error().message.find("region") != std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Setup

TEST_CASE("setup finds or creates the bucket and the log group, and changes nothing the second time", "[aws][setup]")
{
    boost::asio::io_context ctx;
    auto opts = options_for(moto_url());
    opts.bucket = unique_name("setup");
    opts.log_group = "/mlcloud/" + unique_name("setup");
    opts.instance_profile = "mlcloud-worker";
    opts.lambda_function = unique_name("nofunction");
    auto step = [](aws::setup_report const& r, std::string const& what) {
        for (auto const& s : r.steps)
            if (s.what == what)
                return s;
        FAIL("no step " << what);
        return aws::setup_step{};
    };
    using outcome = aws::setup_step::outcome;

    auto first = run_blocking(ctx, aws::setup(ctx.get_executor(), opts));
    REQUIRE(first);
    CHECK(first->ok());
    CHECK(first->account == "123456789012");
    CHECK(step(*first, "credentials").result == outcome::found);
    CHECK(step(*first, "bucket").result == outcome::created);
    CHECK(step(*first, "log group").result == outcome::created);
    CHECK(step(*first, "AMI").result == outcome::found);
    CHECK(step(*first, "instance profile").result == outcome::found);

    auto second = run_blocking(ctx, aws::setup(ctx.get_executor(), opts));
    REQUIRE(second);
    CHECK(second->ok());
    CHECK(step(*second, "bucket").result == outcome::found);
    CHECK(step(*second, "log group").result == outcome::found);

    opts.image_id.clear();
    auto bare = run_blocking(ctx, aws::setup(ctx.get_executor(), opts));
    REQUIRE(bare);
    CHECK(step(*bare, "AMI").result == outcome::missing);
    CHECK(bare->ok()); // missing optional pieces are reported, not failures
}

TEST_CASE("setup with rejected credentials fails at the first step", "[aws][setup][fault]")
{
    boost::asio::io_context ctx;
    auto opts = options_for(fault_url());
    auto creds = test_credentials();
    creds.secret_access_key = mlcloud::auth::secret_string("wrong");
    opts.credentials = creds;
    opts.region = "eu-west-3";
    auto r = run_blocking(ctx, aws::setup(ctx.get_executor(), opts));
    REQUIRE(r);
    CHECK_FALSE(r->ok());
    REQUIRE(r->steps.size() == 1);
    CHECK(r->steps[0].what == "credentials");
    CHECK(r->steps[0].detail.find("AuthFailure") != std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Prediction with Lambda

namespace {

std::string example(std::string const& name)
{
    return read_file(std::filesystem::path(MLCLOUD_EXAMPLE_DATA) / name);
}

/// A real model of examples/trainer, trained here on iris.csv.
std::string iris_model()
{
    using namespace mlcloud_trainer;
    auto table = load_table(std::filesystem::path(MLCLOUD_EXAMPLE_DATA) / "iris.csv", "dataset");
    auto data = prepare_training_data(table, "species", task_choice::automatic);
    train_options o;
    o.epochs = 30;
    return to_json(train(data, o, [](std::string const&) {}));
}

/// moto runs Lambda functions in its "simple" mode (no docker): Invoke answers with what was
/// queued at /moto-api/static/lambda-simple/response. The test plays the function: before each
/// invocation it runs the worker's own handler (examples/lambda_worker) on the event, with the
/// objects from moto's S3, and queues its answer.
class played_prediction
{
public:
    static constexpr mlcloud::capability_set capabilities = aws::prediction::capabilities;

    played_prediction(boost::asio::any_io_executor ex, aws::options const& opts)
        : real_(ex, opts), storage_(ex, opts), http_(ex, fast_http())
    {
    }

    mlcloud::task<mlcloud::prediction_result> predict(mlcloud::prediction_request const& req)
    {
        // (Named variables only in this coroutine: GCC 12 mishandles braced temporaries there.)
        std::map<std::string, std::string> objects;
        std::vector<mlcloud::storage_uri const*> wanted;
        wanted.push_back(&req.model);
        if (req.input_uri)
            wanted.push_back(&*req.input_uri);
        for (auto const* u : wanted)
        {
            auto got = co_await storage_.s3().value()->get_object(u->bucket, u->key);
            if (got)
                objects[u->str()] = std::move(*got);
        }
        auto event = aws::detail::prediction_payload(req);
        if (event)
        {
            auto answer = mlcloud_lambda::handle_event(*event, [&](mlcloud::storage_uri const& u) -> mlcloud::result<std::string> {
                auto it = objects.find(u.str());
                if (it == objects.end())
                    return mlcloud::error(errc::not_found, "no such object");
                return it->second;
            });
            // Only answers are queued; a failing event never reaches the function (the
            // provider checks the model first) and would otherwise be left in the queue.
            if (answer.ok)
            {
                boost::json::array results;
                results.emplace_back(answer.body);
                boost::json::object doc;
                doc["results"] = std::move(results);
                doc["region"] = "us-east-1";
                net::request queue;
                queue.method = net::method::post;
                queue.url = moto_url() + "/moto-api/static/lambda-simple/response";
                queue.headers.set("Content-Type", "application/json");
                queue.body = boost::json::serialize(doc);
                auto queued = co_await http_.send(std::move(queue));
                if (!queued || !queued->ok())
                    co_return mlcloud::error(errc::provider_error, "could not queue the function's answer in moto");
            }
        }
        co_return co_await real_.predict(req);
    }

private:
    aws::prediction real_;
    aws::storage storage_;
    net::http_client http_;
};

/// Lambda in moto's simple mode (set before the function is created: the modes keep
/// separate stores), a bucket with a model and rows, and the function.
struct moto_lambda
{
    std::string bucket = unique_name("predict");
    std::string function = unique_name("predict-fn");
    aws::options opts = options_for(moto_url());
    std::string rows = example("iris-predict.csv");

    moto_lambda()
    {
        boost::asio::io_context ctx;
        net::http_client http(ctx.get_executor(), fast_http());
        auto config = run_blocking(ctx, http.send({.method = net::method::post,
                                                   .url = moto_url() + "/moto-api/config",
                                                   .headers = {{"Content-Type", "application/json"}},
                                                   .body = R"({"lambda":{"use_docker":false}})"}));
        REQUIRE(config);
        REQUIRE(config->ok());
        aws::storage s(ctx.get_executor(), opts);
        auto* s3 = s.s3().value();
        REQUIRE(run_blocking(ctx, s3->create_bucket(bucket)));
        REQUIRE(run_blocking(ctx, s3->put_object(bucket, "models/iris.json", iris_model())));
        REQUIRE(run_blocking(ctx, s3->put_object(bucket, "rows/iris-predict.csv", rows)));
        // moto checks that the function's role exists.
        aws::client raw(ctx.get_executor(), session_for(moto_url()), fast_http());
        constexpr aws::service iam{"IAM", "iam", "iam"};
        std::string const role = unique_name("predict-role");
        auto made_role = run_blocking(
            ctx, raw.query(iam, "CreateRole", "2010-05-08",
                           {{"RoleName", role},
                            {"AssumeRolePolicyDocument",
                             R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                             R"({"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})"}}));
        REQUIRE(made_role);
        // An empty zip archive is enough for the simple mode.
        boost::json::object fn{{"FunctionName", function},
                               {"Runtime", "provided.al2023"},
                               {"Role", "arn:aws:iam::123456789012:role/" + role},
                               {"Handler", "bootstrap"},
                               {"MemorySize", 512},
                               {"Code", boost::json::object{{"ZipFile", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}}};
        auto made = run_blocking(ctx, raw.send(aws::lambda_service, {.method = net::method::post,
                                                                     .url = moto_url() + "/2015-03-31/functions",
                                                                     .headers = {{"Content-Type", "application/json"}},
                                                                     .body = boost::json::serialize(fn)}));
        REQUIRE(made);
        INFO(made->body);
        REQUIRE(made->status == 201);
        opts.lambda_function = function;
        opts.lambda_memory_mb = 512;
    }

    mlcloud::storage_uri model() const { return mlcloud::storage_uri::s3(bucket, "models/iris.json"); }
    std::size_t row_count() const { return static_cast<std::size_t>(std::count(rows.begin(), rows.end(), '\n')) - 1; }
};

struct moto_prediction_factory : moto_lambda
{
    std::unique_ptr<played_prediction> make(boost::asio::any_io_executor ex)
    {
        return std::make_unique<played_prediction>(ex, opts);
    }
    mlcloud::prediction_request request() { return {.model = model(), .input = rows}; }
    std::size_t expected_rows() { return row_count(); }
    mlcloud::storage_uri missing_model() { return mlcloud::storage_uri::s3(bucket, "models/none.json"); }
};

} // namespace

MLCLOUD_PREDICTION_CONFORMANCE(moto_prediction_factory)

TEST_CASE("Lambda prediction on moto: the worker's rows, a request id, a measured cost", "[aws][prediction]")
{
    moto_lambda m;
    boost::asio::io_context ctx;
    played_prediction p(ctx.get_executor(), m.opts);
    mlcloud::prediction_request req{.model = m.model(), .input_uri = mlcloud::storage_uri::s3(m.bucket, "rows/iris-predict.csv")};
    auto r = run_blocking(ctx, p.predict(req));
    REQUIRE(r);
    CHECK(r->request_id.starts_with("aws-"));
    CHECK(r->request_id.size() > 8);
    CHECK(r->output.starts_with("sepal_length,sepal_width,petal_length,petal_width,prediction\n"));
    CHECK(r->output.find("setosa") != std::string::npos);
    CHECK(r->cost.usd > 0.0);
    CHECK(r->cost.basis.find("measured here") != std::string::npos); // moto sends no REPORT line

    auto bad_model = req;
    bad_model.model = mlcloud::storage_uri::local("/tmp/model.json");
    auto invalid = run_blocking(ctx, p.predict(bad_model));
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().is(errc::invalid_argument));
}

namespace {

struct fault_prediction
{
    boost::asio::io_context ctx;
    aws::options opts = options_for(fault_url());
    raw_calls raw{ctx, fault_url()};

    mlcloud::result<mlcloud::prediction_result> predict(std::string const& function, std::string input = "x\n1\n")
    {
        opts.lambda_function = function;
        opts.check_model_before_invoke = false; // the fault server has no objects
        aws::prediction p(ctx.get_executor(), opts);
        return run_blocking(ctx, p.predict({.model = mlcloud::storage_uri::s3("b", "m.json"), .input = std::move(input)}));
    }
};

} // namespace

TEST_CASE("Lambda prediction fault: function errors carry the function's message and the request id", "[aws][prediction][fault]")
{
    fault_prediction f;
    auto failing = f.predict("failing-" + unique_name("f"));
    REQUIRE_FALSE(failing);
    CHECK(failing.error().is(errc::job_failed));
    CHECK(failing.error().message.find("failed (Unhandled): ValueError: boom in the handler") != std::string::npos);
    CHECK_FALSE(failing.error().request_id.empty());
    CHECK(failing.error().http_status == 200);

    auto no_model = f.predict("nomodel-" + unique_name("f"));
    REQUIRE_FALSE(no_model);
    CHECK(no_model.error().is(errc::not_found));
    CHECK(no_model.error().message.find("does not exist") != std::string::npos);

    auto missing = f.predict("missing-" + unique_name("f"));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().is(errc::not_found));
    CHECK(missing.error().message.starts_with("ResourceNotFoundException: Function not found"));
    CHECK(missing.error().http_status == 404);
}

TEST_CASE("Lambda prediction fault: throttling is retried after Retry-After, the REPORT line is billed", "[aws][prediction][fault]")
{
    fault_prediction f;
    std::string const fn = "throttled-" + unique_name("f");
    auto r = f.predict(fn);
    REQUIRE(r);
    CHECK(counter(f.raw.stats(fn), "invocations") == 2);
    CHECK(r->output == "x,prediction\n1,2\n");
    CHECK(r->duration == std::chrono::milliseconds(41));
    auto expected = mlcloud::messages::lambda_cost({.memory_mb = 512, .duration = std::chrono::milliseconds(42)});
    CHECK(r->cost.usd == Approx(expected.usd));
    CHECK(r->cost.basis.find("measured") == std::string::npos);
}

TEST_CASE("Lambda prediction: the 6 MB limit is checked before anything is sent", "[aws][prediction][fault]")
{
    fault_prediction f;
    std::string const fn = "big-" + unique_name("f");
    auto r = f.predict(fn, std::string(6 * 1024 * 1024, 'x'));
    REQUIRE_FALSE(r);
    CHECK(r.error().is(errc::payload_too_large));
    CHECK(r.error().message.find("input_uri") != std::string::npos);
    CHECK(counter(f.raw.stats(fn), "invocations") == 0);

    f.opts.lambda_function.clear();
    aws::prediction none(f.ctx.get_executor(), f.opts);
    auto unconfigured = run_blocking(f.ctx, none.predict({.model = mlcloud::storage_uri::s3("b", "m"), .input = "x"}));
    REQUIRE_FALSE(unconfigured);
    CHECK(unconfigured.error().is(errc::not_supported));
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TESTING_CONFORMANCE_HPP
#define MLCLOUD_TESTING_CONFORMANCE_HPP

// The Catch2 (v2) conformance suite: what every provider must do, whatever cloud it drives.
// mlcloud runs it on every backend it ships; you run it on yours (docs/writing-a-provider.md):
//
//     struct my_training_factory {
//         my_training make(boost::asio::any_io_executor ex);  // or a std::unique_ptr to one
//         mlcloud::job_spec succeeding_job();   // prints a few lines, then the completion marker
//         mlcloud::job_spec failing_job();      // exits with an error
//         mlcloud::job_spec long_running_job(); // runs until terminated
//     };
//     MLCLOUD_TRAINING_CONFORMANCE(my_training_factory)
//
// Optional factory members: `std::chrono::seconds deadline()` (default 60 s per wait),
// `std::chrono::milliseconds poll_interval()` (default 50 ms), `mlcloud::job_handle
// unknown_job()` (a well-formed id of a job that does not exist).
//
// Each check is a SECTION, so a failure names the rule that was broken.

#include <mlcloud/blocking.hpp>
#include <mlcloud/concepts.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace mlcloud::testing {
namespace conformance_detail {

template <class T>
T& deref(T& t) { return t; }
template <class T>
T& deref(std::unique_ptr<T>& t) { return *t; }
template <class T>
T& deref(std::shared_ptr<T>& t) { return *t; }

template <class F>
std::chrono::seconds deadline(F& f)
{
    if constexpr (requires { f.deadline(); })
        return f.deadline();
    else
        return std::chrono::seconds(60);
}

template <class F>
std::chrono::milliseconds poll_interval(F& f)
{
    if constexpr (requires { f.poll_interval(); })
        return f.poll_interval();
    else
        return std::chrono::milliseconds(50);
}

inline boost::asio::awaitable<void> sleep_for(std::chrono::milliseconds d)
{
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, d);
    co_await t.async_wait(boost::asio::use_awaitable);
}

/// Polls status until the job is in a terminal state (or, with `until_running`, has started).
template <class P>
boost::asio::awaitable<result<job_status>> wait_for(P& p, job_handle h, std::chrono::seconds limit,
                                                    std::chrono::milliseconds every, bool until_running = false)
{
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;)
    {
        auto s = co_await p.status(h);
        if (!s)
            co_return s;
        if (is_terminal(s->state) || (until_running && s->state == job_state::running))
            co_return s;
        if (std::chrono::steady_clock::now() > end)
            co_return error(errc::timeout, "conformance: job did not reach the expected state in time");
        co_await sleep_for(every);
    }
}

/// Every chunk read from the empty cursor to the end of the stream, in order.
struct log_transcript
{
    std::vector<log_chunk> chunks;
    std::vector<log_cursor> cursors; // cursors[i] is the cursor chunks[i] was read from
    std::vector<std::string> all_lines() const
    {
        std::vector<std::string> out;
        for (auto const& c : chunks)
            out.insert(out.end(), c.lines.begin(), c.lines.end());
        return out;
    }
};

/// The log from `from` (the start by default) to the end of the stream; errc::timeout when it
/// does not end in time.
template <class P>
boost::asio::awaitable<result<log_transcript>> read_all_logs(P& p, job_handle h, std::chrono::seconds limit,
                                                             std::chrono::milliseconds every, log_cursor from = {})
{
    auto end = std::chrono::steady_clock::now() + limit;
    log_transcript t;
    log_cursor cursor = std::move(from);
    for (;;)
    {
        auto chunk = co_await p.read_logs(h, cursor);
        if (!chunk)
            co_return chunk.error();
        t.cursors.push_back(cursor);
        cursor = chunk->next;
        bool done = chunk->end_of_stream;
        bool idle = chunk->lines.empty();
        t.chunks.push_back(std::move(*chunk));
        if (done)
            co_return t;
        if (std::chrono::steady_clock::now() > end)
            co_return error(errc::timeout, "conformance: the log stream did not end in time");
        if (idle)
            co_await sleep_for(every);
    }
}

/// Terminates a job when a failed REQUIRE leaves its section: a long-running job on a real
/// cloud would otherwise bill until someone notices.
template <class P>
class terminate_on_failure
{
public:
    terminate_on_failure(boost::asio::io_context& ctx, P& p, job_handle h)
        : ctx_(ctx), p_(p), h_(std::move(h)), exceptions_(std::uncaught_exceptions())
    {
    }
    terminate_on_failure(terminate_on_failure const&) = delete;
    terminate_on_failure& operator=(terminate_on_failure const&) = delete;
    ~terminate_on_failure()
    {
        if (std::uncaught_exceptions() <= exceptions_)
            return; // the section ended normally and saw to its job
        try
        {
            ctx_.restart();
            (void)run_blocking(ctx_, p_.terminate(h_));
        }
        catch (...)
        {
        }
    }

private:
    boost::asio::io_context& ctx_;
    P& p_;
    job_handle h_;
    int exceptions_;
};

inline std::string random_suffix()
{
    std::random_device rd;
    std::mt19937_64 gen(rd());
    std::string s(12, ' ');
    for (auto& c : s)
        c = "0123456789abcdef"[gen() % 16];
    return s;
}

inline std::filesystem::path write_temp_file(std::string const& content)
{
    auto path = std::filesystem::temp_directory_path() / ("mlcloud-conformance-" + random_suffix());
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

inline std::string read_file(std::filesystem::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace conformance_detail

/// The rules every training_provider follows. Call inside a Catch2 TEST_CASE.
template <class Factory>
void training_conformance(Factory& factory)
{
    namespace cd = conformance_detail;
    boost::asio::io_context ctx;
    auto made = factory.make(ctx.get_executor());
    auto& p = cd::deref(made);
    using P = std::remove_reference_t<decltype(p)>;
    static_assert(training_provider<P>, "the factory must make a training_provider");
    auto const limit = cd::deadline(factory);
    auto const every = cd::poll_interval(factory);
    auto run = [&](auto op) { return run_blocking(ctx, std::move(op)); };

    SECTION("a succeeding job ends in succeeded and its log ends with the completion marker")
    {
        auto h = run(p.launch(factory.succeeding_job()));
        REQUIRE(h.has_value());
        cd::terminate_on_failure<P> guard(ctx, p, *h);
        CHECK_FALSE(h->id.empty());
        CHECK_FALSE(h->provider.empty());
        auto logs = run(cd::read_all_logs(p, *h, limit, every));
        REQUIRE(logs.has_value());
        auto s = run(cd::wait_for(p, *h, limit, every));
        REQUIRE(s.has_value());
        CHECK(s->state == job_state::succeeded);
        auto lines = logs->all_lines();
        REQUIRE_FALSE(lines.empty());
        CHECK(lines.back().find(completion_marker) != std::string::npos);

        // Reading again from the start gives the same lines, and resuming from every cursor
        // seen on the way where the position moved (the start, and after each chunk that
        // carried lines) gives exactly the rest, to the end: nothing lost, nothing repeated.
        auto again = run(cd::read_all_logs(p, *h, limit, every));
        REQUIRE(again.has_value());
        CHECK(again->all_lines() == lines);
        std::size_t before = 0;
        for (std::size_t i = 0; i < logs->chunks.size(); ++i)
        {
            if (i == 0 || !logs->chunks[i - 1].lines.empty())
            {
                auto tail = run(cd::read_all_logs(p, *h, limit, every, logs->cursors[i]));
                REQUIRE(tail.has_value());
                CHECK(tail->all_lines() ==
                      std::vector<std::string>(lines.begin() + static_cast<std::ptrdiff_t>(before), lines.end()));
            }
            before += logs->chunks[i].lines.size();
        }
        // The cursor after the last chunk: nothing more, and still the end.
        auto past = run(p.read_logs(*h, logs->chunks.back().next));
        REQUIRE(past.has_value());
        CHECK(past->lines.empty());
        CHECK(past->end_of_stream);
    }

    SECTION("a job can be addressed again from provider and id alone (after a restart)")
    {
        auto h = run(p.launch(factory.succeeding_job()));
        REQUIRE(h.has_value());
        cd::terminate_on_failure<P> guard(ctx, p, *h);
        job_handle bare{.provider = h->provider, .id = h->id};
        auto s = run(cd::wait_for(p, bare, limit, every));
        REQUIRE(s.has_value());
        CHECK(s->state == job_state::succeeded);
        auto chunk = run(p.read_logs(bare, log_cursor{}));
        REQUIRE(chunk.has_value());
    }

    SECTION("a failing job ends in failed")
    {
        auto h = run(p.launch(factory.failing_job()));
        REQUIRE(h.has_value());
        cd::terminate_on_failure<P> guard(ctx, p, *h);
        auto s = run(cd::wait_for(p, *h, limit, every));
        REQUIRE(s.has_value());
        CHECK(s->state == job_state::failed);
    }

    SECTION("terminate ends a running job, is idempotent, and the state stays cancelled")
    {
        auto h = run(p.launch(factory.long_running_job()));
        REQUIRE(h.has_value());
        cd::terminate_on_failure<P> guard(ctx, p, *h);
        auto running = run(cd::wait_for(p, *h, limit, every, true));
        REQUIRE(running.has_value());
        CHECK(running->state == job_state::running);
        auto t1 = run(p.terminate(*h));
        REQUIRE(t1.has_value());
        auto s = run(cd::wait_for(p, *h, limit, every));
        REQUIRE(s.has_value());
        CHECK(s->state == job_state::cancelled);
        auto t2 = run(p.terminate(*h));
        REQUIRE(t2.has_value());
        CHECK(t2->state == job_state::cancelled);
        if constexpr (supports<P, capability::cost_report>)
            CHECK(t2->cost_so_far.usd >= 0.0);
    }

    SECTION("reading logs twice from the same cursor gives the same lines")
    {
        auto h = run(p.launch(factory.succeeding_job()));
        REQUIRE(h.has_value());
        cd::terminate_on_failure<P> guard(ctx, p, *h);
        REQUIRE(run(cd::wait_for(p, *h, limit, every)).has_value());
        auto a = run(p.read_logs(*h, log_cursor{}));
        auto b = run(p.read_logs(*h, log_cursor{}));
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        CHECK(a->lines == b->lines);
        CHECK(a->next == b->next);
    }

    SECTION("an unknown job is reported as not_found")
    {
        job_handle unknown{.provider = "conformance", .id = "no-such-job-" + cd::random_suffix()};
        if constexpr (requires { factory.unknown_job(); })
            unknown = factory.unknown_job();
        auto s = run(p.status(unknown));
        REQUIRE(s.has_error());
        CHECK(s.error().is(errc::not_found));
        auto t = run(p.terminate(unknown));
        REQUIRE(t.has_error());
        CHECK(t.error().is(errc::not_found));
    }

    if constexpr (supports<P, capability::idempotent_launch>)
    {
        SECTION("a launch repeated with the same idempotency key returns the same job")
        {
            auto spec = factory.succeeding_job();
            spec.idempotency_key = "conformance-" + cd::random_suffix();
            auto a = run(p.launch(spec));
            REQUIRE(a.has_value());
            cd::terminate_on_failure<P> guard(ctx, p, *a);
            auto b = run(p.launch(spec));
            REQUIRE(b.has_value());
            CHECK(a->id == b->id);
            REQUIRE(run(cd::wait_for(p, *a, limit, every)).has_value());
        }
    }
}

/// The rules every storage_provider follows. The factory provides
///     P make(any_io_executor);            // or a smart pointer to one
///     mlcloud::storage_uri scratch();      // an empty prefix the suite may fill and clear
/// and, optionally,
///     std::uint64_t large_object_bytes();  // a size that goes up in several parts
/// for a round trip of an object the provider splits (multipart upload, ranged download).
template <class Factory>
void storage_conformance(Factory& factory)
{
    namespace cd = conformance_detail;
    boost::asio::io_context ctx;
    auto made = factory.make(ctx.get_executor());
    auto& p = cd::deref(made);
    using P = std::remove_reference_t<decltype(p)>;
    static_assert(storage_provider<P>, "the factory must make a storage_provider");
    auto run = [&](auto op) { return run_blocking(ctx, std::move(op)); };
    storage_uri const base = factory.scratch().child("conformance-" + cd::random_suffix());

    // Bytes that trip up text handling: NUL, CR LF, high bytes.
    std::string const content = std::string("line 1\r\nline 2\n\0binary\xff\xfe", 24) + std::string(100000, 'x');
    auto const local = cd::write_temp_file(content);
    auto const back = std::filesystem::path(local.string() + ".back");
    struct remove_on_exit
    {
        std::filesystem::path a, b;
        ~remove_on_exit()
        {
            std::error_code ignored;
            std::filesystem::remove(a, ignored);
            std::filesystem::remove(b, ignored);
        }
    } cleanup{local, back};

    SECTION("upload, exists, download round-trip the exact bytes with progress")
    {
        auto target = base.child("dir/object.bin");
        std::uint64_t last_done = 0, last_total = 0;
        transfer_options opts{[&](std::uint64_t d, std::uint64_t t) { last_done = d; last_total = t; }};
        auto up = run(p.upload(local, target, opts));
        REQUIRE(up.has_value());
        CHECK(up->size == content.size());
        CHECK(last_done == content.size());
        CHECK(last_total == content.size());
        CHECK(run(p.exists(target)).value());
        auto down = run(p.download(target, back, transfer_options{}));
        REQUIRE(down.has_value());
        CHECK(down->size == content.size());
        CHECK(cd::read_file(back) == content);
        CHECK(run(p.remove(target)).has_value());
    }

    SECTION("an empty file round-trips as an empty object and replaces a file on download")
    {
        auto target = base.child("empty.csv");
        auto const empty = cd::write_temp_file("");
        auto up = run(p.upload(empty, target, transfer_options{}));
        std::filesystem::remove(empty);
        REQUIRE(up.has_value());
        CHECK(up->size == 0);
        CHECK(run(p.exists(target)).value());
        auto listed = run(p.list(target));
        REQUIRE(listed.has_value());
        REQUIRE(listed->size() == 1);
        CHECK(listed->front().size == 0);
        std::filesystem::copy_file(local, back, std::filesystem::copy_options::overwrite_existing);
        auto down = run(p.download(target, back, transfer_options{}));
        REQUIRE(down.has_value());
        CHECK(down->size == 0);
        CHECK(std::filesystem::file_size(back) == 0);
        CHECK(run(p.remove(target)).has_value());
    }

    if constexpr (requires { std::uint64_t(factory.large_object_bytes()); })
    {
        SECTION("an object of several parts round-trips the exact bytes with progress")
        {
            // Every byte depends on its offset, so a part sent twice, lost or out of place shows.
            auto const size = static_cast<std::size_t>(factory.large_object_bytes());
            std::string large(size, '\0');
            for (std::size_t i = 0; i < size; ++i)
                large[i] = static_cast<char>((i * 131 + i / 4099) & 0xff);
            auto const file = cd::write_temp_file(large);
            auto target = base.child("large.bin");
            std::uint64_t last_done = 0;
            bool monotonic = true;
            transfer_options opts{[&](std::uint64_t d, std::uint64_t) {
                monotonic = monotonic && d >= last_done;
                last_done = d;
            }};
            auto up = run(p.upload(file, target, opts));
            std::filesystem::remove(file);
            REQUIRE(up.has_value());
            CHECK(up->size == size);
            CHECK(monotonic);
            CHECK(last_done == size);
            auto down = run(p.download(target, back, transfer_options{}));
            REQUIRE(down.has_value());
            CHECK(down->size == size);
            CHECK(cd::read_file(back) == large);
            CHECK(run(p.remove(target)).has_value());
        }
    }

    SECTION("list returns the objects under a prefix, sorted by key, with sizes")
    {
        std::vector<storage_uri> uris;
        for (auto name : {"b.csv", "a.csv", "sub/c.csv"})
        {
            uris.push_back(base.child("list").child(name));
            REQUIRE(run(p.upload(local, uris.back(), transfer_options{})).has_value());
        }
        auto other = base.child("listing-not-included.csv");
        REQUIRE(run(p.upload(local, other, transfer_options{})).has_value());
        auto listed = run(p.list(base.child("list/")));
        REQUIRE(listed.has_value());
        std::vector<std::string> keys;
        for (auto const& o : *listed)
        {
            keys.push_back(o.uri.str());
            CHECK(o.size == content.size());
        }
        std::vector<std::string> expected{base.child("list/a.csv").str(), base.child("list/b.csv").str(),
                                          base.child("list/sub/c.csv").str()};
        CHECK(keys == expected);
        for (auto const& u : uris)
            CHECK(run(p.remove(u)).has_value());
        CHECK(run(p.remove(other)).has_value());
    }

    SECTION("an upload replaces an existing object")
    {
        auto target = base.child("replace.txt");
        REQUIRE(run(p.upload(local, target, transfer_options{})).has_value());
        auto small = cd::write_temp_file("v2");
        REQUIRE(run(p.upload(small, target, transfer_options{})).value().size == 2);
        REQUIRE(run(p.download(target, back, transfer_options{})).has_value());
        CHECK(cd::read_file(back) == "v2");
        std::filesystem::remove(small);
        CHECK(run(p.remove(target)).has_value());
    }

    SECTION("remove is idempotent and a missing object is not_found on download")
    {
        auto target = base.child("gone.txt");
        REQUIRE(run(p.upload(local, target, transfer_options{})).has_value());
        REQUIRE(run(p.remove(target)).has_value());
        CHECK_FALSE(run(p.exists(target)).value());
        CHECK(run(p.remove(target)).has_value());
        auto missing = run(p.download(target, back, transfer_options{}));
        REQUIRE(missing.has_error());
        CHECK(missing.error().is(errc::not_found));
    }

    if constexpr (presigning_storage_provider<P>)
    {
        SECTION("presign hands out URLs for GET and PUT and refuses a bad expiry")
        {
            auto target = base.child("presigned.txt");
            auto get = p.presign(target, presign_method::get, std::chrono::seconds(600));
            auto put = p.presign(target, presign_method::put, std::chrono::seconds(600));
            REQUIRE(get.has_value());
            REQUIRE(put.has_value());
            CHECK_FALSE(get->empty());
            CHECK(*get != *put);
            auto bad = p.presign(target, presign_method::get, std::chrono::seconds(8 * 24 * 3600));
            REQUIRE(bad.has_error());
            CHECK(bad.error().is(errc::invalid_argument));
        }
    }
}

/// The rules every prediction_provider follows. The factory provides
///     P make(any_io_executor);                // or a smart pointer to one
///     mlcloud::prediction_request request();  // a usable model and input rows with a header
///     std::size_t expected_rows();            // data rows the output must hold
///     mlcloud::storage_uri missing_model();   // a model location that does not exist
template <class Factory>
void prediction_conformance(Factory& factory)
{
    namespace cd = conformance_detail;
    boost::asio::io_context ctx;
    auto made = factory.make(ctx.get_executor());
    auto& p = cd::deref(made);
    using P = std::remove_reference_t<decltype(p)>;
    static_assert(prediction_provider<P>, "the factory must make a prediction_provider");
    auto run = [&](auto op) { return run_blocking(ctx, std::move(op)); };

    SECTION("predict returns one prediction per input row, a request id, and a cost")
    {
        auto r = run(p.predict(factory.request()));
        REQUIRE(r.has_value());
        CHECK_FALSE(r->request_id.empty());
        auto rows = std::count(r->output.begin(), r->output.end(), '\n');
        if (!r->output.empty() && r->output.back() != '\n')
            ++rows;
        CHECK(static_cast<std::size_t>(rows) == factory.expected_rows() + 1); // + the header
        CHECK(r->cost.usd >= 0.0);
        CHECK(r->duration.count() >= 0);
    }

    SECTION("two predictions get different request ids")
    {
        auto a = run(p.predict(factory.request()));
        auto b = run(p.predict(factory.request()));
        REQUIRE(a.has_value());
        REQUIRE(b.has_value());
        CHECK(a->request_id != b->request_id);
    }

    SECTION("a missing model is not_found")
    {
        auto req = factory.request();
        req.model = factory.missing_model();
        auto r = run(p.predict(req));
        REQUIRE(r.has_error());
        CHECK(r.error().is(errc::not_found));
    }
}

} // namespace mlcloud::testing

#define MLCLOUD_CONFORMANCE_CASE_(kind, factory)                                                       \
    TEST_CASE(#factory " conforms to " #kind "_provider", "[conformance][" #kind "]")                 \
    {                                                                                                  \
        factory f;                                                                                     \
        ::mlcloud::testing::kind##_conformance(f);                                                     \
    }

/// Registers the training conformance suite for a factory type.
#define MLCLOUD_TRAINING_CONFORMANCE(factory) MLCLOUD_CONFORMANCE_CASE_(training, factory)
/// Registers the storage conformance suite for a factory type.
#define MLCLOUD_STORAGE_CONFORMANCE(factory) MLCLOUD_CONFORMANCE_CASE_(storage, factory)
/// Registers the prediction conformance suite for a factory type.
#define MLCLOUD_PREDICTION_CONFORMANCE(factory) MLCLOUD_CONFORMANCE_CASE_(prediction, factory)

#endif

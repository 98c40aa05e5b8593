//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// mlcloud::reconcile's judgement against a scripted provider: the branches a real provider
// rarely shows on demand (a status that cannot be read, a terminate that fails, a machine that
// vanishes between the listing and the status, an unknown launch time), each of which must be
// reported, never hidden. tests/integration/faults/reconcile.cpp runs it on real backends.

#include <mlcloud/blocking.hpp>
#include <mlcloud/reconcile.hpp>

#include <catch2/catch.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cancellation.hpp>

#include <map>

using mlcloud::errc;
using mlcloud::job_handle;
using mlcloud::job_state;
using mlcloud::job_status;

namespace {

/// A training provider whose answers are set by the test.
struct scripted_training
{
    static constexpr mlcloud::capability_set capabilities{};

    std::vector<job_handle> listed;
    std::map<std::string, mlcloud::result<job_status>> statuses; ///< missing: not_found
    std::optional<mlcloud::error> terminate_error;
    std::optional<mlcloud::error> list_error;
    std::vector<std::string> terminated;

    mlcloud::task<job_handle> launch(mlcloud::job_spec const&) { co_return mlcloud::error(errc::not_supported); }

    std::chrono::milliseconds status_delay{0}; ///< each status answer takes this long

    mlcloud::task<job_status> status(job_handle const& h)
    {
        if (status_delay.count() > 0)
        {
            boost::asio::steady_timer wait(co_await boost::asio::this_coro::executor, status_delay);
            co_await wait.async_wait(boost::asio::use_awaitable); // throws once cancelled, as Asio's waits do
        }
        auto it = statuses.find(h.id);
        if (it == statuses.end())
            co_return mlcloud::error(errc::not_found, "no machine " + h.id);
        co_return it->second;
    }

    mlcloud::task<mlcloud::log_chunk> read_logs(job_handle const&, mlcloud::log_cursor const&)
    {
        co_return mlcloud::log_chunk{};
    }

    mlcloud::task<job_status> terminate(job_handle const& h)
    {
        if (terminate_error)
            co_return *terminate_error;
        terminated.push_back(h.id);
        auto s = statuses.at(h.id).value();
        s.state = job_state::cancelled;
        statuses.insert_or_assign(h.id, s);
        co_return s;
    }

    mlcloud::task<std::vector<job_handle>> list_jobs()
    {
        if (list_error)
            co_return *list_error;
        co_return listed;
    }
};

static_assert(mlcloud::job_listing_provider<scripted_training>);

job_handle machine(std::string id, std::chrono::system_clock::time_point launched = {})
{
    return job_handle{.provider = "scripted", .id = std::move(id), .launched_at = launched};
}

job_status running(double usd)
{
    job_status s;
    s.state = job_state::running;
    s.cost_so_far.usd = usd;
    return s;
}

mlcloud::result<mlcloud::reconcile_report> run(scripted_training& p, std::vector<job_handle> const& records,
                                               mlcloud::reconcile_options const& opts = {})
{
    boost::asio::io_context ctx;
    return mlcloud::run_blocking(ctx, mlcloud::reconcile(p, records, opts));
}

/// The report's one orphan: still billing, with a problem of code `c`.
mlcloud::untracked_machine const& lone_troubled_orphan(mlcloud::reconcile_report const& r, errc c)
{
    REQUIRE(r.orphans.size() == 1);
    CHECK(r.orphans_left() == 1);
    REQUIRE(r.orphans[0].problem);
    CHECK(r.orphans[0].problem->is(c));
    return r.orphans[0];
}

} // namespace

TEST_CASE("reconcile sorts listed machines into tracked, orphans and ended, and sums the orphans' cost",
          "[reconcile]")
{
    scripted_training p;
    p.listed = {machine("a"), machine("b"), machine("c"), machine("d")};
    p.statuses.emplace("a", running(1.0));
    p.statuses.emplace("b", running(0.25));
    p.statuses.emplace("c", running(0.5));
    job_status done;
    done.state = job_state::succeeded;
    p.statuses.emplace("d", done);

    auto r = run(p, {machine("a")});
    REQUIRE(r.has_value());
    REQUIRE(r->tracked.size() == 1);
    CHECK(r->tracked[0].id == "a");
    REQUIRE(r->orphans.size() == 2);
    CHECK(r->orphans[0].job.id == "b");
    CHECK(r->orphans[1].job.id == "c");
    CHECK(r->orphan_cost.usd == Approx(0.75));
    CHECK(r->orphan_cost.known);
    CHECK(r->orphans_left() == 2);
    REQUIRE(r->ended.size() == 1);
    CHECK(r->ended[0].job.id == "d");
    CHECK(p.terminated.empty());
}

TEST_CASE("reconcile: the orphans' cost is a lower bound when one of them cannot be priced", "[reconcile]")
{
    scripted_training p;
    p.listed = {machine("priced"), machine("unpriced")};
    p.statuses.emplace("priced", running(0.25));
    auto unpriced = running(0.0);
    unpriced.cost_so_far.known = false;
    p.statuses.emplace("unpriced", unpriced);
    auto r = run(p, {});
    REQUIRE(r.has_value());
    CHECK(r->orphan_cost.usd == Approx(0.25));
    CHECK_FALSE(r->orphan_cost.known);
}

TEST_CASE("reconcile reports a machine whose status cannot be read as an orphan with its problem", "[reconcile]")
{
    scripted_training p;
    p.listed = {machine("x")};
    p.statuses.emplace("x", mlcloud::error(errc::throttled, "slow down"));
    auto r = run(p, {});
    REQUIRE(r.has_value());
    CHECK_FALSE(lone_troubled_orphan(*r, errc::throttled).status);
    CHECK_FALSE(r->orphan_cost.known); // not $0.00: its cost could not be read
}

TEST_CASE("reconcile counts a machine gone between the listing and its status as ended", "[reconcile]")
{
    scripted_training p;
    p.listed = {machine("gone-already")}; // no status: not_found
    auto r = run(p, {});
    REQUIRE(r.has_value());
    CHECK(r->orphans.empty());
    REQUIRE(r->ended.size() == 1);
    CHECK(r->ended[0].job.id == "gone-already");
}

TEST_CASE("reconcile with terminate stops orphans old enough, reports a failed terminate, leaves young ones",
          "[reconcile]")
{
    auto const now = std::chrono::system_clock::now();
    scripted_training p;
    p.listed = {machine("old", now - std::chrono::hours(2)), machine("young", now - std::chrono::seconds(30)),
                machine("unknown-age")};
    for (auto id : {"old", "young", "unknown-age"})
        p.statuses.emplace(id, running(0.5));

    mlcloud::reconcile_options opts;
    opts.terminate = true;
    opts.min_age = std::chrono::minutes(10);
    auto r = run(p, {}, opts);
    REQUIRE(r.has_value());
    // A machine whose launch time is unknown counts as old: better stopped than hidden.
    CHECK(p.terminated == std::vector<std::string>{"old", "unknown-age"});
    REQUIRE(r->orphans.size() == 2);
    CHECK(r->orphans[0].terminated);
    CHECK(r->orphans[0].status->state == job_state::cancelled);
    CHECK(r->orphans_left() == 0);
    REQUIRE(r->too_young.size() == 1);
    CHECK(r->too_young[0].job.id == "young");
    CHECK_FALSE(r->too_young[0].terminated);

    scripted_training q;
    q.listed = {machine("stuck")};
    q.statuses.emplace("stuck", running(2.0));
    q.terminate_error = mlcloud::error(errc::forbidden, "not allowed");
    auto failed = run(q, {}, opts);
    REQUIRE(failed.has_value());
    CHECK_FALSE(lone_troubled_orphan(*failed, errc::forbidden).terminated);
    CHECK(failed->orphan_cost.usd == Approx(2.0));
}

TEST_CASE("reconcile: a min_age of centuries keeps every dated machine young, it does not overflow", "[reconcile]")
{
    auto const now = std::chrono::system_clock::now();
    scripted_training p;
    p.listed = {machine("a-day-old", now - std::chrono::hours(24))};
    p.statuses.emplace("a-day-old", running(0.5));
    mlcloud::reconcile_options opts;
    opts.terminate = true;
    opts.min_age = std::chrono::seconds(999999LL * 86400); // nanoseconds of this overflow int64
    auto r = run(p, {}, opts);
    REQUIRE(r.has_value());
    CHECK(p.terminated.empty());
    REQUIRE(r->too_young.size() == 1);
    CHECK(r->orphans.empty());
}

TEST_CASE("a cancelled reconcile returns what it judged and stopped so far, not an exception", "[reconcile]")
{
    using namespace std::chrono_literals;
    scripted_training p;
    p.listed = {machine("a"), machine("b"), machine("c"), machine("d")};
    for (auto id : {"a", "b", "c", "d"})
        p.statuses.emplace(id, running(0.5));
    p.status_delay = 400ms; // "a" is judged and stopped by 400 ms, "b" is being read at 600 ms
    mlcloud::reconcile_options opts;
    opts.terminate = true;
    boost::asio::io_context ctx;
    auto const run = mlcloud_test::run_cancelled_after(ctx, mlcloud::reconcile(p, {}, opts), 600ms);
    REQUIRE(run.result.has_value());
    CHECK(run.result->cancelled);
    CHECK(p.terminated == std::vector<std::string>{"a"}); // never "b", whose state was not read
    REQUIRE(run.result->orphans.size() == 2);
    CHECK(run.result->orphans[0].terminated); // the stopped one is reported
    CHECK_FALSE(run.result->orphans[1].terminated);
    REQUIRE(run.result->orphans[1].problem);
    CHECK(run.result->orphans[1].problem->is(errc::cancelled));
    CHECK(run.result->orphans_left() == 1);
}

TEST_CASE("reconcile leaves machines that are not the program's to judge alone", "[reconcile]")
{
    scripted_training p;
    p.listed = {machine("mine"), machine("theirs")};
    p.listed[1].name = "mlcloud-bot-42-abc";
    p.statuses.emplace("mine", running(0.5));
    p.statuses.emplace("theirs", running(0.5));
    mlcloud::reconcile_options opts;
    opts.terminate = true;
    opts.judge = [](job_handle const& h) { return !h.name.starts_with("mlcloud-bot-"); };
    auto r = run(p, {}, opts);
    REQUIRE(r.has_value());
    CHECK(p.terminated == std::vector<std::string>{"mine"});
    REQUIRE(r->not_judged.size() == 1);
    CHECK(r->not_judged[0].id == "theirs");
    CHECK(r->orphan_cost.usd == Approx(0.5)); // only the judged orphan counts
}

TEST_CASE("reconcile checks records the provider does not list: final, gone, or unknown", "[reconcile]")
{
    scripted_training p;
    job_status ended;
    ended.state = job_state::failed;
    p.statuses.emplace("ended", ended);
    p.statuses.emplace("unreadable", mlcloud::error(errc::network_error, "reset"));
    std::vector<job_handle> records{machine("ended"), machine("gone"), machine("unreadable")};

    auto r = run(p, records);
    REQUIRE(r.has_value());
    REQUIRE(r->unlisted.size() == 3);
    CHECK(r->unlisted[0].status->state == job_state::failed);
    CHECK_FALSE(r->unlisted[0].gone);
    CHECK(r->unlisted[1].gone);
    CHECK(r->unlisted[2].problem->is(errc::network_error));

    mlcloud::reconcile_options quick;
    quick.check_records = false;
    auto unchecked = run(p, records, quick);
    REQUIRE(unchecked.has_value());
    REQUIRE(unchecked->unlisted.size() == 3);
    CHECK_FALSE(unchecked->unlisted[1].gone); // not asked
}

TEST_CASE("reconcile fails only when the listing fails", "[reconcile]")
{
    scripted_training p;
    p.list_error = mlcloud::error(errc::unauthorized, "bad key");
    auto r = run(p, {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().is(errc::unauthorized));
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_RECONCILE_HPP
#define MLCLOUD_RECONCILE_HPP

// Finding machines nobody tracks any more (docs/reliability.md, "Orphan reconciliation").
//
// A job's record can be lost while its machine keeps billing: a program killed between the
// launch and writing the record, a database restored from yesterday, a record deleted by hand.
// `reconcile` compares what a provider holds for mlcloud (`list_jobs()`: AWS instances tagged
// mlcloud:job, RunPod pods named mlcloud-...) with the records a program keeps, and reports
//
//  - orphans: machines without a record that have not ended, i.e. still billing, with their
//    cost so far; with `terminate` set they are stopped;
//  - machines without a record that already ended (nothing bills; listed for completeness);
//  - records whose machine the provider does not list, with what the provider still says
//    about them (a final state, or gone).
//
// Records are passed in as job handles: every program keeps its own (the CLI's JSON files,
// the bot's SQLite table), and reconciliation needs nothing else from them.

#include <mlcloud/concepts.hpp>
#include <mlcloud/config.hpp>
#include <mlcloud/types.hpp>
#include <mlcloud/detail/cancellation.hpp>

#include <chrono>
#include <concepts>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace mlcloud {

/// A training provider that can list the machines it holds for mlcloud:
///
///     task<std::vector<job_handle>> list_jobs();   // every machine carrying mlcloud's tag or name
template <class P>
concept job_listing_provider = training_provider<P> && requires(P& p) {
    { p.list_jobs() } -> std::same_as<task<std::vector<job_handle>>>;
};

struct reconcile_options
{
    /// Stop the orphans (terminate) instead of only reporting them.
    bool terminate = false;
    /// Machines launched less recently than this are not orphans yet: another process may be
    /// between its launch and writing the record. 0 treats every machine as settled.
    std::chrono::seconds min_age{0};
    /// Ask the provider about records whose machine it does not list (one status call each).
    bool check_records = true;
    /// Which listed machines this program may judge, when the same account holds another
    /// program's (the bot's, a colleague's service). A machine it returns false for goes to
    /// `reconcile_report::not_judged`: never an orphan, never stopped. Unset: every machine.
    std::function<bool(job_handle const&)> judge;
};

/// A machine the provider listed and no record names.
struct untracked_machine
{
    job_handle job;                   ///< as the provider lists it
    std::optional<job_status> status; ///< unset when the status could not be read
    std::optional<error> problem;     ///< why the status could not be read, or why terminate failed
    bool terminated = false;          ///< stopped by this reconciliation (status is the final one)
};

/// A record whose machine the provider does not list.
struct unlisted_record
{
    job_handle record;
    std::optional<job_status> status; ///< what the provider still says about it, when it does
    bool gone = false;                ///< the provider does not know the machine (not_found)
    std::optional<error> problem;     ///< the status could not be read for another reason
};

struct reconcile_report
{
    /// No record, not ended: billing. `terminated` tells which ones were stopped now.
    std::vector<untracked_machine> orphans;
    /// No record, but launched less than `min_age` ago: left alone.
    std::vector<untracked_machine> too_young;
    /// No record, already ended: nothing bills.
    std::vector<untracked_machine> ended;
    /// Listed, with a record.
    std::vector<job_handle> tracked;
    /// Listed, without a record, and not this program's to judge (`reconcile_options::judge`).
    std::vector<job_handle> not_judged;
    /// Recorded, not listed (checked when `check_records`).
    std::vector<unlisted_record> unlisted;
    /// The orphans' cost so far (their final cost when terminated).
    cost orphan_cost;
    /// The reconciliation was cancelled before it had judged every machine and record: the
    /// report holds what was judged (and stopped) until then.
    bool cancelled = false;

    /// Orphans still billing after this reconciliation.
    MLCLOUD_DECL std::size_t orphans_left() const noexcept;
};

namespace detail {

/// Launched less than `min_age` before `now` (an unknown launch time counts as old).
MLCLOUD_DECL bool is_young(job_handle const& h, std::chrono::seconds min_age,
                           std::chrono::system_clock::time_point now) noexcept;

MLCLOUD_DECL void add_cost(cost& sum, cost const& c) noexcept;

enum class verdict
{
    ended,  // nothing bills (it ended, or vanished since the listing)
    young,  // launched less than min_age ago: left alone
    orphan, // billing with no record
};

struct judged
{
    untracked_machine machine;
    verdict kind = verdict::orphan;
};

template <job_listing_provider P>
task<judged> judge_untracked(P& training, job_handle job, reconcile_options opts, bool young)
{
    judged j;
    j.machine.job = job;
    auto status_call = training.status(job);
    auto s = co_await aborted_as_cancelled(std::move(status_call));
    if (!s && s.error().is(errc::not_found))
    {
        j.kind = verdict::ended; // gone between the listing and now
        co_return j;
    }
    if (s)
        j.machine.status = *s;
    else
        j.machine.problem = s.error(); // unknown state: reported as an orphan, never hidden
    if (!s && s.error().is(errc::cancelled))
        co_return j; // never stop a machine whose state was not read
    if (j.machine.status && is_terminal(j.machine.status->state))
    {
        j.kind = verdict::ended;
        co_return j;
    }
    if (young)
    {
        j.kind = verdict::young;
        co_return j;
    }
    if (!opts.terminate || co_await cancelled_now())
        co_return j;
    auto terminate_call = training.terminate(job);
    auto t = co_await aborted_as_cancelled(std::move(terminate_call));
    if (t)
    {
        j.machine.status = *t;
        j.machine.terminated = true;
        j.machine.problem.reset();
    }
    else if (t.error().is(errc::cancelled))
        j.machine.problem = error(errc::cancelled, "cancelled while stopping it: it may be stopping or still "
                                                   "running; reconcile again to see");
    else
        j.machine.problem = t.error();
    co_return j;
}

template <job_listing_provider P>
task<reconcile_report> reconcile_impl(P& training, std::vector<job_handle> const& records,
                                      reconcile_options const& opts)
{
    auto list_call = training.list_jobs();
    auto listed = co_await aborted_as_cancelled(std::move(list_call));
    if (!listed)
        co_return listed.error();
    std::set<std::string> recorded;
    for (auto const& r : records)
        recorded.insert(r.id);
    std::set<std::string> seen;
    auto const now = std::chrono::system_clock::now();

    reconcile_report report;
    for (auto const& job : *listed)
    {
        if (co_await cancelled_now())
        {
            report.cancelled = true; // what was stopped so far is reported, not lost
            co_return report;
        }
        seen.insert(job.id);
        if (recorded.count(job.id) != 0)
        {
            report.tracked.push_back(job);
            continue;
        }
        if (opts.judge && !opts.judge(job))
        {
            report.not_judged.push_back(job);
            continue;
        }
        bool const young = detail::is_young(job, opts.min_age, now);
        auto j = co_await detail::judge_untracked(training, job, opts, young);
        if (!j)
            co_return j.error();
        switch (j->kind)
        {
        case detail::verdict::ended:
            report.ended.push_back(std::move(j->machine));
            break;
        case detail::verdict::young:
            report.too_young.push_back(std::move(j->machine));
            break;
        case detail::verdict::orphan:
            if (j->machine.status)
                detail::add_cost(report.orphan_cost, j->machine.status->cost_so_far);
            else
                report.orphan_cost.known = false; // a machine whose status cannot be read bills unseen
            report.orphans.push_back(std::move(j->machine));
            break;
        }
    }
    if (!opts.check_records)
    {
        for (auto const& r : records)
            if (seen.count(r.id) == 0)
            {
                unlisted_record u;
                u.record = r;
                report.unlisted.push_back(std::move(u));
            }
        co_return report;
    }
    for (auto const& r : records)
    {
        if (seen.count(r.id) != 0)
            continue;
        if (co_await cancelled_now())
        {
            report.cancelled = true;
            co_return report;
        }
        unlisted_record u;
        u.record = r;
        auto status_call = training.status(r);
        auto s = co_await aborted_as_cancelled(std::move(status_call));
        if (s)
            u.status = *s;
        else if (s.error().is(errc::not_found))
            u.gone = true;
        else
            u.problem = s.error();
        report.unlisted.push_back(std::move(u));
    }
    co_return report;
}

} // namespace detail

/// Compares the machines `training` holds for mlcloud with `records` (the handles a program
/// keeps for its jobs on this provider; only the ids are compared) and reports orphans, with
/// their cost so far; with `opts.terminate` it stops them. An error is returned only when the
/// provider's list cannot be read; a machine whose status or terminate fails is reported with
/// its problem. A cancelled reconciliation returns what it did so far (`report.cancelled`).
///
///     auto report = co_await mlcloud::reconcile(cloud.training(), records, opts);
template <job_listing_provider P>
task<reconcile_report> reconcile(P& training, std::vector<job_handle> const& records, reconcile_options const& opts)
{
    return detail::without_cancellation_throws(detail::reconcile_impl(training, records, opts));
}

/// The same with default options (a plain function rather than a default argument: GCC 12
/// mishandles class-type default arguments of coroutines awaited in coroutines).
template <job_listing_provider P>
task<reconcile_report> reconcile(P& training, std::vector<job_handle> const& records)
{
    static reconcile_options const defaults;
    return reconcile(training, records, defaults);
}

} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/impl/reconcile.ipp>
#endif

#endif

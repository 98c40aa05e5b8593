//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_RECONCILE_HPP
#define MLCLOUD_CLI_RECONCILE_HPP

// `mlcloud reconcile [--terminate] [--min-age 10m]`: the machines the provider holds for
// mlcloud against this CLI's job records (mlcloud::reconcile, docs/reliability.md).
//
// Exit status: 0 when nothing bills without a record (or every orphan was stopped), 3 when
// orphans are left running, 1 when the provider could not be asked.

#include "args.hpp"
#include "job_records.hpp"

#include <mlcloud/blocking.hpp>
#include <mlcloud/messages.hpp>
#include <mlcloud/reconcile.hpp>

#include <chrono>
#include <ostream>
#include <string>

namespace mlcloud_cli {

namespace reconcile_text {

inline void machine_line(std::ostream& out, mlcloud::untracked_machine const& m)
{
    namespace msg = mlcloud::messages;
    out << "  " << m.job.id;
    if (!m.job.name.empty())
        out << "  " << m.job.name;
    if (!m.job.compute.id.empty())
        out << "  " << m.job.compute.id;
    out << "  launched " << msg::format_launch_time(m.job.launched_at);
    if (m.status)
    {
        out << "  " << to_string(m.status->state) << "  cost so far " << msg::format_cost(m.status->cost_so_far);
        if (!m.status->cost_so_far.basis.empty())
            out << " (" << m.status->cost_so_far.basis << ")";
    }
    else
        out << "  state unknown";
    if (m.terminated)
        out << "  -> stopped";
    if (m.problem)
        out << "\n    problem: " << msg::error_message(msg::format::plain, *m.problem);
    out << "\n";
}

} // namespace reconcile_text

/// The CLI's records of jobs on backend B, and the records that could not be read.
template <class B>
job_listing records_of()
{
    auto listing = list_jobs();
    std::erase_if(listing.jobs, [](mlcloud::job_handle const& job) { return job.provider != B::name; });
    return listing;
}

/// The bot names its jobs with this mark (examples/telegram_bot, orphans.cpp) and reconciles
/// them itself: they are never the CLI's orphans, even on an account both use.
inline constexpr std::string_view bot_name_mark = "mlcloud-bot-";

inline bool named_by_the_bot(mlcloud::job_handle const& machine)
{
    return machine.name.find(bot_name_mark) != std::string::npos;
}

template <class B>
int print_reconcile_report(mlcloud::reconcile_report const& r, bool terminate, std::ostream& out)
{
    namespace msg = mlcloud::messages;
    using namespace reconcile_text;
    auto const noun = std::string(msg::machine_noun(B::name));
    out << B::name << ": "
        << (r.tracked.size() + r.not_judged.size() + r.orphans.size() + r.too_young.size() + r.ended.size()) << " "
        << noun << "(s) carry mlcloud's mark; " << r.tracked.size() << " with a record here\n";
    if (!r.not_judged.empty())
        out << r.not_judged.size() << " carry the bot's name (" << bot_name_mark
            << "...): the bot reconciles them, left alone\n";
    if (r.orphans.empty())
    {
        if (!r.cancelled) // interrupted, the machines not judged yet may be orphans (said below)
            out << "no orphans: every " << noun << " still running has a record\n";
    }
    else
    {
        auto const stopped = r.orphans.size() - r.orphans_left();
        out << r.orphans.size() << " orphan(s): running without a record";
        if (stopped > 0)
            out << "; " << stopped << " stopped now";
        out << "\n";
        for (auto const& m : r.orphans)
            machine_line(out, m);
        out << "  orphans' cost so far: " << msg::format_cost(r.orphan_cost) << "\n";
    }
    if (!r.too_young.empty())
    {
        out << r.too_young.size() << " without a record but launched too recently to judge (--min-age):\n";
        for (auto const& m : r.too_young)
            machine_line(out, m);
    }
    if (!r.ended.empty())
        out << r.ended.size() << " without a record already ended (nothing bills)\n";
    std::size_t gone = 0;
    for (auto const& u : r.unlisted)
        gone += u.gone ? 1 : 0;
    if (!r.unlisted.empty())
    {
        out << r.unlisted.size() << " record(s) whose " << noun << " is not listed any more";
        if (gone)
            out << " (" << gone << " gone from the provider)";
        out << ":\n";
        for (auto const& u : r.unlisted)
        {
            out << "  " << u.record.id << "  ";
            if (u.gone)
                out << "gone";
            else if (u.status)
                out << to_string(u.status->state);
            else if (u.problem)
                out << "unknown: " << msg::error_message(msg::format::plain, *u.problem);
            else
                out << "not checked";
            out << "\n";
        }
    }
    if (r.cancelled)
        out << "interrupted before every " << noun << " was judged: the lines above are what was done\n";
    if (r.orphans_left() > 0)
    {
        if (!terminate)
            out << "run `mlcloud --provider " << B::name << " reconcile --terminate` to stop the orphans\n";
        return 3;
    }
    return 0;
}

/// Longer than any machine should run; beyond it a duration stops being a useful guard.
inline constexpr long long max_min_age_seconds = 366LL * 24 * 3600;

template <class B>
int cmd_reconcile(mlcloud::blocking<B>& cloud, args const& a, std::ostream& out, std::ostream& err)
{
    a.allow_only({"terminate", "min-age", "provider"});
    if constexpr (!mlcloud::job_listing_provider<typename B::training>)
    {
        err << mlcloud::messages::error_message(
                   mlcloud::messages::format::plain,
                   mlcloud::error(mlcloud::errc::not_supported,
                                  "the " + std::string(B::name) + " backend cannot list its machines to reconcile them"))
            << "\n";
        return 1;
    }
    else
    {
        mlcloud::reconcile_options opts;
        opts.terminate = a.flag("terminate");
        // Stopping is final: by default a machine gets a few minutes to be recorded by the
        // process that launched it before it counts as an orphan.
        auto min_age = parse_duration_seconds(a.get("min-age").value_or(opts.terminate ? "10m" : "0"));
        if (!min_age)
            throw usage_error("--min-age: expected a duration such as 10m");
        if (*min_age > max_min_age_seconds)
            throw usage_error("--min-age: at most 366d");
        opts.min_age = std::chrono::seconds(*min_age);
        opts.judge = [](mlcloud::job_handle const& machine) { return !named_by_the_bot(machine); };
        auto const records = records_of<B>();
        for (auto const& problem : records.problems)
            err << (opts.terminate ? "" : "warning: ") << problem << "\n";
        if (opts.terminate && !records.problems.empty())
        {
            // A job whose record cannot be read looks like an orphan: stopping it would end
            // work somebody is waiting for.
            err << "not stopping anything while a job record cannot be read\n";
            return 1;
        }
        auto report = cloud.run(mlcloud::reconcile(cloud.async().training(), records.jobs, opts));
        if (!report)
        {
            err << mlcloud::messages::error_message(mlcloud::messages::format::plain, report.error()) << "\n";
            return 1;
        }
        return print_reconcile_report<B>(*report, opts.terminate, out);
    }
}

} // namespace mlcloud_cli

#endif

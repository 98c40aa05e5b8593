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

/// The CLI's records of jobs on backend B.
template <class B>
std::vector<mlcloud::job_handle> records_of()
{
    std::vector<mlcloud::job_handle> out;
    for (auto& job : list_jobs())
        if (job.provider == B::name)
            out.push_back(std::move(job));
    return out;
}

template <class B>
int print_reconcile_report(mlcloud::reconcile_report const& r, bool terminate, std::ostream& out)
{
    namespace msg = mlcloud::messages;
    using namespace reconcile_text;
    auto const noun = std::string(msg::machine_noun(B::name));
    out << B::name << ": " << (r.tracked.size() + r.orphans.size() + r.too_young.size() + r.ended.size()) << " "
        << noun << "(s) carry mlcloud's mark; " << r.tracked.size() << " with a record here\n";
    if (r.orphans.empty())
        out << "no orphans: every " << noun << " still running has a record\n";
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
    if (r.orphans_left() > 0)
    {
        if (!terminate)
            out << "run `mlcloud --provider " << B::name << " reconcile --terminate` to stop the orphans\n";
        return 3;
    }
    return 0;
}

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
        opts.min_age = std::chrono::seconds(*min_age);
        auto records = records_of<B>();
        auto report = cloud.run(mlcloud::reconcile(cloud.async().training(), records, opts));
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

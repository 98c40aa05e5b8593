//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Orphans: at start-up, after its own launch records are settled, the bot lists the machines
// each target's provider holds for mlcloud, compares them with its jobs table, and reports
// (or, when configured, stops) the machines the bot launched that no record names any more.
// The judgement is mlcloud::reconcile's; this file decides what counts as the bot's records and
// says what was found (docs/bot.md, "Orphans").

#include "bot/app.hpp"

#include "bot/log.hpp"
#include "bot/wording.hpp"

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/templates.hpp>
#include <mlcloud/reconcile.hpp>

#include <algorithm>

namespace asio = boost::asio;
namespace msg = mlcloud::messages;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {

namespace {

/// Every job the bot names starts so (record_launch); RunPod puts it after its own "mlcloud-".
constexpr std::string_view bot_name_mark = "mlcloud-bot-";

bool named_by_the_bot(mlcloud::job_handle const& h)
{
    return h.name.find(bot_name_mark) != std::string::npos;
}

/// True when the machine carries job name `job_name`. RunPod keeps at most the first 30
/// characters of it in the pod name (runpod::detail::pod_name); the others keep it whole.
bool carries_name(mlcloud::job_handle const& machine, std::string_view job_name)
{
    return !job_name.empty() && machine.name.find(job_name.substr(0, 30)) != std::string::npos;
}

/// "<id> <name> launched <when>, <state>, cost so far $x (basis)".
std::string describe(mlcloud::untracked_machine const& m)
{
    std::string s = m.job.id + " " + (m.job.name.empty() ? std::string("(no name)") : m.job.name) + " launched " +
                    msg::format_launch_time(m.job.launched_at);
    if (m.status)
    {
        s += ", " + std::string(mlcloud::to_string(m.status->state)) + ", cost so far " +
             msg::format_cost(m.status->cost_so_far);
        if (!m.status->cost_so_far.basis.empty())
            s += " (" + m.status->cost_so_far.basis + ")";
    }
    else
        s += ", state unknown";
    return s;
}

/// A training provider over the bot's runtime whose list_jobs answers a listing taken before:
/// the records are read after the listing, so a launch that completes meanwhile is tracked.
class listed_machines
{
public:
    static constexpr mlcloud::capability_set capabilities{};

    listed_machines(backend_runtime& rt, std::vector<mlcloud::job_handle> listing)
        : rt_(rt), listing_(std::move(listing))
    {
    }
    mlcloud::task<mlcloud::job_handle> launch(mlcloud::job_spec const&)
    {
        co_return error(errc::not_supported, "reconciliation launches nothing");
    }
    mlcloud::task<mlcloud::job_status> status(mlcloud::job_handle const& h) { return rt_.status(h); }
    mlcloud::task<mlcloud::log_chunk> read_logs(mlcloud::job_handle const& h, mlcloud::log_cursor const& c)
    {
        return rt_.read_logs(h, c);
    }
    mlcloud::task<mlcloud::job_status> terminate(mlcloud::job_handle const& h) { return rt_.terminate(h); }
    mlcloud::task<std::vector<mlcloud::job_handle>> list_jobs() { co_return listing_; }

private:
    backend_runtime& rt_;
    std::vector<mlcloud::job_handle> listing_;
};
static_assert(mlcloud::job_listing_provider<listed_machines>);

} // namespace

asio::awaitable<void> bot_app::reconcile_orphans()
{
    if (!config_.orphans.check_at_start)
    {
        log(log_level::info, "orphans: not checked at start (orphans.check_at_start is false)");
        co_return;
    }
    for (auto& kv : targets_)
    {
        if (stopping_)
            co_return;
        co_await reconcile_target(kv.first, kv.second);
    }
}

asio::awaitable<void> bot_app::reconcile_target(std::string const& target_name, target& tgt)
{
    auto& rt = *tgt.runtime;
    std::string const where = "orphans: " + target_name + " (" + std::string(rt.provider()) + "): ";
    if (!rt.can_list_jobs())
    {
        log(log_level::info, where + "reconciliation is not available: this backend cannot list the machines it holds");
        co_return;
    }
    auto listing = co_await rt.list_jobs();
    if (!listing)
    {
        log(log_level::warning, where + "cannot list the provider's machines, orphans not checked: " +
                                    listing.error().message);
        co_return;
    }

    // Only machines the bot named are judged: the same account may hold the CLI's jobs or
    // another program's, which are not the bot's to report or stop.
    std::vector<mlcloud::job_handle> ours;
    std::size_t foreign = 0;
    for (auto& h : *listing)
    {
        if (named_by_the_bot(h))
            ours.push_back(std::move(h));
        else
            ++foreign;
    }

    // The records, read after the listing. A machine the bot is launching (pending, or
    // launch_sent being relaunched with the same key) has no handle yet: its name tracks it.
    std::vector<mlcloud::job_handle> records;
    std::vector<job_record> running;
    std::vector<job_record> unsure; // launch outcome unknown: the user was told to look
    std::vector<std::string> launching_names;
    for (auto phase : {job_phase::pending, job_phase::launch_sent, job_phase::running, job_phase::finished,
                       job_phase::unknown})
        for (auto& j : db_.jobs_in_phase(phase))
        {
            if (j.target != target_name)
                continue;
            if (j.handle)
                records.push_back(*j.handle);
            else if (phase == job_phase::unknown)
                unsure.push_back(j);
            else if (phase == job_phase::pending || phase == job_phase::launch_sent)
                launching_names.push_back(j.name);
            if (phase == job_phase::running && j.handle)
                running.push_back(std::move(j));
        }
    for (auto const& m : ours)
        if (std::any_of(launching_names.begin(), launching_names.end(),
                        [&](std::string const& n) { return carries_name(m, n); }))
            records.push_back(m);

    listed_machines provider(rt, ours);
    mlcloud::reconcile_options opts;
    opts.terminate = config_.orphans.terminate;
    opts.min_age = config_.orphans.min_age;
    opts.check_records = false; // finished records are many; only running ones are asked about, below
    auto report = co_await mlcloud::reconcile(provider, records, opts);
    if (!report)
    {
        log(log_level::warning, where + "orphans not checked: " + report.error().message);
        co_return;
    }

    log(log_level::info, where + std::to_string(listing->size()) + " machine(s) carry mlcloud's mark: " +
                             std::to_string(ours.size()) + " named by this bot (" +
                             std::to_string(report->tracked.size()) + " with a record here), " +
                             std::to_string(foreign) + " launched by other programs (not judged)");
    auto const whose = [&](mlcloud::job_handle const& h) -> std::string {
        for (auto const& j : unsure)
            if (carries_name(h, j.name))
                return " [job " + std::to_string(j.id) + ", whose launch outcome was unknown]";
        return {};
    };
    for (auto const& o : report->orphans)
    {
        std::string line = where + "ORPHAN without a record in the bot's database: " + describe(o) + whose(o.job);
        if (o.terminated)
            line += " -> terminated (orphans.terminate_orphans)";
        else if (o.problem)
            line += " -> " + std::string(opts.terminate ? "could not be terminated: " : "") + o.problem->message;
        else
            line += " -> left running (set orphans.terminate_orphans to stop it)";
        log(log_level::warning, line);
    }
    for (auto const& y : report->too_young)
        log(log_level::info, where + "no record, launched too recently to judge (orphans.min_age_s): " + describe(y));
    for (auto const& e : report->ended)
        log(log_level::info, where + "no record, already ended (nothing bills): " + describe(e));

    // Running records whose machine the provider does not list: ask, and say which are gone.
    std::vector<std::string> gone;
    for (auto const& u : report->unlisted)
        for (auto const& j : running)
        {
            if (j.handle->id != u.record.id)
                continue;
            auto s = co_await rt.status(*j.handle);
            if (!s && s.error().is(errc::not_found))
            {
                gone.push_back(j.handle->id);
                log(log_level::warning, where + "job " + std::to_string(j.id) + " is recorded as running but its " +
                                            std::string(msg::machine_noun(j.provider)) + " " + j.handle->id +
                                            " is gone from the provider");
            }
        }

    if (report->orphans.empty())
        log(log_level::info, where + "no orphans");
    else
        log(log_level::warning, where + std::to_string(report->orphans.size()) + " orphan(s), " +
                                    std::to_string(report->orphans_left()) + " still billing; their cost so far " +
                                    msg::format_cost(report->orphan_cost));
    notify_orphans(target_name, std::string(rt.provider()), *report, gone);
}

void bot_app::notify_orphans(std::string const& target_name, std::string const& provider,
                             mlcloud::reconcile_report const& report, std::vector<std::string> const& gone)
{
    if (config_.orphans.notify_chat_ids.empty() || (report.orphans.empty() && gone.empty()))
        return;
    auto w = wording(format());
    w.text("\xE2\x9A\xA0\xEF\xB8\x8F ").bold("Orphans on " + msg::provider_title(provider)).line();
    if (!report.orphans.empty())
    {
        w.text(std::to_string(report.orphans.size()) + " " + std::string(msg::machine_noun(provider)) +
               "(s) the bot launched have no record in its database (target " + target_name + "), cost so far " +
               msg::format_cost(report.orphan_cost) + ":")
            .line();
        for (auto const& o : report.orphans)
            w.code(o.job.id).text(" " + o.job.name + (o.terminated ? ": terminated" : ": still running")).line();
        if (report.orphans_left() > 0)
            w.text("Stop them in the console, or set orphans.terminate_orphans and restart the bot.").line();
    }
    if (!gone.empty())
    {
        w.text(std::to_string(gone.size()) + " job(s) recorded as running are gone from the provider:").line();
        for (auto const& id : gone)
            w.code(id).line();
    }
    auto const text = std::move(w).str();
    store::transaction t(db_);
    for (auto chat : config_.orphans.notify_chat_ids)
        db_.add_action(chat, chat, send_action{text, {}});
    t.commit();
}

} // namespace mlcloud_bot

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// Jobs: recorded before they are launched, launched with their idempotency key, followed until
// they end, reconciled after a restart.

#include "bot/app.hpp"
#include "bot/detail.hpp"

#include "bot/log.hpp"
#include "bot/text.hpp"
#include "bot/wording.hpp"

#include <mlcloud/messages/cost.hpp>
#include <mlcloud/messages/templates.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace asio = boost::asio;
namespace msg = mlcloud::messages;
using mlcloud::errc;
using mlcloud::error;

namespace mlcloud_bot {

namespace {

/// How many of the newest log lines a job keeps for its live view.
constexpr std::size_t kept_log_lines = 500;

/// The outcome a running job holds while /cancel's stop has failed once: its follower stops it.
constexpr std::string_view cancel_retrying = "cancel_retrying";

/// How long after a launch a provider may still not list the machine it created (EC2 takes
/// seconds; this is ample): before that, not_found does not mean gone.
constexpr auto listing_delay = std::chrono::minutes(2);

/// The metrics of the trainer's "final: k=v k=v" line (docs/trainer.md), when it printed one.
std::vector<std::pair<std::string, std::string>> final_metrics(std::vector<std::string> const& lines)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    {
        if (!it->starts_with("final:"))
            continue;
        std::string_view rest = std::string_view(*it).substr(6);
        while (!rest.empty())
        {
            auto const start = rest.find_first_not_of(' ');
            if (start == std::string_view::npos)
                break;
            rest = rest.substr(start);
            auto const end = rest.find(' ');
            auto const word = rest.substr(0, end);
            if (auto const eq = word.find('='); eq != std::string_view::npos && eq > 0)
                out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
        }
        break;
    }
    return out;
}

// "It cost $0.42." or, when the provider could not price the job, why not.
wording& say_cost(wording& w, mlcloud::cost const& c)
{
    if (c.known)
        return w.text("It cost ").bold(msg::format_usd(c.usd)).text(".");
    return w.text("Its cost is not known: " + c.basis + ".");
}

std::string label_of(job_record const& job)
{
    return job.dataset_label + " \xE2\x86\x92 " + job.column;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// recording and launching

void bot_app::record_launch(std::int64_t chat_id, std::int64_t user_id, launch_action const& a)
{
    auto* tgt = find_target(a.target);
    job_record job;
    job.chat_id = chat_id;
    job.user_id = user_id;
    job.target = a.target;
    job.provider = tgt ? std::string(tgt->runtime->provider()) : a.target;
    job.idempotency_key = "mlcloud-bot-" + random_hex(12);
    job.phase = job_phase::pending;
    job.name = "mlcloud-bot-" + std::to_string(user_id) + "-" + random_hex(4);
    job.dataset_uri = a.dataset_uri;
    job.dataset_label = a.dataset_label;
    job.column = a.column;
    job.gpu = a.gpu;
    if (tgt)
        job.output_uri = tgt->config.storage.models.child(std::to_string(user_id) + "/" + job.name + ".json").str();
    job.created = now_();
    db_.insert_job(job);
}

mlcloud::job_spec bot_app::spec_for(job_record const& job) const
{
    auto const& trainer = targets_.find(job.target)->second.config.trainer;
    mlcloud::job_spec spec;
    spec.name = job.name;
    spec.idempotency_key = job.idempotency_key;
    spec.command = trainer.command;
    spec.image = trainer.image;
    spec.env[mlcloud::target_env] = job.column; // the trainer's --target (docs/trainer.md)
    if (auto d = mlcloud::storage_uri::parse(job.dataset_uri))
        spec.dataset = *d;
    if (auto o = mlcloud::storage_uri::parse(job.output_uri))
        spec.output = *o;
    if (!job.gpu.empty())
        spec.compute = {{job.gpu, 1}};
    spec.market = trainer.market;
    spec.max_runtime = config_.limits.max_job_runtime;
    spec.labels = {{"app", "mlcloud-bot"}, {"telegram-user", std::to_string(job.user_id)}};
    return spec;
}

void bot_app::reconcile()
{
    for (auto job : db_.jobs_in_phase(job_phase::launch_sent))
    {
        auto* tgt = find_target(job.target);
        store::transaction t(db_);
        if (tgt && tgt->runtime->training_capabilities().contains(mlcloud::capability::idempotent_launch))
        {
            // The provider deduplicates by the idempotency key: launching again returns the job
            // the first request made, if it made one.
            log(log_level::info, "job " + std::to_string(job.id) + ": launch outcome unknown after a restart; "
                                 "launching again with the same idempotency key");
            job.phase = job_phase::pending;
            db_.update_job(job);
        }
        else
        {
            log(log_level::warning, "job " + std::to_string(job.id) + ": launch outcome unknown after a restart and " +
                                        job.provider + " cannot deduplicate launches; the user is told");
            job.phase = job_phase::unknown;
            job.detail = "the bot stopped while launching; the provider cannot tell whether the launch happened";
            db_.update_job(job);
            auto w = wording(format());
            w.text("\xE2\x9A\xA0\xEF\xB8\x8F ").bold("Launch outcome unknown").line();
            w.text("The bot restarted while launching ").bold(label_of(job)).text(" on " + msg::provider_title(job.provider) + ". ");
            w.text("It cannot tell whether a " + std::string(msg::machine_noun(job.provider)) + " was started: look in the ");
            w.text(msg::provider_title(job.provider) + " console for one named ").code(job.name);
            w.text(" and stop it if it runs. Nothing was launched again.");
            db_.add_action(job.chat_id, job.user_id, send_action{std::move(w).str(), {}});
        }
        t.commit();
    }
}

asio::awaitable<void> bot_app::launch_job(std::int64_t job_id)
{
    auto job = db_.job(job_id);
    auto* tgt = job ? find_target(job->target) : nullptr;
    if (!job || job->phase != job_phase::pending || stopping_)
    {
        launching_.erase(job_id);
        co_return;
    }
    if (!tgt)
    {
        store::transaction t(db_);
        job->phase = job_phase::finished;
        job->outcome = "failed";
        job->detail = "this bot no longer trains on '" + job->target + "'";
        db_.update_job(*job);
        t.commit();
        launching_.erase(job_id);
        co_return;
    }

    // From here on, the provider may have acted: a restart must reconcile, not launch blindly.
    {
        store::transaction t(db_);
        job->phase = job_phase::launch_sent;
        db_.update_job(*job);
        t.commit();
    }
    auto const spec = spec_for(*job);
    auto launched = co_await tgt->runtime->launch(spec);
    if (!launched && launched.error().is(errc::outcome_unknown) &&
        tgt->runtime->training_capabilities().contains(mlcloud::capability::idempotent_launch))
        launched = co_await tgt->runtime->launch(spec); // same key: the provider returns the first job

    bool follow_it = false;
    bool cancel_now = false;
    {
        store::transaction t(db_);
        auto fresh = db_.job(job_id);
        auto w = wording(format());
        if (launched)
        {
            fresh->handle = *launched;
            fresh->phase = job_phase::running;
            cancel_now = fresh->outcome == "cancel_requested";
            db_.update_job(*fresh);
            w.raw(msg::training_launched(to_messages_format(format()), *launched));
            db_.add_action(fresh->chat_id, fresh->user_id, send_action{std::move(w).str(), {}});
            follow_it = true;
            log(log_level::info, "job " + std::to_string(job_id) + " launched: " + launched->provider + " " + launched->id);
        }
        else if (launched.error().is(errc::outcome_unknown))
        {
            fresh->phase = job_phase::unknown;
            fresh->detail = launched.error().what();
            db_.update_job(*fresh);
            w.raw(msg::error_message(to_messages_format(format()), launched.error())).line().line();
            w.text("Look in the " + msg::provider_title(fresh->provider) + " console for ").code(fresh->name);
            w.text(" and stop it if it runs.");
            db_.add_action(fresh->chat_id, fresh->user_id, send_action{std::move(w).str(), {}});
        }
        else
        {
            fresh->phase = job_phase::finished;
            fresh->outcome = "failed";
            fresh->detail = launched.error().what();
            fresh->finished = now_();
            db_.update_job(*fresh);
            w.raw(msg::error_message(to_messages_format(format()), launched.error()));
            db_.add_action(fresh->chat_id, fresh->user_id, send_action{std::move(w).str(), {}});
            log(log_level::warning, "job " + std::to_string(job_id) + " failed to launch: " + launched.error().what());
        }
        t.commit();
    }
    launching_.erase(job_id);
    if (cancel_now)
    {
        // /cancel came while the launch was on its way: stop the job at once.
        auto st = co_await tgt->runtime->terminate(*launched);
        store::transaction t(db_);
        auto fresh = db_.job(job_id);
        if (st)
        {
            fresh->phase = job_phase::finished;
            fresh->outcome = "cancelled";
            fresh->finished = now_();
            fresh->cost = st->cost_so_far;
            db_.add_action(fresh->chat_id, fresh->user_id, send_action{stopped_text(*fresh), {}});
            follow_it = false;
        }
        else
        {
            // The machine may be billing: it stays a running job, and its follower stops it,
            // trying again every round (also after a restart) until the provider agrees.
            fresh->outcome = std::string(cancel_retrying);
            auto w = wording(format());
            w.raw(msg::error_message(to_messages_format(format()), st.error())).line();
            w.text("It could not be stopped yet; the bot keeps trying.");
            db_.add_action(fresh->chat_id, fresh->user_id, send_action{std::move(w).str(), {}});
            log(log_level::warning, "job " + std::to_string(job_id) + ": stopping it after /cancel failed: " +
                                        st.error().what());
        }
        db_.update_job(*fresh);
        t.commit();
    }
    if (follow_it && followers_.insert(job_id).second)
        spawn(follow(job_id));
    kick();
}

// ---------------------------------------------------------------------------------------------
// following

std::string bot_app::stopped_text(job_record const& job) const
{
    auto w = wording(format());
    w.text("\xF0\x9F\x9B\x91 Stopped ").bold(label_of(job));
    if (job.handle)
        w.text(" (" + std::string(msg::job_id_label(job.provider)) + " ").code(job.handle->id).text(")");
    say_cost(w.text(". "), job.cost);
    return std::move(w).str();
}

std::string bot_app::render_log(job_record const& job) const
{
    msg::log_view_options opts;
    opts.budget = 3500; // bytes; well inside Telegram's 4096 characters
    return msg::log_view(to_messages_format(format()), job.log_lines, opts);
}

asio::awaitable<void> bot_app::ensure_live_view(std::int64_t job_id)
{
    auto job = db_.job(job_id);
    if (!job || job->live_message_id != 0)
        co_return;
    // It comes after the messages already queued for the chat ("Training launched!").
    for (int i = 0; i < 600 && !stopping_; ++i)
    {
        auto const rows = db_.outbox();
        if (std::none_of(rows.begin(), rows.end(), [&](outbox_row const& r) { return r.chat_id == job->chat_id; }))
            break;
        co_await sleep(std::chrono::milliseconds(50));
    }
    if (stopping_)
        co_return; // the next start sends it: the job is followed again
    // A transient failure (a 5xx, a dropped connection) is tried again, as the outbox does:
    // without this message the job would have no live view at all.
    auto backoff = std::chrono::seconds(1);
    auto const chat = job->chat_id;
    auto const text = render_log(*job);
    keyboard const no_buttons; // named: no class-type temporaries into an awaited call (GCC 12)
    auto m = co_await chat_.send_message(chat, text, no_buttons);
    while (!m)
    {
        log(log_level::warning, "job " + std::to_string(job_id) + ": cannot send the log view: " + m.error().what());
        if (stopping_ || detail::permanent_send_error(m.error()))
            co_return;
        co_await sleep(backoff);
        backoff = std::min(backoff * 2, std::chrono::seconds(30));
        m = co_await chat_.send_message(chat, text, no_buttons);
    }
    store::transaction t(db_);
    auto fresh = db_.job(job_id);
    fresh->live_message_id = *m;
    db_.update_job(*fresh);
    t.commit();
}

std::string bot_app::end_text(job_record const& job, std::string_view outcome, std::chrono::seconds ran) const
{
    auto const mf = to_messages_format(format());
    auto const& handle = *job.handle;
    auto w = wording(format());
    if (outcome == "cancelled")
        return stopped_text(job);
    if (outcome == "succeeded")
    {
        msg::completion_summary done;
        done.job = handle;
        done.cost = job.cost;
        done.cost.billed = ran;
        done.duration = ran;
        if (auto m = mlcloud::storage_uri::parse(model_uri(job)))
            done.model = *m;
        done.metrics = final_metrics(job.log_lines);
        return msg::training_completed(mf, done);
    }
    if (outcome == "timed_out")
        return std::move(say_cost(w.raw(msg::runtime_limit_notice(mf, handle, config_.limits.max_job_runtime)).line(),
                                  job.cost))
            .str();
    if (outcome == "over_budget")
    {
        w.text("\xE2\x9B\x94 ").bold("Cost cap reached").line();
        w.text("The " + std::string(msg::machine_noun(handle.provider)) + " ").code(handle.id);
        w.text(" reached " + msg::format_usd(job.cost.usd) + ", the cap of " +
               msg::format_usd(config_.limits.max_job_cost_usd.value_or(0.0)) + " per job, and was stopped.");
        return std::move(w).str();
    }
    w.text("\xE2\x9D\x8C ").bold("Training ended: " + std::string(outcome)).line();
    if (!job.detail.empty())
        w.italic(job.detail).line();
    say_cost(w, job.cost).text(" The last log lines are above.");
    return std::move(w).str();
}

std::string bot_app::model_uri(job_record const& job)
{
    return job.handle && job.handle->output ? job.handle->output->str() : job.output_uri;
}

asio::awaitable<void> bot_app::follow(std::int64_t job_id)
{
    auto job = db_.job(job_id);
    auto* tgt = job ? find_target(job->target) : nullptr;
    if (!job || !tgt || !job->handle || job->phase != job_phase::running)
    {
        followers_.erase(job_id);
        co_return;
    }
    auto& rt = *tgt->runtime;
    bool const self_stopping = rt.training_capabilities().contains(mlcloud::capability::self_terminating);
    auto const chat = job->chat_id;
    auto const handle = *job->handle;
    // When the provider does not say when the job started, the record's time is the bound.
    auto const started = handle.launched_at == std::chrono::system_clock::time_point{} ? job->created : handle.launched_at;

    co_await ensure_live_view(job_id);

    std::string shown; // what the live message shows now, as far as this run knows
    auto last_edit = std::chrono::steady_clock::time_point{};
    int missing = 0;     // consecutive not_found answers
    int drain_reads = 0; // reads since the provider reported the end
    bool marker = false;

    while (!stopping_)
    {
        auto current = db_.job(job_id);
        if (!current || current->phase != job_phase::running)
        {
            job = std::move(current);
            break; // ended elsewhere (/cancel): show the last state and stop following
        }
        job = std::move(current);

        // Look: new lines and the status.
        auto chunk = co_await rt.read_logs(handle, job->cursor);
        auto st = co_await rt.status(handle);
        if (!chunk)
            log(log_level::warning, "job " + std::to_string(job_id) + ": reading logs failed: " + chunk.error().what());
        marker = marker || (chunk && chunk->has_completion_marker());
        std::optional<mlcloud::cost> cost;
        std::optional<mlcloud::job_state> state;
        std::string detail;
        if (st)
        {
            cost = st->cost_so_far;
            state = st->state;
            detail = st->detail;
            missing = 0;
        }
        else if (st.error().is(errc::not_found))
            ++missing;

        // Decide whether the job ends this round, and whether the bot must stop its machine.
        std::string outcome;
        bool stop_machine = false;
        if (job->outcome == cancel_retrying && !(state && mlcloud::is_terminal(*state)))
        {
            outcome = "cancelled"; // a /cancel whose first stop failed
            stop_machine = true;
        }
        else if (marker)
        {
            outcome = "succeeded";
            stop_machine = !self_stopping;
        }
        else if (state && mlcloud::is_terminal(*state))
        {
            // Read what is left of the log before reporting the end. A machine that does not
            // stop by itself bills on after a failure too (a RunPod pod kept for its logs).
            if ((chunk && chunk->end_of_stream) || ++drain_reads > 3)
            {
                outcome = std::string(mlcloud::to_string(*state));
                stop_machine = !self_stopping;
            }
        }
        else if (missing >= 3)
        {
            outcome = "failed";
            detail = "the provider no longer knows this job";
        }
        else if (config_.limits.max_job_cost_usd && cost && cost->usd >= *config_.limits.max_job_cost_usd)
        {
            outcome = "over_budget";
            stop_machine = true;
        }
        else if (now_() - started >= config_.limits.max_job_runtime)
        {
            outcome = "timed_out";
            stop_machine = true;
        }

        if (stop_machine)
        {
            if (auto t = co_await rt.terminate(handle))
                cost = t->cost_so_far;
            else if (t.error().is(errc::not_found) && missing >= 3 && now_() - started >= listing_delay)
            {
                // The provider no longer knows the machine (a pod gone after a restart): nothing
                // is left to stop or bill, and asking again would follow the job forever. Only
                // when its status has said so for rounds and the launch is minutes old: EC2 may
                // not list an instance yet for a while after creating it.
                log(log_level::info, "job " + std::to_string(job_id) + ": its machine is gone; nothing to stop");
            }
            else
            {
                // The machine may still be billing: keep following and try again next round.
                log(log_level::warning, "job " + std::to_string(job_id) + ": terminate failed: " + t.error().what());
                outcome.clear();
            }
        }
        else if (outcome == "succeeded" && job->outcome != "cancel_requested")
        {
            // The machine stops by itself: wait a little for the provider to say so, for the final cost.
            for (int i = 0; i < 20 && !stopping_ && !(state && mlcloud::is_terminal(*state)); ++i)
            {
                co_await sleep(config_.follow_interval);
                if (auto s2 = co_await rt.status(handle))
                {
                    state = s2->state;
                    cost = s2->cost_so_far;
                }
            }
        }

        // Record: the lines with the cursor that follows them, the cost, and the end.
        bool ended = false;
        {
            store::transaction t(db_);
            auto fresh = db_.job(job_id);
            if (!fresh || fresh->phase != job_phase::running)
            {
                job = std::move(fresh);
                t.commit();
                break;
            }
            if (chunk)
            {
                fresh->log_total += chunk->lines.size();
                for (auto& l : chunk->lines)
                    fresh->log_lines.push_back(std::move(l));
                if (fresh->log_lines.size() > kept_log_lines)
                    fresh->log_lines.erase(fresh->log_lines.begin(),
                                           fresh->log_lines.end() - static_cast<std::ptrdiff_t>(kept_log_lines));
                fresh->cursor = chunk->next;
            }
            if (cost)
                fresh->cost = *cost;
            if (!outcome.empty())
            {
                ended = true;
                if (fresh->outcome == "cancel_requested" || fresh->outcome == cancel_retrying)
                    outcome = "cancelled"; // /cancel is under way: report it as such
                fresh->phase = job_phase::finished;
                fresh->outcome = outcome;
                fresh->detail = detail;
                fresh->finished = now_();
                auto const ran = std::chrono::duration_cast<std::chrono::seconds>(fresh->finished - started);
                db_.add_action(fresh->chat_id, fresh->user_id, send_action{end_text(*fresh, outcome, ran), {}});
                if (outcome == "succeeded")
                    db_.add_model(job_id, fresh->user_id,
                                  model_summary{0, label_of(*fresh), fresh->target, fresh->provider, model_uri(*fresh),
                                                fresh->finished});
                log(log_level::info, "job " + std::to_string(job_id) + " ended: " + outcome + ", " +
                                         msg::format_cost(fresh->cost));
            }
            db_.update_job(*fresh);
            t.commit();
            job = std::move(fresh);
        }

        // Show: the live view is edited when it changed, at most once per log_edit_interval,
        // and always at the end.
        auto const text = render_log(*job);
        auto const now = std::chrono::steady_clock::now();
        if (job->live_message_id != 0 && text != shown &&
            (ended || now - last_edit >= config_.telegram.log_edit_interval))
        {
            if (co_await edit_live_view(job_id, chat, job->live_message_id, text, ended))
            {
                shown = text;
                last_edit = now;
            }
        }
        if (ended)
        {
            kick();
            break;
        }
        co_await sleep(config_.follow_interval);
    }

    // A last look for a job that ended elsewhere, so the view shows every line that was read.
    if (job && job->live_message_id != 0 && !stopping_)
    {
        auto const text = render_log(*job);
        if (text != shown)
            co_await edit_live_view(job_id, chat, job->live_message_id, text, true);
    }
    followers_.erase(job_id);
}

asio::awaitable<bool> bot_app::edit_live_view(std::int64_t job_id, std::int64_t chat, std::int64_t message_id,
                                              std::string const& text, bool last)
{
    // An edit that fails is made again the next round with newer lines, but the last one has no
    // next round: a transient failure is retried so that the view does end on the last lines.
    auto backoff = std::chrono::seconds(1);
    keyboard const no_buttons;
    for (;;)
    {
        auto e = co_await chat_.edit_message(chat, message_id, text, no_buttons);
        if (e)
            co_return true;
        log(log_level::warning, "job " + std::to_string(job_id) + ": editing the log view failed: " + e.error().what());
        if (!last || stopping_ || detail::permanent_send_error(e.error()))
            co_return false;
        co_await sleep(backoff);
        backoff = std::min(backoff * 2, std::chrono::seconds(30));
    }
}

} // namespace mlcloud_bot

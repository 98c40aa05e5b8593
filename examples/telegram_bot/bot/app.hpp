//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_APP_HPP
#define MLCLOUD_BOT_APP_HPP

// The bot at work: it polls a chat_api for updates, runs each through the conversation in one
// database transaction (session, new actions, recorded launches and the new update offset
// together), and carries the recorded actions out afterwards:
//
//  - messages (send, clear buttons, answer a press, send a document) go out per chat, in order;
//  - work (read a dataset, predict, cancel jobs, report status) runs alongside and reports back
//    through the same transaction discipline;
//  - launches are jobs recorded as "pending"; a launcher marks each "launch_sent", launches it
//    with its idempotency key and records the handle;
//  - each running job has a follower that reads its logs, edits ONE live message, stores the log
//    cursor and the lines shown together, enforces the cost and runtime caps, and reports the
//    outcome.
//
// Everything is single-threaded on one executor. A kill -9 at any point loses nothing: on start
// the bot reconciles launches whose outcome is unknown, resumes followers from their stored
// cursors and carries out the actions left in the outbox. It then looks for orphans: machines
// the provider holds, named by the bot, that no record of its own names (orphans.cpp).

#include "bot/chat_api.hpp"
#include "bot/config.hpp"
#include "bot/conversation.hpp"
#include "bot/interruptible_waits.hpp"
#include "bot/runtime.hpp"
#include "bot/store.hpp"

#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/reconcile.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace mlcloud_bot {

/// One place to train: its settings and its providers.
struct target
{
    target_config config;
    std::unique_ptr<backend_runtime> runtime;
};

class bot_app
{
public:
    using clock_fn = std::function<std::chrono::system_clock::time_point()>;

    /// `targets` is keyed by cloud_target / local_target. `db` and `chat` must outlive the app.
    bot_app(boost::asio::any_io_executor ex, bot_config config, store& db, chat_api& chat,
            std::map<std::string, target, std::less<>> targets, mlcloud::messages::pricing_table pricing,
            clock_fn now = &std::chrono::system_clock::now);
    ~bot_app();

    bot_app(bot_app const&) = delete;
    bot_app& operator=(bot_app const&) = delete;

    /// Reconciles and resumes what a previous run left, then polls until stop(), the end of the
    /// chat's input (console), or a fatal error such as a 409 conflict (returned). Returns once
    /// every task it started has finished.
    boost::asio::awaitable<mlcloud::result<void>> run();

    /// Ends run(): polling stops after the current getUpdates call, sleeping tasks wake up and
    /// finish. Called before run(), it holds: run() finishes at once. A bot_app runs once.
    void stop();

    /// The conversation settings derived from the configuration.
    conversation_settings const& settings() const noexcept { return settings_; }

    /// Handles one update in one transaction (public for tests).
    void handle_update(tg_update const& u);
    /// Whether the next update may carry an id below the offset without being a repeat.
    bool update_ids_may_have_restarted();

private:
    // updates
    boost::asio::awaitable<void> poll_loop();
    boost::asio::awaitable<void> sweep_loop();
    /// True while anything is under way: actions to carry out, work, launches, jobs.
    bool busy();
    void apply_event(std::int64_t chat_id, std::int64_t user_id, event const& e);

    // outbox
    void kick();
    boost::asio::awaitable<void> chat_worker(std::int64_t chat_id);
    boost::asio::awaitable<mlcloud::result<void>> deliver(outbox_row const& row);
    boost::asio::awaitable<void> do_work(outbox_row row);
    /// A file the user sent, downloaded to `to`: up to three tries when the failure is transient.
    mlcloud::task<std::uint64_t> fetch_document(tg_document const& document, std::filesystem::path const& to);
    boost::asio::awaitable<void> fetch_dataset(outbox_row const& row, fetch_dataset_action const& a);
    boost::asio::awaitable<void> predict(outbox_row const& row, predict_action const& a);
    boost::asio::awaitable<void> cancel_jobs(outbox_row const& row, cancel_jobs_action const& a);
    boost::asio::awaitable<void> report_status(outbox_row const& row);
    /// Removes a work row and queues `messages` for its chat, in one transaction.
    void finish_work(outbox_row const& row, std::vector<action> const& messages);

    // jobs (jobs.cpp)
    void reconcile();
    // orphans (orphans.cpp): machines the bot launched that no record names any more
    boost::asio::awaitable<void> reconcile_orphans();
    boost::asio::awaitable<void> reconcile_target(std::string const& target_name, target& tgt);
    void notify_orphans(std::string const& target_name, std::string const& provider,
                        mlcloud::reconcile_report const& report, std::vector<std::string> const& gone);
    void record_launch(std::int64_t chat_id, std::int64_t user_id, launch_action const& a);
    boost::asio::awaitable<void> launch_job(std::int64_t job_id);
    boost::asio::awaitable<void> follow(std::int64_t job_id);
    /// Sends the job's one live log message, once, and records its id.
    boost::asio::awaitable<void> ensure_live_view(std::int64_t job_id);
    boost::asio::awaitable<bool> edit_live_view(std::int64_t job_id, std::int64_t chat, std::int64_t message_id,
                                                std::string const& text, bool last);
    /// What the user is told when a followed job ends with `outcome` after running `ran`.
    std::string end_text(job_record const& job, std::string_view outcome, std::chrono::seconds ran) const;
    /// Where the job's model is: the provider's word, else what the bot asked for.
    static std::string model_uri(job_record const& job);
    mlcloud::job_spec spec_for(job_record const& job) const;
    std::string render_log(job_record const& job) const;
    /// "Stopped <job>. It cost $x." for a job ended by /cancel.
    std::string stopped_text(job_record const& job) const;

    // machinery
    void spawn(boost::asio::awaitable<void> task);
    boost::asio::awaitable<void> guarded(boost::asio::awaitable<void> task);
    boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration d);
    target* find_target(std::string_view name);
    std::filesystem::path scratch(std::string_view name) const;
    text_format format() const noexcept { return chat_.format(); }

    boost::asio::any_io_executor ex_;
    bot_config config_;
    store& db_;
    chat_api& chat_;
    std::map<std::string, target, std::less<>> targets_;
    mlcloud::messages::pricing_table pricing_;
    clock_fn now_;
    conversation_settings settings_;

    bool stopping_ = false;
    std::optional<mlcloud::error> fatal_;
    std::size_t tasks_ = 0;
    interruptible_waits pauses_{ex_}; ///< sleep()s, which stop() ends
    std::set<std::int64_t> chat_workers_;
    std::set<std::int64_t> rows_in_work_;
    bool kicking_ = false;    ///< kick() is making a pass over the outbox
    bool kick_again_ = false; ///< kick() was called during that pass
    std::set<std::int64_t> launching_;
    std::set<std::int64_t> followers_;
};

} // namespace mlcloud_bot

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_STORE_HPP
#define MLCLOUD_BOT_STORE_HPP

// Everything the bot must not lose across a restart, in one SQLite database in WAL mode:
// the last confirmed update, the sessions, the outbox of actions not yet carried out, the jobs
// (with their handle, log cursor, live-message id and cost) and the models.
//
// The caller groups writes in a transaction: one per processed update, holding the session,
// the new actions, any job recorded for launch and the new update offset together, so a
// kill -9 at any point leaves either all of it or none.
//
// A database failure (disk full, a corrupt file) throws mlcloud::system_error with
// errc::io_error: the bot cannot go on without its records, and its supervisor restarts it.

#include "bot/conversation.hpp"

#include <mlcloud/types.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace mlcloud_bot {

/// Where a recorded job stands, from the bot's point of view.
enum class job_phase
{
    pending,     ///< recorded, launch not sent yet
    launch_sent, ///< the launch request may have reached the provider; no answer recorded
    running,     ///< launched: the handle is known, logs are followed
    finished,    ///< ended; `outcome` says how
    unknown,     ///< the launch's outcome could not be established; the user was told
};

std::string_view to_string(job_phase p) noexcept;
std::optional<job_phase> job_phase_from_string(std::string_view s) noexcept;

/// True for the phases that count toward the per-user job limit.
constexpr bool is_active(job_phase p) noexcept
{
    return p == job_phase::pending || p == job_phase::launch_sent || p == job_phase::running;
}

struct job_record
{
    std::int64_t id = 0;
    std::int64_t chat_id = 0;
    std::int64_t user_id = 0;
    std::string target;   ///< cloud_target or local_target
    std::string provider; ///< the backend
    std::string idempotency_key;
    job_phase phase = job_phase::pending;
    std::string outcome; ///< when finished: "succeeded", "failed", "cancelled", "timed_out", "preempted", "over_budget"

    // What was asked for.
    std::string name;
    std::string dataset_uri;
    std::string dataset_label;
    std::string column;
    std::string gpu;
    std::string output_uri;

    // What happened.
    std::optional<mlcloud::job_handle> handle;
    mlcloud::log_cursor cursor;
    std::vector<std::string> log_lines; ///< the lines the live view shows (the newest ones)
    std::uint64_t log_total = 0;        ///< lines read in all
    std::int64_t live_message_id = 0;
    mlcloud::cost cost; ///< the last cost the provider reported (its `billed` is not kept)
    std::string detail; ///< the provider's last words, an error
    std::chrono::system_clock::time_point created{};
    std::chrono::system_clock::time_point finished{};
};

struct outbox_row
{
    std::int64_t id = 0;
    std::int64_t chat_id = 0;
    std::int64_t user_id = 0;
    action what;
};

class store
{
public:
    /// Opens (creating if needed) the database in WAL mode with full synchronisation.
    static mlcloud::result<store> open(std::filesystem::path const& path);

    store(store&&) noexcept;
    store& operator=(store&&) noexcept;
    ~store();

    /// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed before commit().
    class transaction
    {
    public:
        explicit transaction(store& s);
        transaction(transaction const&) = delete;
        transaction& operator=(transaction const&) = delete;
        ~transaction();
        void commit();

    private:
        store* store_;
        bool done_ = false;
    };

    // -- updates -----------------------------------------------------------------------------

    /// The offset for the next getUpdates call: one past the last processed update (0 at first).
    std::int64_t update_offset();
    /// When the last update was processed: empty before the first one, and in a database
    /// written by a bot that did not record it.
    std::optional<std::chrono::system_clock::time_point> last_update_at();
    /// Records a processed update: the next offset and when it was processed.
    void set_update_offset(std::int64_t offset, std::chrono::system_clock::time_point at);

    // -- sessions ----------------------------------------------------------------------------

    std::optional<session> load_session(std::int64_t chat_id, std::int64_t user_id);
    void save_session(session const& s);
    /// Sessions in a step that expires, idle since before `cutoff`.
    std::vector<session> sessions_idle_since(std::chrono::system_clock::time_point cutoff);

    // -- outbox ------------------------------------------------------------------------------

    std::int64_t add_action(std::int64_t chat_id, std::int64_t user_id, action const& a);
    /// All rows, oldest first.
    std::vector<outbox_row> outbox();
    /// Replaces a row's action (its progress), keeping its place in the order.
    void update_action(std::int64_t id, action const& a);
    void remove_action(std::int64_t id);

    // -- jobs --------------------------------------------------------------------------------

    /// Inserts the record (its id is ignored) and returns the new id.
    std::int64_t insert_job(job_record const& j);
    void update_job(job_record const& j);
    std::optional<job_record> job(std::int64_t id);
    std::vector<job_record> jobs_in_phase(job_phase p);
    /// A user's jobs, newest first; only the active ones when `active_only`.
    std::vector<job_record> user_jobs(std::int64_t user_id, bool active_only, std::size_t limit = 20);
    int count_active_jobs(std::int64_t user_id);

    // -- models ------------------------------------------------------------------------------

    /// Records the model of a finished job once: a second call for the same job returns the
    /// first model's id.
    std::int64_t add_model(std::int64_t job_id, std::int64_t user_id, model_summary const& m);
    /// The user's models, newest first.
    std::vector<model_summary> models(std::int64_t user_id);
    std::optional<model_summary> model(std::int64_t user_id, std::int64_t model_id);

private:
    explicit store(sqlite3* db);
    void exec(char const* sql);

    sqlite3* db_ = nullptr;
};

} // namespace mlcloud_bot

#endif

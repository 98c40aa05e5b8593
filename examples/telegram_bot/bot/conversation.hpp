//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_CONVERSATION_HPP
#define MLCLOUD_BOT_CONVERSATION_HPP

// The conversation as a pure function: (settings, session, event, context) -> (session,
// actions). No I/O, no clock, no randomness: the caller passes the time and a fresh nonce in
// the context and carries the actions out (bot/app.hpp). Every transition is unit-tested.
//
// One session per (chat, user), private chats only. A conversation that draws buttons gets a
// nonce; every button carries it, so a press on a button of an older conversation is answered
// and otherwise ignored.

#include "bot/chat_api.hpp"

#include <mlcloud/error.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mlcloud_bot {

/// Where a conversation stands.
enum class step
{
    idle,            ///< no conversation
    choose_target,   ///< /train: Cloud or Local?
    wait_dataset,    ///< /train: waiting for a CSV file or a storage URI
    reading_dataset, ///< /train: the dataset is being fetched and its header read
    choose_column,   ///< /train: which column to predict?
    choose_gpu,      ///< /train: accept the recommended GPU or pick another
    confirm,         ///< /train: launch at the estimated cost?
    choose_model,    ///< /predict: which model?
    wait_input,      ///< /predict: waiting for an input CSV or a storage URI
};

std::string_view to_string(step s) noexcept;
std::optional<step> step_from_string(std::string_view s) noexcept;

/// Places to train: the configured provider ("cloud") or this machine ("local").
inline constexpr std::string_view cloud_target = "cloud";
inline constexpr std::string_view local_target = "local";

struct session
{
    std::int64_t chat_id = 0;
    std::int64_t user_id = 0;
    step at = step::idle;
    std::string nonce; ///< of the conversation in progress; empty when idle
    std::chrono::system_clock::time_point last_activity{};

    // /train
    std::string target;        ///< cloud_target or local_target
    std::string dataset_uri;   ///< where the dataset is, in the target's storage
    std::string dataset_label; ///< what the user sent: a file name or a URI
    std::uint64_t dataset_bytes = 0;
    std::uint64_t dataset_rows = 0;
    std::vector<std::string> columns;
    std::string target_column;
    std::string gpu; ///< the provider's compute id; empty on targets without a GPU table

    // /predict
    std::int64_t model_id = 0;

    friend bool operator==(session const&, session const&) = default;
};

/// A model the user trained (from the database), newest first in the context.
struct model_summary
{
    std::int64_t id = 0;
    std::string name;     ///< "iris.csv → species"
    std::string target;   ///< cloud_target or local_target
    std::string provider; ///< the backend that trained it
    std::string uri;      ///< where the model is
    std::chrono::system_clock::time_point created{};
};

// ---------------------------------------------------------------------------------------------
// Events

/// "/train@my_bot args" arrives as {"train", "args"}.
struct command_event
{
    std::string name;
    std::string args;
};
struct text_event
{
    std::string text;
};
struct document_event
{
    tg_document document;
};
struct button_event
{
    std::string callback_id;
    std::int64_t message_id = 0; ///< 0 when the message is not accessible
    std::string data;
};
/// The dataset was fetched and its header read (from a fetch_dataset_action).
struct dataset_ready_event
{
    std::string nonce;
    std::string uri;
    std::string label;
    std::vector<std::string> columns;
    std::uint64_t bytes = 0;
    std::uint64_t rows = 0;
};
struct dataset_failed_event
{
    std::string nonce;
    mlcloud::error reason;
};
/// The conversation was idle for the configured time.
struct timeout_event
{
};

using event = std::variant<command_event, text_event, document_event, button_event, dataset_ready_event,
                           dataset_failed_event, timeout_event>;

/// The event a Telegram message carries: a command, a document or text.
event event_from_message(tg_message const& m);

// ---------------------------------------------------------------------------------------------
// Actions (all addressed to the session's chat)

struct send_action
{
    std::string text;
    keyboard buttons;
    /// Of a text sent as several messages (chat_api::message_parts), those already delivered:
    /// a retry goes on from there instead of sending them again.
    std::int64_t parts_sent = 0;
    friend bool operator==(send_action const&, send_action const&) = default;
};
/// Removes the buttons of a message the user answered.
struct clear_buttons_action
{
    std::int64_t message_id = 0;
    friend bool operator==(clear_buttons_action const&, clear_buttons_action const&) = default;
};
struct answer_action
{
    std::string callback_id;
    std::string notice;
    friend bool operator==(answer_action const&, answer_action const&) = default;
};
/// Fetch the dataset (a Telegram file, or an object in the target's storage), read its header,
/// and report a dataset_ready_event or dataset_failed_event with `nonce`.
struct fetch_dataset_action
{
    std::string nonce;
    std::string target;
    std::optional<tg_document> document;
    std::string uri;
    friend bool operator==(fetch_dataset_action const& a, fetch_dataset_action const& b)
    {
        return a.nonce == b.nonce && a.target == b.target && a.uri == b.uri &&
               a.document.has_value() == b.document.has_value() &&
               (!a.document || a.document->file_id == b.document->file_id);
    }
};
/// Record the job (with a fresh idempotency key) in the same transaction, then launch it.
struct launch_action
{
    std::string target;
    std::string dataset_uri;
    std::string dataset_label;
    std::string column;
    std::string gpu;
    friend bool operator==(launch_action const&, launch_action const&) = default;
};
/// Run a prediction with one of the user's models on a Telegram file or a stored object, and
/// send the result as a document.
struct predict_action
{
    std::int64_t model_id = 0;
    std::optional<tg_document> document;
    std::string uri;
    friend bool operator==(predict_action const& a, predict_action const& b)
    {
        return a.model_id == b.model_id && a.uri == b.uri && a.document.has_value() == b.document.has_value() &&
               (!a.document || a.document->file_id == b.document->file_id);
    }
};
/// Terminate the user's running jobs and report what each cost; when there is none, say so
/// unless `quiet_if_none`.
struct cancel_jobs_action
{
    bool quiet_if_none = false;
    friend bool operator==(cancel_jobs_action const&, cancel_jobs_action const&) = default;
};
/// Report the user's jobs with their state and cost so far.
struct status_action
{
    friend bool operator==(status_action const&, status_action const&) = default;
};

/// Send a file the bot wrote (a prediction) as a document, then delete it. Made by the bot's
/// work, not by the conversation.
struct document_action
{
    std::string path;
    std::string file_name;
    std::string caption;
    friend bool operator==(document_action const&, document_action const&) = default;
};

using action = std::variant<send_action, clear_buttons_action, answer_action, fetch_dataset_action, launch_action,
                            predict_action, cancel_jobs_action, status_action, document_action>;

// ---------------------------------------------------------------------------------------------

/// What the conversation needs to know about the bot's set-up (fixed at start).
struct conversation_settings
{
    text_format format = text_format::html;
    std::string cloud_provider = "local";    ///< the backend behind cloud_target
    bool offer_local = false;                ///< a local target exists besides the cloud
    mlcloud::messages::pricing_table const* pricing = nullptr; ///< GPU table (may be null)
    mlcloud::market market = mlcloud::market::on_demand;
    std::chrono::seconds expected_runtime{std::chrono::minutes(10)};
    std::chrono::seconds conversation_timeout{std::chrono::minutes(15)};
    int max_concurrent_jobs = 1;
    std::optional<double> max_job_cost_usd;
    std::chrono::seconds max_job_runtime{std::chrono::hours(4)};
    std::uint64_t max_file_bytes = 20ull << 20;
    std::size_t max_column_buttons = 60; ///< more columns: the user types the name
};

/// What the caller knows now.
struct context
{
    std::chrono::system_clock::time_point now{};
    std::string fresh_nonce;           ///< used when a conversation starts
    std::vector<model_summary> models; ///< the user's models, newest first
    int active_jobs = 0;               ///< the user's jobs launching or running
};

struct transition
{
    session next;
    std::vector<action> actions;
};

/// The heart of the bot.
transition handle(conversation_settings const& settings, session const& current, event const& e, context const& ctx);

/// True when a session in this step expires after conversation_timeout without activity.
bool expires(step s) noexcept;

/// The GPU offers the conversation shows for a target, in button order.
std::vector<mlcloud::messages::gpu_offer const*> gpu_choices(conversation_settings const& settings,
                                                             std::string_view target);

/// The backend behind a target.
std::string provider_of(conversation_settings const& settings, std::string_view target);

// JSON forms, for the database (sessions) and the outbox (actions).
std::string to_json(session const& s);
mlcloud::result<session> session_from_json(std::string_view text);
std::string to_json(action const& a);
mlcloud::result<action> action_from_json(std::string_view text);

} // namespace mlcloud_bot

#endif

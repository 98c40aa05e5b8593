//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_CONFIG_HPP
#define MLCLOUD_BOT_CONFIG_HPP

// The bot's configuration: one JSON file (docs/bot.md lists every field) plus environment
// variables for secrets. A bad file is refused at start with the exact field named.

#include <mlcloud/error.hpp>
#include <mlcloud/storage_uri.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_bot {

/// Where one place to train keeps its files.
struct storage_locations
{
    mlcloud::storage_uri datasets = mlcloud::storage_uri::local("datasets"); ///< uploaded datasets
    mlcloud::storage_uri models = mlcloud::storage_uri::local("models");     ///< trained models
    mlcloud::storage_uri inputs = mlcloud::storage_uri::local("inputs");     ///< large prediction inputs
};

/// How the training workload is run on one target.
struct trainer_settings
{
    std::vector<std::string> command = {"mlcloud-trainer", "train"}; ///< argv; never run through a shell
    std::string image;                                               ///< container image (clouds)
    mlcloud::market market = mlcloud::market::on_demand;
    std::chrono::seconds expected_runtime{std::chrono::minutes(10)}; ///< for the cost estimate
};

/// One place to train: the configured provider, or this machine.
struct target_config
{
    std::string provider;     ///< a backend compiled into the bot ("local", "memory", ...)
    std::string backend_json; ///< that backend's options as JSON text, read by the backend's reader
    storage_locations storage;
    trainer_settings trainer;
};

struct limits_config
{
    std::optional<double> max_job_cost_usd;       ///< a job is terminated when its cost reaches this
    std::chrono::seconds max_job_runtime{std::chrono::hours(4)}; ///< and when it ran this long
    int max_concurrent_jobs_per_user = 1;
    std::chrono::seconds conversation_timeout{std::chrono::minutes(15)}; ///< an idle conversation ends
    std::uint64_t max_file_bytes = 20ull << 20;   ///< largest dataset or input file (Telegram: 20 MB)
};

struct telegram_config
{
    std::string api_base_url = "https://api.telegram.org"; ///< or a local Bot API server / a fake
    std::filesystem::path token_file;                      ///< read when TELEGRAM_BOT_TOKEN is unset
    std::chrono::seconds poll_timeout{25};                 ///< getUpdates long-poll timeout
    double per_chat_per_second = 1.0;
    unsigned per_chat_burst = 3;
    double global_per_second = 30.0;
    std::chrono::milliseconds log_edit_interval{3000}; ///< least time between two edits of a log view
    std::string ca_file;                               ///< extra CA certificates (a local Bot API server)
};

/// What the bot does at start-up about machines the provider holds that no record of its own
/// names (docs/bot.md, "Orphans").
struct orphans_config
{
    bool check_at_start = true; ///< list the provider's machines and compare them with the jobs table
    bool terminate = false;     ///< stop the orphans ("terminate_orphans"); else only report them
    /// A machine launched less recently is left alone (another bot sharing the account may be
    /// between its launch and its record).
    std::chrono::seconds min_age{std::chrono::minutes(10)};
    std::vector<std::int64_t> notify_chat_ids; ///< chats told about orphans, besides the log
};

struct bot_config
{
    target_config cloud;               ///< "provider", "backend", "storage", "trainer"
    std::optional<target_config> local; ///< "local": offer training on this machine too
    std::vector<std::int64_t> allowed_user_ids; ///< "access.allowed_user_ids"; empty: nobody
    limits_config limits;
    telegram_config telegram;
    std::filesystem::path database = "mlcloud-bot.db";
    std::filesystem::path lock_file;    ///< empty: "<database>.lock"
    std::filesystem::path pricing_file; ///< a messages::pricing_table override file
    std::filesystem::path work_dir;     ///< scratch files; empty: "<database>.work"
    std::chrono::milliseconds follow_interval{2000}; ///< how often a running job's logs are read
    orphans_config orphans;                          ///< "orphans"

    bool allowed(std::int64_t user_id) const noexcept;
    std::filesystem::path effective_lock_file() const;
    std::filesystem::path effective_work_dir() const;
};

/// Parses and checks a configuration. Errors are errc::invalid_argument with a message
/// "<origin>: <field.path>: <what is wrong>"; unknown fields are errors too (a typo must not
/// silently turn a limit off).
mlcloud::result<bot_config> parse_config(std::string_view json_text, std::string_view origin = "config");

/// Reads and parses a configuration file.
mlcloud::result<bot_config> load_config(std::filesystem::path const& path);

/// The bot token: $TELEGRAM_BOT_TOKEN, else the first line of `token_file`, which must not be
/// readable or writable by group or others (0600 or stricter). The token is never put into an
/// error message.
mlcloud::result<std::string> load_token(telegram_config const& config);

} // namespace mlcloud_bot

#endif

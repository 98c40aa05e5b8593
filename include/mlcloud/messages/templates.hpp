//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_MESSAGES_TEMPLATES_HPP
#define MLCLOUD_MESSAGES_TEMPLATES_HPP

// The messages the bot and the CLI show, one function each. Every function renders either HTML
// for Telegram (parse_mode=HTML) or plain text for a terminal. Anything that did not come from
// this file (dataset names, ids, URIs, log lines, provider messages, table rows from an override
// file) is cleaned of control characters and, in HTML, escaped; error texts are also scrubbed of
// anything that looks like a credential. The functions do no I/O.

#include <mlcloud/config.hpp>
#include <mlcloud/error.hpp>
#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/messages/recommend.hpp>
#include <mlcloud/types.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlcloud {
namespace messages {

enum class format
{
    html,  ///< Telegram HTML
    plain, ///< terminal text
};

// ---------------------------------------------------------------------------------------------
// Text safety

/// Escapes & < > " ' for HTML text and attribute values (Telegram accepts &quot; and numeric
/// entities).
MLCLOUD_DECL std::string escape_html(std::string_view text);

/// Makes text safe to show: drops ANSI escape sequences and control characters other than
/// tab and newline, and replaces invalid UTF-8 with U+FFFD.
MLCLOUD_DECL std::string clean_text(std::string_view text);

/// Masks what looks like a credential: "Bearer <token>", AWS access key ids, RunPod keys
/// (rpa_/rps_), Telegram bot tokens, the rest of an "Authorization:" header, and the values of
/// signature/credential/token/secret/password/api_key parameters.
MLCLOUD_DECL std::string redact_secrets(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Provider words

/// "Pod ID" (RunPod), "Instance ID" (AWS), "Job ID" (local and others).
MLCLOUD_DECL std::string_view job_id_label(std::string_view provider) noexcept;
/// "pod", "instance", "job".
MLCLOUD_DECL std::string_view machine_noun(std::string_view provider) noexcept;
/// "RunPod", "AWS", "this machine" (local), else the name as given.
MLCLOUD_DECL std::string provider_title(std::string_view provider);

// ---------------------------------------------------------------------------------------------
// The messages

/// "Where should the model train?": local (free) or the provider's cloud with its price range
/// from the table and its billing rule ("$0.27 - $3.99 per hour (billed per second)").
MLCLOUD_DECL std::string choose_cloud_or_local(format f, pricing_table const& table, std::string_view provider);

/// The recommended GPU with its price and reason, every option, and "accept or choose another".
MLCLOUD_DECL std::string gpu_selection(format f, recommendation const& recommended,
                                       std::vector<gpu_offer const*> const& options);

struct launch_summary
{
    gpu_offer offer;
    mlcloud::market market = mlcloud::market::on_demand;
    std::chrono::seconds expected_runtime{std::chrono::minutes(10)};
    std::string dataset; ///< the file name or URI the user gave
    int gpu_count = 1;   ///< RunPod GPUs in the pod; AWS instances
};

/// The GPU, the estimated cost for the expected duration, and the interruption warning for
/// spot ("RunPod may reclaim GPU" on RunPod's community cloud).
MLCLOUD_DECL std::string launch_confirmation(format f, launch_summary const& launch);

/// "Training launched!" with the provider's own id label (Pod ID / Instance ID / Job ID).
MLCLOUD_DECL std::string training_launched(format f, job_handle const& job);

struct log_view_options
{
    std::size_t budget = 3500;            ///< the whole message stays within this many bytes
    std::string_view title = "Training logs";
};

/// The last lines of a log that fit the budget (in <pre> for HTML). A carriage return inside a
/// line keeps only what follows it, as a terminal would show a progress bar.
MLCLOUD_DECL std::string log_view(format f, std::span<std::string const> lines, log_view_options const& options = {});

struct completion_summary
{
    job_handle job;
    mlcloud::cost cost;
    std::chrono::seconds duration{0};
    std::optional<storage_uri> model;
    std::vector<std::pair<std::string, std::string>> metrics; ///< e.g. {"val_accuracy", "0.9667"}
};

/// "Training complete" with duration, cost and its basis, the model's location and metrics.
MLCLOUD_DECL std::string training_completed(format f, completion_summary const& done);

/// "Predictions ready": request id, rows, cost, time taken.
MLCLOUD_DECL std::string prediction_ready(format f, prediction_result const& result, std::size_t rows);

/// The offered rows of the table (all providers when `provider` is empty): the answer to
/// /gpus and `mlcloud gpus`. Plain text is an aligned table.
MLCLOUD_DECL std::string gpu_price_list(format f, pricing_table const& table, std::string_view provider = {});

/// What went wrong, in people's words by error code, with the provider's details scrubbed of
/// credentials.
MLCLOUD_DECL std::string error_message(format f, error const& e);

struct budget_status
{
    double spent_usd = 0.0;
    double limit_usd = 0.0;
    std::string period = "this month";
    bool jobs_stopped = false; ///< running jobs were stopped because the limit was reached
};

/// A warning while under the limit; "limit reached, launches blocked" at or over it.
MLCLOUD_DECL std::string budget_notice(format f, budget_status const& budget);

/// The job hit its maximum runtime and was stopped.
MLCLOUD_DECL std::string runtime_limit_notice(format f, job_handle const& job, std::chrono::seconds limit);

} // namespace messages
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/messages/impl/templates.ipp>
#endif

#endif

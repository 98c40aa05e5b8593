//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_RUNTIME_HPP
#define MLCLOUD_BOT_RUNTIME_HPP

// The providers of one place to train, behind a small virtual interface. The bot picks the
// backend once, at start-up, with mlcloud::with_backend over the backends compiled in
// (make_runtime); everything after that is ordinary code compiled once, not once per backend.
// The bot adds no provider logic: every member forwards to mlcloud::cloud<B>.

#include <mlcloud/capabilities.hpp>
#include <mlcloud/concepts.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_bot {

class backend_runtime
{
public:
    virtual ~backend_runtime() = default;

    /// The backend's name ("local", "aws", ...), as in job handles.
    virtual std::string_view provider() const noexcept = 0;
    /// What its training provider can do (idempotent_launch, self_terminating, ...).
    virtual mlcloud::capability_set training_capabilities() const noexcept = 0;

    virtual mlcloud::task<mlcloud::job_handle> launch(mlcloud::job_spec const& spec) = 0;
    virtual mlcloud::task<mlcloud::job_status> status(mlcloud::job_handle const& job) = 0;
    virtual mlcloud::task<mlcloud::log_chunk> read_logs(mlcloud::job_handle const& job,
                                                        mlcloud::log_cursor const& from) = 0;
    virtual mlcloud::task<mlcloud::job_status> terminate(mlcloud::job_handle const& job) = 0;

    virtual mlcloud::task<mlcloud::object_info> upload(std::filesystem::path const& from,
                                                       mlcloud::storage_uri const& to) = 0;
    virtual mlcloud::task<mlcloud::object_info> download(mlcloud::storage_uri const& from,
                                                         std::filesystem::path const& to) = 0;
    /// The stored objects whose key starts with `prefix`'s.
    virtual mlcloud::task<std::vector<mlcloud::object_info>> list(mlcloud::storage_uri const& prefix) = 0;
    /// `uri` as its storage reads it, for comparing places: local keys lexically normalised
    /// ("./a//b" is "a/b"), and on the local backend absolute spellings
    /// (file:///<root>/datasets/7/x.csv) as keys relative to its root (datasets/7/x.csv). S3 and
    /// volume keys are literal and returned as given.
    virtual mlcloud::storage_uri stored_key(mlcloud::storage_uri const& uri);

    virtual mlcloud::task<mlcloud::prediction_result> predict(mlcloud::prediction_request const& request) = 0;

    /// True when the training provider can list the machines it holds for mlcloud
    /// (mlcloud::job_listing_provider), so orphans can be found (docs/bot.md, "Orphans").
    virtual bool can_list_jobs() const noexcept { return false; }
    /// Every machine carrying mlcloud's tag or name; errc::not_supported when !can_list_jobs().
    virtual mlcloud::task<std::vector<mlcloud::job_handle>> list_jobs();
};

/// The backends compiled into this bot, by name.
std::vector<std::string> compiled_backends();

/// Makes the runtime of backend `provider` with its options read from `options_json` (the
/// "backend" object of the configuration; `field` names it in errors). errc::invalid_argument
/// names the unknown backend, or the bad option.
mlcloud::result<std::unique_ptr<backend_runtime>> make_runtime(boost::asio::any_io_executor ex,
                                                              std::string_view provider,
                                                              std::string_view options_json,
                                                              std::string_view field = "backend");

} // namespace mlcloud_bot

#endif

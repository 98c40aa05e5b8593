//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_LOCAL_OPTIONS_HPP
#define MLCLOUD_LOCAL_OPTIONS_HPP

#include <mlcloud/config.hpp>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace mlcloud {
namespace local {

/// Options of the local backend, shared by its storage, training and prediction providers.
/// Every member has a usable default, so `local::options{}` works with no set-up at all:
///
///     mlcloud::blocking<mlcloud::local::backend> c({.root = "/srv/ml", .terminate_grace = 2s});
struct options
{
    /// The storage root: every key is a path below it and nothing outside it can be reached.
    /// Empty: `default_root()` ($MLCLOUD_HOME, else ~/.mlcloud/local). A relative path is taken
    /// relative to the current directory when the provider is constructed. Created on first use.
    std::filesystem::path root;

    /// Where job state lives (one directory per job, see docs/local.md). Empty:
    /// `<root>/.mlcloud/jobs`, which storage listings never show.
    std::filesystem::path state_dir;

    /// argv of the predictor; `{model}`, `{input}` and `{output}` are replaced by absolute paths
    /// and argv[0] is looked up in PATH when it has no '/'. Never run through a shell.
    std::vector<std::string> predictor_command = {
        "mlcloud-trainer", "predict", "--model", "{model}", "--input", "{input}", "--output", "{output}"};

    /// Working directory of training jobs. Empty: a fresh `work/` directory inside the job's own
    /// directory, so a workload cannot overwrite the job's state files by accident.
    std::filesystem::path working_directory;

    /// Longest step between two looks at a child process or a job's state files.
    std::chrono::milliseconds poll_interval{200};

    /// Most log bytes one `read_logs` call returns.
    std::size_t max_log_chunk_bytes = 64 * 1024;

    /// Between SIGTERM and SIGKILL when a job or predictor is stopped (terminate, max_runtime,
    /// prediction timeout). A job keeps the grace period it was launched with.
    std::chrono::milliseconds terminate_grace{10'000};

    /// How long `launch` waits for the job's supervisor to confirm that the workload started.
    std::chrono::milliseconds launch_timeout{10'000};

    /// Bytes per step of a storage copy; the copy yields to the executor between steps.
    std::size_t copy_chunk_bytes = 1024 * 1024;

    /// Largest prediction output returned in memory.
    std::size_t max_prediction_output_bytes = 64 * 1024 * 1024;
};

/// $MLCLOUD_HOME when set and not empty, else $HOME/.mlcloud/local; empty when neither is set.
MLCLOUD_DECL std::filesystem::path default_root();

} // namespace local
} // namespace mlcloud

#ifdef MLCLOUD_HEADER_ONLY
#include <mlcloud/local/impl/options.ipp>
#endif

#endif

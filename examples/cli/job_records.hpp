//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_CLI_JOB_RECORDS_HPP
#define MLCLOUD_CLI_JOB_RECORDS_HPP

// The CLI remembers every job it launched (its handle, as JSON) so that `mlcloud logs <id>`
// knows which provider and machine to ask, in a later invocation. The directory is
// $MLCLOUD_CLI_STATE, else ~/.mlcloud/cli.

#include <mlcloud/error.hpp>
#include <mlcloud/types.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace mlcloud_cli {

std::filesystem::path state_directory();

/// Writes `text` to `path` atomically (a temporary file beside it, then rename), creating the
/// parent directories: a reader sees the old content or the new, never a part.
mlcloud::result<void> write_file_atomically(std::filesystem::path const& path, std::string_view text);

/// Writes the record atomically (temp file + rename).
mlcloud::result<void> save_job(mlcloud::job_handle const& job);

/// The record of a job id; errc::not_found when this CLI never launched it.
mlcloud::result<mlcloud::job_handle> load_job(std::string const& id);

/// The records found, and what could not be read.
struct job_listing
{
    std::vector<mlcloud::job_handle> jobs; ///< newest first
    /// One line per record (or the directory) that could not be read. A command that acts on
    /// "every job without a record" must not act while this is not empty: an unreadable record
    /// is a job that looks unrecorded.
    std::vector<std::string> problems;
};

/// Every record, newest first. A missing directory is no problem: nothing was launched yet.
job_listing list_jobs();

} // namespace mlcloud_cli

#endif

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_TRAINER_FILES_HPP
#define MLCLOUD_TRAINER_FILES_HPP

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mlcloud_trainer {

/// Anything that stops the trainer; `what()` is the one line printed after "error: ".
struct failure : std::runtime_error
{
    using std::runtime_error::runtime_error;
};

/// The whole file; throws `failure` naming the file and the reason.
std::string read_file(std::filesystem::path const& path, std::string_view what);

/// Writes `content` so that `path` holds either its old content or all of the new one, never
/// a part: a temporary file beside it is written, flushed to disk (fsync), renamed over `path`,
/// and the directory is flushed too. Missing parent directories are created. On failure the
/// temporary file is removed and `failure` is thrown.
void write_file_atomically(std::filesystem::path const& path, std::string_view content);

/// `path`, or `path/model.json` when `path` is an existing directory or ends with '/'.
std::filesystem::path model_file_path(std::string const& path);

} // namespace mlcloud_trainer

#endif

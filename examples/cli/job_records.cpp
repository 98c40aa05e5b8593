//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#include "job_records.hpp"

#include <mlcloud/serialization.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

namespace mlcloud_cli {

namespace fs = std::filesystem;

std::filesystem::path state_directory()
{
    if (char const* dir = std::getenv("MLCLOUD_CLI_STATE"); dir && *dir)
        return dir;
    char const* home = std::getenv("HOME");
    return fs::path(home && *home ? home : ".") / ".mlcloud" / "cli";
}

namespace {

fs::path record_path(std::string const& id) { return state_directory() / "jobs" / (id + ".json"); }

// Job ids come from providers; refuse anything that could step out of the directory.
bool safe_id(std::string const& id)
{
    return !id.empty() && id.size() <= 200 && id.find('/') == std::string::npos && id != "." && id != "..";
}

} // namespace

mlcloud::result<void> write_file_atomically(fs::path const& path, std::string_view text)
{
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << text;
        if (!out.flush())
            return mlcloud::error(mlcloud::errc::io_error, "cannot write " + tmp.string());
    }
    fs::rename(tmp, path, ec);
    if (ec)
        return mlcloud::error(mlcloud::errc::io_error, "cannot write " + path.string() + ": " + ec.message());
    return {};
}

mlcloud::result<void> save_job(mlcloud::job_handle const& job)
{
    if (!safe_id(job.id))
        return mlcloud::error(mlcloud::errc::invalid_argument, "unusable job id '" + job.id + "'");
    return write_file_atomically(record_path(job.id), boost::json::serialize(boost::json::value_from(job)) + "\n");
}

mlcloud::result<mlcloud::job_handle> load_job(std::string const& id)
{
    if (!safe_id(id))
        return mlcloud::error(mlcloud::errc::invalid_argument, "unusable job id '" + id + "'");
    std::ifstream in(record_path(id));
    if (!in)
        return mlcloud::error(mlcloud::errc::not_found, "no record of job " + id + " in " +
                                                            (state_directory() / "jobs").string());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec)
        return mlcloud::error(mlcloud::errc::invalid_argument, "the record of job " + id + " is damaged: " + ec.message());
    return mlcloud::from_json<mlcloud::job_handle>(v);
}

std::vector<mlcloud::job_handle> list_jobs()
{
    std::vector<mlcloud::job_handle> out;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator(state_directory() / "jobs", ec))
    {
        if (entry.path().extension() != ".json")
            continue;
        if (auto job = load_job(entry.path().stem().string()))
            out.push_back(std::move(*job));
    }
    std::sort(out.begin(), out.end(), [](auto const& a, auto const& b) { return a.launched_at > b.launched_at; });
    return out;
}

} // namespace mlcloud_cli

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
    tmp += ".mlcloud-tmp"; // a name of ours: a user's "x.tmp" is never touched
    bool opened = false, written = false;
    {
        std::ofstream out(tmp, std::ios::trunc);
        opened = out.is_open();
        out << text;
        written = static_cast<bool>(out.flush());
    }
    if (written)
        fs::rename(tmp, path, ec);
    if (written && !ec)
        return {};
    std::error_code ignored;
    if (opened)
        fs::remove(tmp, ignored); // no half-written or orphaned temporary file stays behind
    if (!written)
        return mlcloud::error(mlcloud::errc::io_error, "cannot write " + tmp.string());
    return mlcloud::error(mlcloud::errc::io_error, "cannot write " + path.string() + ": " + ec.message());
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
    auto const path = record_path(id);
    std::ifstream in(path);
    std::error_code ec_exists;
    if (!in && (fs::exists(path, ec_exists) || ec_exists))
        return mlcloud::error(mlcloud::errc::io_error, "cannot read the record " + path.string());
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

job_listing list_jobs()
{
    job_listing out;
    auto const dir = state_directory() / "jobs";
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec)
    {
        if (ec != std::errc::no_such_file_or_directory)
            out.problems.push_back("cannot read " + dir.string() + ": " + ec.message());
        return out;
    }
    // A failed increment sets `ec` and turns the iterator into the end: look at `ec` after the
    // loop too, or a directory read that fails half-way would hide the records after it.
    for (; !ec && it != fs::directory_iterator(); it.increment(ec))
    {
        if (it->path().extension() != ".json")
            continue;
        auto job = load_job(it->path().stem().string());
        if (job)
            out.jobs.push_back(std::move(*job));
        else
            out.problems.push_back(it->path().string() + ": " + job.error().message);
    }
    if (ec)
        out.problems.push_back("cannot read all of " + dir.string() + ": " + ec.message());
    std::sort(out.jobs.begin(), out.jobs.end(), [](auto const& a, auto const& b) { return a.launched_at > b.launched_at; });
    return out;
}

} // namespace mlcloud_cli

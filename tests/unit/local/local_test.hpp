//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// Shared helpers of the local backend's tests: a scratch directory per test, a way to run a
// provider's coroutines to completion, and process inspection.
#ifndef MLCLOUD_TEST_LOCAL_TEST_HPP
#define MLCLOUD_TEST_LOCAL_TEST_HPP

#include <mlcloud/blocking.hpp>
#include <mlcloud/local.hpp>

#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>
#include <io_fixture.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <sys/types.h>

namespace local_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A directory under /tmp, removed with its content at the end of the test.
struct temp_dir
{
    fs::path path;

    temp_dir()
    {
        std::string pattern = (fs::temp_directory_path() / "mlcloud-local-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = fs::canonical(pattern);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    temp_dir(temp_dir const&) = delete;
    temp_dir& operator=(temp_dir const&) = delete;
};

inline void write_file(fs::path const& p, std::string const& content)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

inline std::string read_file(fs::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// An executable script.
inline fs::path write_script(fs::path const& p, std::string const& content)
{
    write_file(p, content);
    fs::permissions(p, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
    return p;
}

/// Everything a test of the local backend needs: a root below a scratch directory, short
/// intervals, and an io_context to run the coroutines on.
struct fixture : mlcloud_test::io_fixture
{
    temp_dir dir;
    mlcloud::local::options opts;

    fixture()
    {
        opts.root = dir.path / "root";
        opts.poll_interval = 20ms;
        opts.terminate_grace = 1s;
    }

    fs::path root() const { return opts.root; }
};

/// True when `pid` no longer runs (gone, or a zombie nobody reaped yet).
inline bool process_gone(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(stat, text))
        return true;
    auto close = text.rfind(')');
    return close == std::string::npos || close + 2 >= text.size() || text[close + 2] == 'Z' ||
           text[close + 2] == 'X';
}

/// Polls `pred` every 20 ms for up to `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 15s)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred())
    {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

/// A pid a workload wrote into a file, once the file is there.
inline pid_t read_pid(fs::path const& p)
{
    pid_t pid = 0;
    REQUIRE(eventually([&] {
        std::ifstream in(p);
        return static_cast<bool>(in >> pid) && pid > 0;
    }));
    return pid;
}

} // namespace local_test

#endif

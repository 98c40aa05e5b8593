//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
#ifndef MLCLOUD_BOT_INTEGRATION_SUPPORT_HPP
#define MLCLOUD_BOT_INTEGRATION_SUPPORT_HPP

// The bot as a separate process (mlcloud-bot), a small JSON-over-HTTP client for the fakes'
// control routes, and waiting with a deadline. Every server is on 127.0.0.1, started by CTest.

#include <fixtures.hpp>

#include <mlcloud/blocking.hpp>
#include <mlcloud/net/client.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace bot_it {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

inline std::string read_text(fs::path const& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_text(fs::path const& p, std::string const& text)
{
    std::ofstream(p, std::ios::binary) << text;
}

/// Polls `done` until it holds or `limit` passes.
inline bool eventually(std::function<bool()> const& done, std::chrono::steady_clock::duration limit = 60s)
{
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!done())
    {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

/// A scratch directory for one test.
struct scratch
{
    fs::path path;
    explicit scratch(std::string const& name)
    {
        path = fs::path(MLCLOUD_BOT_TEST_DIR) / (name + "-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~scratch()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

/// JSON over HTTP to a fake's control routes.
class http_json
{
public:
    explicit http_json(std::string base) : base_(std::move(base)), http_(io_.get_executor()) {}

    json::value post(std::string const& path, json::value const& body)
    {
        mlcloud::net::request r;
        r.method = mlcloud::net::method::post;
        r.url = base_ + path;
        r.headers = {{"Content-Type", "application/json"}};
        r.body = json::serialize(body);
        r.idempotent = false;
        return run(std::move(r));
    }

    json::value get(std::string const& path)
    {
        mlcloud::net::request r;
        r.url = base_ + path;
        return run(std::move(r));
    }

private:
    json::value run(mlcloud::net::request r)
    {
        auto const url = r.url;
        auto resp = mlcloud::run_blocking(io_, http_.send(std::move(r)));
        if (!resp)
            FAIL("HTTP to the fake failed: " << resp.error().what());
        if (!resp->ok())
            FAIL(url << ": HTTP " << resp->status << ": " << resp->body);
        return json::parse(resp->body);
    }

    std::string base_;
    boost::asio::io_context io_;
    mlcloud::net::http_client http_;
};

/// mlcloud-bot, started with a configuration file and a token in its environment.
class bot_process
{
public:
    bot_process(fs::path dir, std::string token, std::vector<std::string> extra_args = {})
        : dir_(std::move(dir)), token_(std::move(token)), extra_(std::move(extra_args))
    {
    }
    ~bot_process() { kill(SIGKILL); }

    fs::path log_path() const { return dir_ / ("bot-" + std::to_string(runs_) + ".log"); }

    void start(fs::path const& config)
    {
        ++runs_;
        auto const log = log_path();
        std::vector<std::string> args{MLCLOUD_BOT_EXE, "--config", config.string()};
        args.insert(args.end(), extra_.begin(), extra_.end());
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0)
        {
            int const fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            int const devnull = ::open("/dev/null", O_RDONLY);
            ::dup2(devnull, 0);
            ::setenv("TELEGRAM_BOT_TOKEN", token_.c_str(), 1);
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }

    /// Sends `sig` and reaps the process; returns its exit status (-1 when not running).
    int kill(int sig)
    {
        if (pid_ <= 0)
            return -1;
        ::kill(pid_, sig);
        return wait(60s);
    }

    /// Waits for the process to end by itself; its exit code, or -1 on a timeout.
    int wait(std::chrono::steady_clock::duration limit = 60s)
    {
        if (pid_ <= 0)
            return exit_code_;
        auto const deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline)
        {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_)
            {
                pid_ = 0;
                exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                return exit_code_;
            }
            std::this_thread::sleep_for(20ms);
        }
        return -1;
    }

    bool running() const { return pid_ > 0; }
    std::string log() const { return read_text(log_path()); }

private:
    fs::path dir_;
    std::string token_;
    std::vector<std::string> extra_;
    pid_t pid_ = 0;
    int runs_ = 0;
    int exit_code_ = -1;
};

/// A configuration for the local backend and the example trainer, talking to `api_base`.
inline std::string local_config(fs::path const& dir, std::string const& api_base, std::string const& trainer_command = {},
                                std::string const& extra = {})
{
    std::string const trainer = MLCLOUD_TRAINER_EXE;
    auto const command = trainer_command.empty() ? "[\"" + trainer + "\", \"train\"]" : trainer_command;
    return R"({
        "provider": "local",
        "backend": {"root": ")" + (dir / "root").string() + R"(",
                    "predictor_command": [")" + trainer + R"(", "predict", "--model", "{model}", "--input", "{input}",
                                          "--output", "{output}"],
                    "poll_interval_ms": 50, "terminate_grace_ms": 2000},
        "trainer": {"command": )" + command + R"(},
        "access": {"allowed_user_ids": [4242]},
        "telegram": {"api_base_url": ")" + api_base + R"(", "poll_timeout_s": 2, "log_edit_interval_ms": 200,
                     "per_chat_per_second": 20, "per_chat_burst": 20},
        "database": ")" + (dir / "bot.db").string() + R"(",
        "follow_interval_ms": 100)" + extra + "}";
}

inline std::string iris_csv()
{
    return read_text(fs::path(MLCLOUD_EXAMPLE_DATA) / "iris.csv");
}

} // namespace bot_it

#endif

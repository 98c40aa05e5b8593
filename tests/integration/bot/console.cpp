//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// mlcloud-bot --console: the same conversation in a terminal, on the local backend, with no
// Telegram and no account. The test types like a person: it answers a question once it was
// asked.

#include "support.hpp"

#include <poll.h>

using namespace bot_it;

namespace {

/// mlcloud-bot --console with its stdin and stdout on pipes.
class console_process
{
public:
    console_process(fs::path const& cwd, std::vector<std::string> args)
    {
        int in[2], out[2];
        REQUIRE(::pipe(in) == 0);
        REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0)
        {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            ::dup2(out[1], 2);
            ::close(in[1]);
            ::close(out[0]);
            if (::chdir(cwd.c_str()) != 0)
                ::_exit(126);
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        to_ = in[1];
        from_ = out[0];
    }
    ~console_process()
    {
        close_input();
        if (pid_ > 0)
        {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(from_);
    }

    void type(std::string const& line)
    {
        auto const text = line + "\n";
        REQUIRE(::write(to_, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    }

    void close_input()
    {
        if (to_ >= 0)
            ::close(to_);
        to_ = -1;
    }

    /// Reads output until `needle` appears after what was consumed by earlier waits.
    bool wait_for(std::string const& needle, std::chrono::steady_clock::duration limit = 90s)
    {
        auto const deadline = std::chrono::steady_clock::now() + limit;
        for (;;)
        {
            if (auto const at = output_.find(needle, consumed_); at != std::string::npos)
            {
                consumed_ = at + needle.size();
                return true;
            }
            auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
            {
                UNSCOPED_INFO("console output:\n" << output_);
                return false;
            }
            pollfd p{from_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 200))) > 0)
            {
                char buf[4096];
                auto const n = ::read(from_, buf, sizeof buf);
                if (n <= 0)
                {
                    UNSCOPED_INFO("console output:\n" << output_);
                    return false;
                }
                output_.append(buf, static_cast<std::size_t>(n));
            }
        }
    }

    int wait_exit(std::chrono::steady_clock::duration limit = 60s)
    {
        auto const deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline)
        {
            // Keep draining the output so the child never blocks on a full pipe.
            pollfd p{from_, POLLIN, 0};
            if (::poll(&p, 1, 20) > 0)
            {
                char buf[4096];
                if (auto const n = ::read(from_, buf, sizeof buf); n > 0)
                    output_.append(buf, static_cast<std::size_t>(n));
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_)
            {
                pid_ = 0;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
        }
        return -1;
    }

    std::string const& output() const { return output_; }

private:
    pid_t pid_ = 0;
    int to_ = -1;
    int from_ = -1;
    std::string output_;
    std::size_t consumed_ = 0;
};

} // namespace

TEST_CASE("console mode: train and predict in the terminal on the local backend")
{
    scratch dir("bot-console");
    write_text(dir.path / "iris.csv", iris_csv());
    write_text(dir.path / "rows.csv", read_text(fs::path(MLCLOUD_EXAMPLE_DATA) / "iris-predict.csv"));
    write_text(dir.path / "bot.json", local_config(dir.path, "http://127.0.0.1:9"));

    console_process c(dir.path, {MLCLOUD_BOT_EXE, "--console", "--config", (dir.path / "bot.json").string()});
    REQUIRE(c.wait_for("mlcloud-bot console"));
    c.type("/train");
    REQUIRE(c.wait_for("Send the dataset"));
    c.type("iris.csv"); // a path: the file is sent
    REQUIRE(c.wait_for("Which column should the model predict?"));
    REQUIRE(c.wait_for("5) species"));
    c.type("5");
    REQUIRE(c.wait_for("1) \xF0\x9F\x9A\x80 Launch"));
    c.type("1");
    REQUIRE(c.wait_for("Training launched!"));
    REQUIRE(c.wait_for("Model saved successfully!"));
    REQUIRE(c.wait_for("Training complete!"));

    c.type("/predict");
    REQUIRE(c.wait_for("1) iris.csv"));
    c.type("1");
    REQUIRE(c.wait_for("Send the input"));
    c.type("rows.csv");
    REQUIRE(c.wait_for("Predictions ready"));
    REQUIRE(c.wait_for("Saved to "));
    auto const saved = dir.path / "predictions-1.csv";
    REQUIRE(eventually([&] { return fs::exists(saved); }));
    CHECK(read_text(saved).starts_with("sepal_length,sepal_width,petal_length,petal_width,prediction\n"));

    // A typed answer where a number was expected, then the end of input: the bot exits cleanly.
    c.type("/train");
    REQUIRE(c.wait_for("Send the dataset"));
    c.type("no such file.csv");
    REQUIRE(c.wait_for("Please send the dataset as a CSV file"));
    c.close_input();
    CHECK(c.wait_exit() == 0);
    // No log chatter in the conversation, no token needed.
    CHECK(c.output().find("launched: local") == std::string::npos);
}

//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// bench_bot: mlcloud-bot, the real process on the memory backend, handling updates against a
// Bot API fake in this process. Prints a Markdown table: idle resident memory after start-up,
// then for each load the updates per second, the update-to-reply latency (p50, p99: from the
// moment the update is queued in the fake to the moment the fake receives the bot's
// sendMessage) and the bot's CPU time per update.
//
//     bench_bot <mlcloud-bot> [updates=4000] [users=100] [database directory=/dev/shm]
//
// Loads: one update at a time from users in turn (latency), the same from one user (paced by
// the per-chat flood limit, 30/s at most), and every user with one update outstanding
// (throughput; paced by telegram.global_per_second, at most 1000/s). Each update is "/help", answered by one message,
// so the figure is the engine's: poll, one SQLite transaction per update, the outbox, one send.
//
// The fake is a small synchronous Beast server (one thread per connection): getUpdates is a
// real long poll with offsets, sendMessage records the reply. It is written in C++ so that it
// is not the bottleneck (the Python fake in tests/fakes answers a few hundred calls a second).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

/// What the fake knows: the queued updates and, per chat, when each awaited reply was asked.
class fake_state
{
public:
    void push_update(std::int64_t user, std::string const& text)
    {
        std::lock_guard lock(mutex_);
        auto const id = next_update_++;
        json::object msg{{"message_id", id},
                         {"date", 1764300000},
                         {"chat", {{"id", user}, {"type", "private"}}},
                         {"from", {{"id", user}, {"is_bot", false}, {"first_name", "U"}}},
                         {"text", text},
                         {"entities", json::array{{{"type", "bot_command"}, {"offset", 0}, {"length", text.size()}}}}};
        updates_.push_back({id, json::serialize(json::object{{"update_id", id}, {"message", std::move(msg)}})});
        asked_[user].push_back(clock_type::now());
        changed_.notify_all();
    }

    /// getUpdates: confirms below `offset`, then waits up to `timeout` for updates.
    std::string poll(std::int64_t offset, std::chrono::seconds timeout)
    {
        std::unique_lock lock(mutex_);
        ++polls_;
        changed_.notify_all();
        while (!updates_.empty() && updates_.front().first < offset)
            updates_.pop_front();
        changed_.wait_for(lock, timeout, [&] { return !updates_.empty() || stopping_; });
        std::string out = "[";
        std::size_t n = 0;
        for (auto const& u : updates_)
        {
            if (n++ == 100)
                break;
            out += (n > 1 ? "," : "") + u.second;
        }
        return out + "]";
    }

    std::int64_t reply(std::int64_t chat)
    {
        std::lock_guard lock(mutex_);
        auto it = asked_.find(chat);
        if (it != asked_.end() && !it->second.empty())
        {
            latencies_.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - it->second.front()).count());
            it->second.pop_front();
        }
        ++replies_;
        changed_.notify_all();
        return next_message_++;
    }

    /// Waits until `n` replies in all were received (false after `limit`).
    bool wait_replies(std::size_t n, std::chrono::seconds limit = 120s)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return replies_ >= n; });
    }
    bool wait_polls(std::size_t n, std::chrono::seconds limit = 60s)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, limit, [&] { return polls_ >= n; });
    }
    std::size_t replies()
    {
        std::lock_guard lock(mutex_);
        return replies_;
    }
    std::vector<double> take_latencies()
    {
        std::lock_guard lock(mutex_);
        return std::exchange(latencies_, {});
    }
    void stop()
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        changed_.notify_all();
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<std::int64_t, std::string>> updates_;
    std::map<std::int64_t, std::deque<clock_type::time_point>> asked_;
    std::vector<double> latencies_;
    std::int64_t next_update_ = 1;
    std::int64_t next_message_ = 1;
    std::size_t replies_ = 0;
    std::size_t polls_ = 0;
    bool stopping_ = false;
};

std::string answer(json::value result)
{
    return json::serialize(json::object{{"ok", true}, {"result", std::move(result)}});
}

std::string handle(fake_state& state, std::string_view target, std::string const& body)
{
    auto const slash = target.rfind('/');
    auto const method = target.substr(slash + 1);
    boost::system::error_code ec;
    auto const v = json::parse(body, ec);
    json::object params = !ec && v.is_object() ? v.get_object() : json::object{};
    auto int_of = [&](char const* k, std::int64_t d) {
        auto const* p = params.if_contains(k);
        return p && p->is_int64() ? p->as_int64() : d;
    };
    if (method == "getUpdates")
    {
        auto const updates = state.poll(int_of("offset", 0), std::chrono::seconds(int_of("timeout", 0)));
        return R"({"ok":true,"result":)" + updates + "}";
    }
    if (method == "sendMessage")
    {
        auto const chat = int_of("chat_id", 0);
        auto const id = state.reply(chat);
        return answer(json::object{{"message_id", id}, {"date", 1764300000},
                                   {"chat", {{"id", chat}, {"type", "private"}}}, {"text", "ok"}});
    }
    if (method == "getMe")
        return answer(json::object{{"id", 777}, {"is_bot", true}, {"first_name", "bench"}, {"username", "bench_bot"}});
    return answer(true);
}

void serve_connection(fake_state& state, tcp::socket socket)
{
    socket.set_option(tcp::no_delay(true));
    boost::beast::flat_buffer buffer;
    for (;;)
    {
        http::request<http::string_body> req;
        boost::system::error_code ec;
        http::read(socket, buffer, req, ec);
        if (ec)
            return;
        http::response<http::string_body> res{http::status::ok, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = handle(state, req.target(), req.body());
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        http::write(socket, res, ec);
        if (ec || !req.keep_alive())
            return;
    }
}

long rss_kib(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("VmRSS:"))
            return std::stol(line.substr(6));
    return -1;
}

/// The process's user + system CPU time, in seconds.
double cpu_seconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream rest(all.substr(all.rfind(')') + 2));
    std::vector<std::string> f;
    for (std::string x; rest >> x;)
        f.push_back(x);
    // Fields after the name start at 3 (state); utime is 14, stime 15.
    return (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    auto const i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

struct load_result
{
    std::string name;
    std::size_t updates;
    double per_second;
    double p50_ms;
    double p99_ms;
    double cpu_us_per_update;
};

/// `total` updates from `users` users in turn, at most `window` outstanding.
load_result run_load(fake_state& state, pid_t bot, std::string name, std::size_t total, std::int64_t users,
                     std::size_t window)
{
    state.take_latencies();
    auto const base = state.replies();
    auto const cpu0 = cpu_seconds(bot);
    auto const t0 = clock_type::now();
    std::size_t sent = 0;
    auto const from = [&] { return 1000 + static_cast<std::int64_t>(sent % static_cast<std::size_t>(users)); };
    for (; sent < std::min(window, total); ++sent)
        state.push_update(from(), "/help");
    while (sent < total)
    {
        // Whenever a reply arrives, the next update goes in. Users take turns, so with as many
        // users as the window each has one update outstanding, and with a window of 1 no chat
        // is ever paced by the per-chat flood limit (30/s at most).
        if (!state.wait_replies(base + sent - window + 1))
            throw std::runtime_error("the bot stopped answering");
        state.push_update(from(), "/help");
        ++sent;
    }
    if (!state.wait_replies(base + total))
        throw std::runtime_error("the bot stopped answering");
    auto const seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    auto const cpu = cpu_seconds(bot) - cpu0;
    auto const lat = state.take_latencies();
    return {std::move(name), total, static_cast<double>(total) / seconds, percentile(lat, 0.5) / 1000,
            percentile(lat, 0.99) / 1000, cpu / static_cast<double>(total) * 1e6};
}

std::string config_text(std::uint16_t port, fs::path const& dir, std::int64_t users)
{
    json::array allowed;
    for (std::int64_t u = 0; u < users; ++u)
        allowed.push_back(1000 + u);
    json::object c{{"provider", "memory"},
                   {"access", {{"allowed_user_ids", allowed}}},
                   {"telegram",
                    {{"api_base_url", "http://127.0.0.1:" + std::to_string(port)},
                     {"poll_timeout_s", 10},
                     {"per_chat_per_second", 30},
                     {"per_chat_burst", 30},
                     {"global_per_second", 1000}}},
                   {"database", (dir / "bot.db").string()}};
    return json::serialize(c);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::cerr << "usage: bench_bot <mlcloud-bot> [updates=4000] [users=100] [database directory=/dev/shm]\n";
        return 2;
    }
    std::string const exe = argv[1];
    std::size_t const updates = argc > 2 ? std::stoul(argv[2]) : 4000;
    std::int64_t const users = argc > 3 ? std::stoll(argv[3]) : 100;
    fs::path const dir = fs::path(argc > 4 ? argv[4] : "/dev/shm") / ("mlcloud-bench-bot-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);

    fake_state state;
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    auto const port = acceptor.local_endpoint().port();
    std::thread([&] {
        for (;;)
        {
            boost::system::error_code ec;
            tcp::socket s(io);
            acceptor.accept(s, ec);
            if (ec)
                return;
            std::thread(serve_connection, std::ref(state), std::move(s)).detach();
        }
    }).detach();

    std::ofstream(dir / "bot.json") << config_text(port, dir, users);
    std::string const config = (dir / "bot.json").string();
    std::vector<std::string> args{exe, "--config", config};
    std::vector<char*> argv_bot;
    for (auto& a : args)
        argv_bot.push_back(a.data());
    argv_bot.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
        env_strings.emplace_back(*e);
    env_strings.emplace_back("TELEGRAM_BOT_TOKEN=12345:bench-token-abcdefghijklmnopqrstuvwxyz");
    std::vector<char*> envp;
    for (auto& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    auto const log = (dir / "bot.log").string();
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t bot = 0;
    if (posix_spawn(&bot, exe.c_str(), &actions, nullptr, argv_bot.data(), envp.data()) != 0)
    {
        std::cerr << "cannot start " << exe << "\n";
        return 1;
    }

    int status = 0;
    try
    {
        if (!state.wait_polls(1))
            throw std::runtime_error("the bot never polled");
        std::this_thread::sleep_for(2s);
        auto const idle = rss_kib(bot);

        auto const n = static_cast<std::size_t>(users);
        run_load(state, bot, "warm-up", std::min<std::size_t>(updates, 500), users, n);
        auto const after_warmup = rss_kib(bot);
        std::vector<load_result> results;
        results.push_back(run_load(state, bot, "1 update at a time (users in turn)", std::max<std::size_t>(updates / 4, 1),
                                   users, 1));
        results.push_back(run_load(state, bot, "1 user, 1 update at a time (per-chat limit: 30/s)",
                                   std::max<std::size_t>(updates / 20, 1), 1, 1));
        results.push_back(
            run_load(state, bot, std::to_string(users) + " users, 1 update outstanding each", updates, users, n));
        auto const after = rss_kib(bot);

        std::printf("mlcloud-bot against the in-process Bot API fake, database in %s, /help updates\n\n",
                    dir.parent_path().c_str());
        std::printf("| load | updates | updates/s | p50 update-to-reply | p99 update-to-reply | bot CPU per update |\n");
        std::printf("|---|---|---|---|---|---|\n");
        for (auto const& r : results)
            std::printf("| %s | %zu | %.0f | %.2f ms | %.2f ms | %.0f us |\n", r.name.c_str(), r.updates, r.per_second,
                        r.p50_ms, r.p99_ms, r.cpu_us_per_update);
        std::printf("\n| resident memory | KiB | MiB |\n|---|---|---|\n");
        std::printf("| idle, 2 s after the first getUpdates | %ld | %.1f |\n", idle, static_cast<double>(idle) / 1024);
        std::printf("| after the warm-up | %ld | %.1f |\n", after_warmup, static_cast<double>(after_warmup) / 1024);
        std::printf("| after the runs | %ld | %.1f |\n", after, static_cast<double>(after) / 1024);
        // The rows of tests/bench/run.sh's table (the first load: one update at a time).
        auto const& one = results.front();
        std::printf("RESULT|bot on the Bot API fake, one thread: updates/s, 1 at a time|%.0f|-|-|reported\n",
                    one.per_second);
        std::printf("RESULT|bot: p99 update-to-reply (ms), 1 at a time / %lld users at once|%.2f / %.2f|-|-|reported\n",
                    static_cast<long long>(users), one.p99_ms, results.back().p99_ms);
        std::printf("RESULT|bot idle resident memory (MiB)|%.1f|-|-|<= 16 MiB\n", static_cast<double>(idle) / 1024);
    }
    catch (std::exception const& e)
    {
        std::cerr << "bench_bot: " << e.what() << " (the bot's log: " << log << ")\n";
        status = 1;
    }
    ::kill(bot, SIGTERM);
    state.stop();
    int ws = 0;
    ::waitpid(bot, &ws, 0);
    if (status == 0)
        fs::remove_all(dir);
    return status;
}

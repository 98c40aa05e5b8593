//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//

// mlcloud-bot: the example Telegram bot (docs/bot.md).
//
//     mlcloud-bot --config /etc/mlcloud-bot/bot.json     Telegram, long polling
//     mlcloud-bot --console [--config FILE]              the same conversation in this terminal
//     mlcloud-bot --check-config FILE                    validate and exit
//
// Exit status: 0 after a clean stop, 1 when the bot had to stop (database failure, token
// rejected), 2 for a usage or configuration error, 3 when another instance holds the lock or
// polls with the same token (409).

#include "bot/app.hpp"
#include "bot/config.hpp"
#include "bot/console_chat.hpp"
#include "bot/log.hpp"
#include "bot/runtime.hpp"
#include "bot/store.hpp"
#include "bot/telegram_client.hpp"

#include <mlcloud/messages/pricing.hpp>
#include <mlcloud/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace mlcloud_bot;

namespace {

constexpr int exit_stopped = 1;
constexpr int exit_usage = 2;
constexpr int exit_busy = 3;

constexpr char const* usage =
    "usage:\n"
    "  mlcloud-bot --config FILE            run the Telegram bot (token: $TELEGRAM_BOT_TOKEN or telegram.token_file)\n"
    "  mlcloud-bot --console [--config FILE] the same conversation in this terminal (default: the local backend)\n"
    "  mlcloud-bot --check-config FILE      check a configuration and exit\n"
    "  mlcloud-bot --help | --version\n";

struct arguments
{
    std::optional<fs::path> config;
    bool console = false;
    bool check_only = false;
};

std::optional<arguments> parse_arguments(int argc, char** argv)
{
    arguments a;
    for (int i = 1; i < argc; ++i)
    {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h")
        {
            std::cout << usage;
            std::exit(0);
        }
        if (arg == "--version")
        {
            std::cout << "mlcloud-bot " MLCLOUD_VERSION_STRING "\n";
            std::exit(0);
        }
        if (arg == "--console")
            a.console = true;
        else if ((arg == "--config" || arg == "--check-config") && i + 1 < argc)
        {
            a.config = argv[++i];
            a.check_only = arg == "--check-config";
        }
        else
        {
            std::cerr << "mlcloud-bot: unknown argument '" << arg << "'\n" << usage;
            return std::nullopt;
        }
    }
    if (!a.console && !a.config)
    {
        std::cerr << usage;
        return std::nullopt;
    }
    return a;
}

/// mlcloud-trainer: on PATH, else beside this program (installed) or in the build tree.
std::string find_trainer()
{
    std::error_code ec;
    auto const self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        for (auto const& candidate : {self.parent_path() / "mlcloud-trainer",
                                      self.parent_path().parent_path() / "trainer" / "mlcloud-trainer"})
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate.string();
    return "mlcloud-trainer";
}

/// The configuration of `mlcloud-bot --console` without a file: this machine, no account.
bot_config console_defaults()
{
    auto const backends = compiled_backends();
    bool const have_local = std::find(backends.begin(), backends.end(), "local") != backends.end();
    fs::path home;
    if (char const* h = std::getenv("MLCLOUD_HOME"); h && *h)
        home = h;
    else if (char const* h = std::getenv("HOME"); h && *h)
        home = fs::path(h) / ".mlcloud";
    else
        home = fs::current_path() / ".mlcloud";
    fs::create_directories(home);

    // Built as JSON values, not by pasting text: a '"' or '\\' in a path is data.
    auto const trainer = find_trainer();
    boost::json::object o{{"provider", have_local ? "local" : "memory"},
                          {"trainer", {{"command", {trainer, "train"}}}},
                          {"database", (home / "bot-console.db").string()}};
    if (have_local)
        o["backend"] = {{"predictor_command",
                         {trainer, "predict", "--model", "{model}", "--input", "{input}", "--output", "{output}"}}};
    return parse_config(boost::json::serialize(o), "console defaults").value();
}

/// One bot per database (and so per token): an exclusive lock held while the process lives.
int take_lock(fs::path const& path)
{
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        std::cerr << "mlcloud-bot: cannot open the lock file " << path << "\n";
        return -1;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        std::cerr << "mlcloud-bot: another mlcloud-bot is running with this database (lock file " << path
                  << " is held)\n";
        ::close(fd);
        return -1;
    }
    auto const pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0)
        (void)!::write(fd, pid.data(), pid.size());
    return fd;
}

/// The places to train, each with its providers; errors name the configuration field.
mlcloud::result<std::map<std::string, target, std::less<>>> make_targets(asio::any_io_executor ex,
                                                                           bot_config const& config)
{
    std::map<std::string, target, std::less<>> targets;
    auto cloud = make_runtime(ex, config.cloud.provider, config.cloud.backend_json, "backend");
    if (!cloud)
    {
        auto e = cloud.error();
        if (e.message.starts_with("unknown provider"))
            e.message = "provider: " + e.message;
        return e;
    }
    targets.emplace(std::string(cloud_target), target{config.cloud, std::move(*cloud)});
    if (config.local)
    {
        auto local = make_runtime(ex, "local", config.local->backend_json, "local.backend");
        if (!local)
        {
            auto e = local.error();
            if (e.message.starts_with("unknown provider"))
                e.message = "local: this bot was built without the local backend";
            return e;
        }
        targets.emplace(std::string(local_target), target{*config.local, std::move(*local)});
    }
    return targets;
}

int run_bot(int argc, char** argv)
{
    auto args = parse_arguments(argc, argv);
    if (!args)
        return exit_usage;

    bot_config config;
    if (args->config)
    {
        auto c = load_config(*args->config);
        if (!c)
        {
            std::cerr << "mlcloud-bot: " << c.error().message << "\n";
            return exit_usage;
        }
        config = std::move(*c);
    }
    else
        config = console_defaults();

    std::int64_t console_user = 0;
    if (args->console)
    {
        // The terminal's user is the first allowed id (or 1, allowed for this run).
        console_user = config.allowed_user_ids.empty() ? 1 : config.allowed_user_ids.front();
        if (config.allowed_user_ids.empty())
            config.allowed_user_ids.push_back(console_user);
    }

    asio::io_context ctx(1);
    auto targets = make_targets(ctx.get_executor(), config);
    if (!targets)
    {
        std::cerr << "mlcloud-bot: " << (args->config ? args->config->string() + ": " : std::string())
                  << targets.error().message << "\n";
        return exit_usage;
    }
    auto pricing = config.pricing_file.empty() ? mlcloud::messages::pricing_table::builtin()
                                               : mlcloud::messages::pricing_table::load(config.pricing_file.string());
    if (!pricing)
    {
        std::cerr << "mlcloud-bot: pricing_file: " << pricing.error().message << "\n";
        return exit_usage;
    }

    std::optional<std::string> token;
    if (!args->console)
    {
        auto t = load_token(config.telegram);
        if (!t)
        {
            std::cerr << "mlcloud-bot: " << t.error().message << "\n";
            return exit_usage;
        }
        token = std::move(*t);
    }
    if (args->check_only)
    {
        std::cout << "mlcloud-bot: " << args->config->string() << " is valid (provider " << config.cloud.provider
                  << (config.local ? ", and local" : "") << ", " << config.allowed_user_ids.size()
                  << " allowed user(s))\n";
        return 0;
    }

    if (auto parent = config.database.parent_path(); !parent.empty())
        fs::create_directories(parent);
    int const lock = take_lock(config.effective_lock_file());
    if (lock < 0)
        return exit_busy;
    auto db = store::open(config.database);
    if (!db)
    {
        std::cerr << "mlcloud-bot: " << db.error().message << "\n";
        return exit_stopped;
    }

    std::unique_ptr<chat_api> chat;
    telegram_client* telegram = nullptr;
    if (args->console)
    {
        // The terminal is the conversation: only warnings and errors go beside it.
        set_log_sink([](std::string_view line) {
            if (line.starts_with("warning: ") || line.starts_with("error: "))
                std::cerr << line << std::endl;
        });
        chat = std::make_unique<console_chat>(ctx.get_executor(), std::cin, std::cout, console_user, fs::current_path());
    }
    else
    {
        telegram_options o;
        o.base_url = config.telegram.api_base_url;
        o.token = *token;
        o.ca_file = config.telegram.ca_file;
        o.limits = {config.telegram.per_chat_per_second, config.telegram.per_chat_burst,
                    config.telegram.global_per_second, 30};
        auto client = std::make_unique<telegram_client>(ctx.get_executor(), std::move(o));
        telegram = client.get();
        chat = std::move(client);
    }

    bot_app app(ctx.get_executor(), config, *db, *chat, std::move(*targets), std::move(*pricing));
    asio::signal_set signals(ctx, SIGINT, SIGTERM);
    int signals_seen = 0;
    std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int) {
        if (ec)
            return;
        if (++signals_seen > 1)
            std::_Exit(exit_stopped); // a second Ctrl-C: do not wait for the long poll
        log(log_level::info, "stopping (a second signal exits at once)");
        app.stop();
        signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);

    int status = 0;
    asio::co_spawn(
        ctx,
        [&]() -> asio::awaitable<void> {
            if (telegram)
            {
                auto me = co_await telegram->get_me();
                if (!me)
                {
                    log(log_level::error, "the Bot API rejected the start-up check (getMe): " + me.error().what());
                    status = exit_stopped;
                    signals.cancel();
                    co_return;
                }
                log(log_level::info, "mlcloud-bot " MLCLOUD_VERSION_STRING " is " + *me + ", training on " +
                                         config.cloud.provider + (config.local ? " and local" : "") + "; " +
                                         std::to_string(config.allowed_user_ids.size()) + " allowed user(s)");
            }
            else
                std::cout << "mlcloud-bot console: training on " << config.cloud.provider
                          << ". Type /help; buttons are numbered; a file path sends that file. Ctrl-D ends.\n"
                          << std::endl;
            auto r = co_await app.run();
            if (!r)
                status = r.error().is(mlcloud::errc::conflict) ? exit_busy : exit_stopped;
            signals.cancel();
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ctx.run();
    ::close(lock);
    return status;
}

} // namespace

int main(int argc, char** argv)
{
    // What escapes (a database that fails at start-up, a directory that cannot be made) ends
    // the bot with a message and exit status 1, not std::terminate's abort.
    try
    {
        return run_bot(argc, argv);
    }
    catch (std::exception const& e)
    {
        std::cerr << "mlcloud-bot: " << e.what() << "\n";
        return exit_stopped;
    }
}

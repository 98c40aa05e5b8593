//
// Copyright (c) 2026 mlcloud developers
// Distributed under the Boost Software License, Version 1.0.
// (See accompanying file LICENSE or copy at http://www.boost.org/LICENSE_1_0.txt)
//
// mlcloud — train, follow, predict and move data on any compiled-in backend, chosen at run time
// with --provider (or $MLCLOUD_PROVIDER; default: local). Built on the public API only.

#include "args.hpp"
#include "backends.hpp"
#include "commands.hpp"

#include <mlcloud/version.hpp>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <limits>

namespace mlcloud_cli {

std::optional<long long> parse_duration_seconds(std::string_view text)
{
    if (text.empty())
        return std::nullopt;
    long long total = 0;
    while (!text.empty())
    {
        long long n = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec != std::errc() || n < 0)
            return std::nullopt;
        text.remove_prefix(static_cast<std::size_t>(ptr - text.data()));
        long long unit = 1;
        if (!text.empty())
        {
            switch (text.front())
            {
            case 's': unit = 1; break;
            case 'm': unit = 60; break;
            case 'h': unit = 3600; break;
            case 'd': unit = 86400; break;
            default: return std::nullopt;
            }
            text.remove_prefix(1);
        }
        if (n > (std::numeric_limits<long long>::max() - total) / unit)
            return std::nullopt; // would overflow
        total += n * unit;
    }
    return total;
}

namespace {

constexpr char const* usage_text = R"(usage: mlcloud [--provider NAME] <command> [options]

Providers: the backends compiled in (see `mlcloud --version`); default $MLCLOUD_PROVIDER, else local.

Commands:
  train --data FILE|URI --target COLUMN [--gpu ID]... [--spot] [--image IMAGE] [--output URI]
        [--max-runtime 2h] [--max-price USD_PER_HOUR] [--expected-minutes 10] [--name NAME]
        [--key KEY] [--follow] [--yes] [-- COMMAND...]
                       launch a training job (a local dataset file is uploaded first); the
                       same --name and --key adopt the machine of an earlier launch of theirs
  logs JOB [--follow] [--interval 1s]   print a job's log (and follow it; interval 1s to 1h)
  status JOB                            state and cost so far
  cancel JOB                            stop a job and report what it cost
  jobs                                  the jobs this CLI launched
  reconcile [--terminate] [--min-age 10m]
                       machines the provider runs for mlcloud without a record here (orphans),
                       with their cost so far; --terminate stops them (only those launched
                       more than --min-age ago; default 10m with --terminate, at most 366d).
                       Machines named mlcloud-bot-... are the bot's and left alone. Exit
                       status 3 when orphans are left running
  predict --model URI --input FILE|URI [--output FILE]   (local backend: a stored key works as URI)
  cp SRC DST [--upload|--download]      upload a local file, or download an object (the
                                        direction follows an s3:// or runpod:// URI)
  ls [PREFIX]                           list stored objects
  rm URI                                remove a stored object
  gpus [--provider NAME|all]            the GPU pricing table
  setup                                 find or create what the provider needs

Environment: MLCLOUD_HOME (local storage root), MLCLOUD_CLI_STATE (job records),
MLCLOUD_PRICING (pricing override file), MLCLOUD_TRAINER_IMAGE, and each provider's own
(AWS_*, RUNPOD_*; see docs/).
)";

std::string backend_names()
{
    std::string out;
    auto add = [&]<class... B>(backend_list<B...>) { ((out += (out.empty() ? "" : ", ") + std::string(B::name)), ...); };
    add(compiled_backends{});
    return out;
}

template <class... B>
bool is_compiled_backend(backend_list<B...>, std::string_view name)
{
    return ((name == B::name) || ...);
}

template <class... B>
mlcloud::result<int> dispatch(backend_list<B...>, std::string const& provider, std::string const& command,
                              args const& a, io& io)
{
    return mlcloud::with_backend<B...>(provider, [&]<class Backend>(std::type_identity<Backend>) {
        return run_command<Backend>(command, a, io);
    });
}

int gpus(args const& a, io& io, std::string const& provider)
{
    a.allow_only({"provider"});
    auto table = pricing();
    if (!table)
        return report(io, table.error());
    auto which = a.get("provider").value_or(provider);
    // A provider of the price table (a pricing file may add one) or a compiled-in backend.
    if (which != "all" && !is_compiled_backend(compiled_backends{}, which) && table->offers(which).empty())
        throw usage_error("unknown provider '" + which + "' (compiled in: " + backend_names() +
                          "; or one of the price table's, or all)");
    if (which == "local")
        which = "all";
    io.out << msg::gpu_price_list(plain, *table, which == "all" ? std::string_view{} : which);
    return 0;
}

int run(int argc, char** argv)
{
    std::vector<std::string> words(argv + 1, argv + argc);
    std::string provider = std::getenv("MLCLOUD_PROVIDER") ? std::getenv("MLCLOUD_PROVIDER") : "local";
    // Global options come before the command.
    std::size_t i = 0;
    for (; i < words.size() && words[i].starts_with("-"); ++i)
    {
        if (words[i] == "--help" || words[i] == "-h")
        {
            std::cout << usage_text;
            return 0;
        }
        if (words[i] == "--version")
        {
            std::cout << "mlcloud " << MLCLOUD_VERSION_STRING << " (backends: " << backend_names() << ")\n";
            return 0;
        }
        if (words[i] == "--provider")
        {
            if (i + 1 == words.size())
                throw usage_error("--provider needs a value");
            provider = words[++i];
        }
        else if (words[i].starts_with("--provider="))
            provider = words[i].substr(11);
        else
            throw usage_error("unknown option " + words[i]);
    }
    if (i == words.size())
        throw usage_error("missing command");
    std::string command = words[i];
    // `mlcloud train --help` asks for usage, not for a value of --help (the workload's own
    // words after `--` are its business).
    auto const end_of_options = std::find(words.begin() + static_cast<std::ptrdiff_t>(i), words.end(), "--");
    if (std::find_if(words.begin() + static_cast<std::ptrdiff_t>(i), end_of_options,
                     [](std::string const& w) { return w == "--help" || w == "-h"; }) != end_of_options)
    {
        std::cout << usage_text;
        return 0;
    }
    args a({words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end()}, {"follow", "spot", "yes", "download", "upload", "terminate"});
    if (auto p = a.get("provider"))
        provider = *p;
    io io;
    if (command == "help")
    {
        std::cout << usage_text;
        return 0;
    }
    if (command == "gpus")
        return gpus(a, io, provider);
    auto r = dispatch(compiled_backends{}, provider, command, a, io);
    if (!r)
        return report(io, r.error());
    return *r;
}

} // namespace
} // namespace mlcloud_cli

int main(int argc, char** argv)
{
    try
    {
        return mlcloud_cli::run(argc, argv);
    }
    catch (mlcloud_cli::usage_error const& e)
    {
        std::cerr << "mlcloud: " << e.what() << "\n(run `mlcloud --help` for usage)\n";
        return 2;
    }
    catch (std::exception const& e)
    {
        std::cerr << "mlcloud: " << e.what() << "\n";
        return 1;
    }
}
